// The commit a build compares against, or '' for "every stack" (tools/ci affected deploys everything
// when the base is empty or missing from the clone, with a warning):
// - a pull request: the merge base with its target branch;
// - any branch with an earlier successful build: that build's commit;
// - main's first build (or a re-created job): '' - everything, never HEAD (which would deploy nothing);
// - another branch's first build: the merge base with main (it only plans).
// Fetches use the job's Git credentials (the checkout's are not left in the workspace).

String call(String credentialsId = env.LAKEPIPE_GIT_CREDENTIALS ?: 'lakepipe-git') {
    if (env.CHANGE_TARGET) {
        fetch(env.CHANGE_TARGET, credentialsId)
        return sh(script: "git merge-base HEAD origin/${env.CHANGE_TARGET}", returnStdout: true).trim()
    }
    if (env.GIT_PREVIOUS_SUCCESSFUL_COMMIT) {
        return env.GIT_PREVIOUS_SUCCESSFUL_COMMIT
    }
    if (env.BRANCH_NAME == 'main') {
        echo 'first build of main: no base commit, so every stack is planned and applied'
        return ''
    }
    fetch('main', credentialsId)
    return sh(script: 'git merge-base HEAD origin/main', returnStdout: true).trim()
}

private void fetch(String branch, String credentialsId) {
    withCredentials([gitUsernamePassword(credentialsId: credentialsId)]) {
        sh "git fetch --no-tags origin +refs/heads/${branch}:refs/remotes/origin/${branch}"
    }
}
