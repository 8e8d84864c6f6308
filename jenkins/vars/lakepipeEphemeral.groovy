// Ephemeral compute steps for jenkins/ephemeral.Jenkinsfile: deploy | run | destroy of the stacks that
// infra/stacks.ts marks ephemeral, under the environment's deployer role and a per-environment lock.

void call(String action, String envName, String runId = '') {
    String runArgument = runId ? " --run-id ${runId}" : ''
    lock(resource: "lakepipe-${envName}-ephemeral") {
        lakepipeAws(envName) {
            lakepipeCi("ephemeral ${action} --env ${envName}${runArgument}")
        }
    }
}

/** Whether the job's ACTION includes this step: `cycle` is deploy, run, then destroy. */
boolean wants(String requested, String step) {
    return requested == 'cycle' || requested == step
}
