// Runs `body` with the environment's deployer role assumed (pipeline-aws plugin): the agent's own
// identity (instance profile / web identity) may only assume lakepipe-<env>-deployer. No keys in the repo.

void call(String envName, Closure body) {
    // `<accountId> <region> <roleName>` from infra/config/<env>.yaml
    List<String> target = lakepipeCi.output("aws-target --env ${envName}").split(/\s+/) as List<String>
    withAWS(role: target[2], roleAccount: target[0], region: target[1],
            roleSessionName: "jenkins-${env.JOB_BASE_NAME}-${env.BUILD_NUMBER}".take(64)) {
        body()
    }
}
