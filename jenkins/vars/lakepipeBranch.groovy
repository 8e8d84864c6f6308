// Which builds may change an AWS account: only main's. Branch and pull-request builds plan with the
// read-only planner role and never apply; tools/ci refuses the same on its side (aws-target, apply).

boolean mayApply() {
    if (env.CHANGE_ID) {
        return false
    }
    // a multibranch build names its branch; a pipeline job on main (nightly, drift) has the checkout's
    return env.BRANCH_NAME ? env.BRANCH_NAME == 'main' : env.GIT_BRANCH in ['main', 'origin/main']
}

/** Fails the build when called from a build that may not apply (a second fence behind the when blocks). */
void requireMain(String what) {
    if (!mayApply()) {
        String from = env.CHANGE_ID ? "pull request ${env.CHANGE_ID}" : "branch ${env.BRANCH_NAME ?: env.GIT_BRANCH}"
        error("refusing to ${what} from ${from}: only main applies")
    }
}
