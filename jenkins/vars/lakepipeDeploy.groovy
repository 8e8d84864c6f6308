// Plans, reviews and applies stack targets ([stack:, env:] maps, in deploy order) one after another.
// Each plan review is archived and echoed; a blocked review stops the build before apply; a protected
// environment (prod) waits for a person who has read the review.

void call(List<Map> targets, Map options = [:]) {
    List<String> protectedEnvs = options.protectedEnvs ?: ['prod']
    boolean applyChanges = options.containsKey('apply') ? options.apply : true
    for (Map target in targets) {
        String name = "${target.stack}-${target.env}"
        stage("${name}") {
            lock(resource: "lakepipe-${target.env}-${target.stack}") {
                lakepipeAws(target.env) {
                    planAndReview(target, name)
                }
                if (!applyChanges) {
                    return
                }
                if (protectedEnvs.contains(target.env)) {
                    approve(name)
                }
                lakepipeAws(target.env) {
                    lakepipeCi("apply --stack ${target.stack} --env ${target.env}")
                }
            }
        }
    }
}

private void planAndReview(Map target, String name) {
    int status = lakepipeCi.status("plan --stack ${target.stack} --env ${target.env}")
    String review = "cdktf.out/reviews/${name}.md"
    if (fileExists(review)) {
        archiveArtifacts artifacts: "cdktf.out/reviews/${name}.*", fingerprint: true
        echo readFile(review)
    }
    if (status == 2) {
        error("plan review blocked ${name}: see ${review} (rerun with ALLOW_DESTROY=<address> if it is intended)")
    }
    if (status != 0) {
        error("plan of ${name} failed (exit ${status})")
    }
}

private void approve(String name) {
    String review = readFile("cdktf.out/reviews/${name}.md")
    currentBuild.description = "waiting for approval: ${name}"
    milestone()
    timeout(time: 1, unit: 'DAYS') {
        input(message: "Apply ${name}?\n\n${review}", ok: "Apply ${name}", submitter: 'lakepipe-prod-approvers')
    }
    milestone()
    currentBuild.description = null
}
