// One lockable resource per stack and environment, `lakepipe-<env>-<stack>`, taken by every job that
// applies or destroys that stack (delivery, the nightly job): Terraform's state lock guards a run,
// these order the jobs.

String name(String stack, String envName) {
    return "lakepipe-${envName}-${stack}"
}

/** Runs `body` holding the locks of all these stacks at once (none: runs it as it is). */
void withAll(List<String> stacks, String envName, Closure body) {
    if (!stacks) {
        body()
        return
    }
    List<String> names = stacks.collect { String stack -> name(stack, envName) }
    lock(resource: names[0], extra: names.drop(1).collect { String resource -> [resource: resource] }) {
        body()
    }
}
