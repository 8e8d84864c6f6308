// The commit a build compares against: the last successful build's commit, or on a pull request the
// merge base with its target branch, or (first build of a branch) the merge base with main.

String call() {
    if (env.CHANGE_TARGET) {
        sh "git fetch --no-tags origin +refs/heads/${env.CHANGE_TARGET}:refs/remotes/origin/${env.CHANGE_TARGET}"
        return sh(script: "git merge-base HEAD origin/${env.CHANGE_TARGET}", returnStdout: true).trim()
    }
    if (env.GIT_PREVIOUS_SUCCESSFUL_COMMIT) {
        return env.GIT_PREVIOUS_SUCCESSFUL_COMMIT
    }
    sh 'git fetch --no-tags origin +refs/heads/main:refs/remotes/origin/main'
    return sh(script: 'git merge-base HEAD origin/main', returnStdout: true).trim()
}
