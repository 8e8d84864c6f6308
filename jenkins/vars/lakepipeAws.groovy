// Runs `body` with an environment's role assumed by the agent (pipeline-aws plugin, useNode: true: the
// agent's own identity - instance profile or web identity - assumes it; the controller has none).
//   lakepipeAws('prod') { ... }           lakepipe-prod-planner: read-only, what every plan uses
//   lakepipeAws('prod', 'apply') { ... }  lakepipe-prod-deployer: main only (lakepipeBranch, tools/ci)
// A session lasts at most an hour (role chaining caps it): long waits take a new one per window.

void call(String envName, Closure body) {
    call(envName, 'plan', body)
}

void call(String envName, String purpose, Closure body) {
    if (purpose == 'apply') {
        lakepipeBranch.requireMain("assume the ${envName} deployer role")
    }
    // `<accountId> <region> <roleName>` from infra/config/<env>.yaml
    String line = lakepipeCi.output("aws-target --env ${envName} --purpose ${purpose}")
    List<String> target = line.split(/\s+/) as List<String>
    withAWS(role: target[2], roleAccount: target[0], region: target[1], useNode: true,
            duration: 3600, roleSessionName: sessionName(purpose)) {
        body()
    }
}

/** An STS RoleSessionName: 2-64 of [A-Za-z0-9_+=,.@-] (JOB_BASE_NAME of feature/x is feature%2Fx). */
String sessionName(String purpose) {
    String raw = "jenkins-${purpose}-${env.BRANCH_NAME ?: env.JOB_BASE_NAME}-${env.BUILD_NUMBER}"
    return raw.replaceAll(/[^A-Za-z0-9_+=,.@-]/, '-').take(64)
}
