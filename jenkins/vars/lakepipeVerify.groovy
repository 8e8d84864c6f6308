// Lint, typecheck and test what the change affects (Nx), everything when there is no base (a first
// build), or the listed projects only.

void call(Map options = [:]) {
    if (options.projects) {
        sh "npx --no-install nx run-many -t lint typecheck test -p ${options.projects} --outputStyle=stream"
    } else if (options.base) {
        sh "npx --no-install nx affected -t lint typecheck test --base=${options.base} --head=HEAD --outputStyle=stream"
    } else {
        sh 'npx --no-install nx run-many -t lint typecheck test --outputStyle=stream'
    }
    // checkov over every synthesized stack (synth first), whatever the change: .checkov.yaml, docs/security.md
    sh 'npx --no-install nx run security:checkov --outputStyle=stream'
}
