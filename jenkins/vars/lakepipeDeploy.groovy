// Plan, review, approve and apply stack targets ([stack:, env:] maps in deploy order). Plans run with the
// read-only planner role on any branch; applies only on main, with the deployer role, each under the
// stack's lock, from the plan that was reviewed (stashed on the planning agent, applied on another).

/**
 * Plans and reviews each target; a blocked review or a failed plan fails the build. Each review carries
 * what the pipeline costs on AWS in that environment (`lakepipe cost`, estimated from pipeline.yaml and
 * the env config: no AWS call) beside the plan summary; a failed estimate is said, not fatal.
 */
void plan(List<Map> targets) {
    Map<String, String> costSections = [:]
    for (Map target in targets) {
        String name = "${target.stack}-${target.env}"
        if (!costSections.containsKey(target.env)) {
            costSections[target.env] = costSection(target.env)
        }
        String cost = costSections[target.env]
        int status = 0
        lakepipeAws(target.env, 'plan') {
            String costOption = cost ? " --cost ${cost}" : ''
            status = lakepipeCi.status("plan --stack ${target.stack} --env ${target.env}${costOption}")
        }
        String review = "cdktf.out/reviews/${name}.md"
        if (fileExists(review)) {
            archiveArtifacts artifacts: "cdktf.out/reviews/${name}.*", fingerprint: true
            echo readFile(review)
        }
        if (status == 2) {
            error("plan review blocked ${name}: see ${review} " +
                  "(rerun with ALLOW_DESTROY=${target.env}:<address> if it is intended)")
        }
        if (status != 0) {
            error("plan of ${name} failed (exit ${status})")
        }
    }
}

/** Writes `lakepipe cost --env <env> --format markdown` for the plan reviews; '' when it cannot. */
String costSection(String envName) {
    String file = "cdktf.out/reviews/cost-${envName}.md"
    int status = sh(script: "mkdir -p cdktf.out/reviews && npx --no-install lakepipe cost --env ${envName} " +
        "--format markdown --lake cdktf.out/cost-lake > ${file}", returnStatus: true)
    if (status != 0) {
        echo "the cost estimate of ${envName} failed (exit ${status}); its plan reviews go without it"
        return ''
    }
    return file
}

/** Keeps the reviewed plans of one environment (configuration, assets, plan, review) for the apply. */
void stashPlans(String envName) {
    stash name: "plans-${envName}", includes: "cdktf.out/stacks/*-${envName}/**,cdktf.out/reviews/*-${envName}.*",
          excludes: '**/.terraform/**', allowEmpty: true
}

/** The reviews of the targets, one after another, for the approval gate (read while on an agent). */
String reviews(List<Map> targets) {
    return targets.collect { Map target ->
        String review = "cdktf.out/reviews/${target.stack}-${target.env}.md"
        fileExists(review) ? readFile(review) : "(no review for ${target.stack}-${target.env})"
    }.join('\n\n')
}

/**
 * One approval for a whole environment, called from a stage with `agent none`: nothing is held while
 * a person reads the reviews (no executor, no lock). Milestones abort an older build still waiting here
 * once a newer one has been approved.
 */
void approve(String envName, int count, String reviewText) {
    milestone()
    timeout(time: 1, unit: 'DAYS') {
        input(message: "Apply ${count} stack(s) to ${envName}?\n\n${reviewText}", ok: "Apply to ${envName}",
              submitter: 'lakepipe-prod-approvers')
    }
    milestone()
}

/**
 * Applies the stashed plans of the targets on main: fresh deployer credentials per stack, the stack's
 * lock held, the commit recorded per stack and env by tools/ci (which refuses a commit that does not
 * descend from the one last deployed). Then records the commit as promoted to the environment.
 */
void apply(String envName, List<Map> targets) {
    lakepipeBranch.requireMain("apply to ${envName}")
    unstash "plans-${envName}"
    for (Map target in targets) {
        lock(resource: lakepipeLocks.name(target.stack, target.env)) {
            lakepipeAws(target.env, 'apply') {
                lakepipeCi("apply --stack ${target.stack} --env ${target.env} --commit ${env.GIT_COMMIT}")
            }
        }
    }
    lakepipeAws(envName, 'apply') {
        lakepipeCi("record-approval --env ${envName} --commit ${env.GIT_COMMIT}")
    }
}

/** The targets of one environment. */
List<Map> of(List<Map> targets, String envName) {
    return targets.findAll { Map target -> target.env == envName }
}
