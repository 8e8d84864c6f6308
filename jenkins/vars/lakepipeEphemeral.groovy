// The nightly job (jenkins/ephemeral.Jenkinsfile) for the stacks infra/stacks.ts marks ephemeral: what
// costs money while it merely exists is created, used by one pipeline run and destroyed. It deploys the
// commit last promoted to the environment (never main's HEAD), takes the same per-stack locks as the
// delivery pipeline, waits for the run in windows with fresh credentials, stops the execution on any
// error, and always destroys, archives and notifies - outside every stage timeout.

/** The environment of this job: its name is `ephemeral-<env>` (one job per environment). */
String envName() {
    return env.JOB_BASE_NAME.replaceFirst(/^ephemeral-/, '')
}

/** Checks out the commit last promoted to the environment, installs it and synthesizes its stacks. */
void checkoutApproved(String envName) {
    sh 'npm ci --no-audit --no-fund'
    String commit = ''
    lakepipeAws(envName, 'plan') {
        commit = lakepipeCi.output("approved --env ${envName}")
    }
    // promoted commits are on main: the job's checkout of main has them (full history, no shallow clone)
    sh "git merge-base --is-ancestor ${commit} HEAD"
    sh "git checkout --detach ${commit}"
    env.LAKEPIPE_COMMIT = commit
    currentBuild.description = "${envName} at ${commit.take(12)}"
    sh 'npm ci --no-audit --no-fund'
    sh "npm run synth -- --env ${envName}"
    List<Map> ephemeral = lakepipeCi.targets(lakepipeCi.output("stacks --env ${envName} --ephemeral"))
    env.LAKEPIPE_EPHEMERAL_STACKS = ephemeral*.stack.join(',')
}

/** The ephemeral stacks of this build (read by checkoutApproved). */
List<String> stacks() {
    return (env.LAKEPIPE_EPHEMERAL_STACKS ?: '').tokenize(',')
}

void deploy(String envName) {
    lakepipeLocks.withAll(stacks(), envName) {
        lakepipeAws(envName, 'apply') {
            lakepipeCi("ephemeral deploy --env ${envName} --commit ${env.LAKEPIPE_COMMIT}")
        }
    }
}

/**
 * Starts the pipeline and waits in 45-minute windows, each with a new session (a chained role's session
 * ends after an hour); on any error - failure, timeout, abort, expired credentials - stops the execution.
 */
void run(String envName, String runId = '') {
    String arn = ''
    try {
        lakepipeAws(envName, 'apply') {
            arn = lakepipeCi.output("ephemeral start --env ${envName}${runId ? " --run-id ${runId}" : ''}")
        }
        int status = 3
        while (status == 3) {
            lakepipeAws(envName, 'apply') {
                status = lakepipeCi.status("ephemeral wait --env ${envName} --execution-arn ${arn} --wait-seconds 2700")
            }
        }
        if (status != 0) {
            error("pipeline execution ${arn} did not succeed (exit ${status})")
        }
    } catch (err) {
        if (arn) {
            lakepipeAws(envName, 'apply') {
                lakepipeCi.status("ephemeral stop --env ${envName} --execution-arn ${arn}")
            }
        }
        throw err
    }
}

/**
 * Always, whatever happened before: destroy the ephemeral stacks (under their locks, its own timeout),
 * archive the reviews, and notify the error topic when the build or the destroy failed. A failed
 * destroy fails the build but never skips archiving or the notification.
 */
void finish(String envName) {
    String destroyError = ''
    try {
        timeout(time: 2, unit: 'HOURS') {
            lakepipeLocks.withAll(stacks(), envName) {
                lakepipeAws(envName, 'apply') {
                    lakepipeCi("ephemeral destroy --env ${envName}")
                }
            }
        }
    } catch (err) {
        destroyError = err.message ?: err.toString()
        currentBuild.result = 'FAILURE'
    }
    archiveArtifacts artifacts: 'cdktf.out/reviews/**', allowEmptyArchive: true
    if (destroyError || currentBuild.currentResult != 'SUCCESS') {
        notify(envName, destroyError)
    }
    if (destroyError) {
        error("destroy of the ephemeral stacks of ${envName} failed: ${destroyError}")
    }
}

private void notify(String envName, String destroyError) {
    String subject = destroyError ? "lakepipe ${envName}: nightly destroy FAILED, compute may still be running" :
        "lakepipe ${envName}: nightly job ${currentBuild.currentResult}"
    String message = "${env.BUILD_URL ?: env.JOB_NAME}\n" + (destroyError ?
        "The destroy failed: ${destroyError}\nA stale state lock may remain (terraform force-unlock)." :
        'The nightly run failed; the ephemeral stacks were destroyed.')
    withEnv(["LAKEPIPE_NOTIFY_SUBJECT=${subject}", "LAKEPIPE_NOTIFY_MESSAGE=${message}"]) {
        lakepipeAws(envName, 'apply') {
            // the texts reach the shell as variables, never spliced into the command line
            lakepipeCi.status("notify --env ${envName} " +
                '--subject "$LAKEPIPE_NOTIFY_SUBJECT" --message "$LAKEPIPE_NOTIFY_MESSAGE"')
        }
    }
}
