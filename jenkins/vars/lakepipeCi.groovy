// Runs the lakepipe delivery CLI (tools/ci, tested TypeScript): every decision lives there, not here.
// lakepipeCi('plan --stack sourcing --env dev')                  -> fails the build on a non-zero exit
// lakepipeCi.status('plan --stack sourcing --env dev')           -> the exit code (2 = plan review blocked)
// lakepipeCi.output('affected --base abc123 --format lines')     -> stdout, trimmed

void call(String arguments) {
    sh "npx --no-install tsx tools/ci/src/bin.ts ${arguments}"
}

int status(String arguments) {
    return sh(script: "npx --no-install tsx tools/ci/src/bin.ts ${arguments}", returnStatus: true)
}

String output(String arguments) {
    return sh(script: "npx --no-install tsx tools/ci/src/bin.ts ${arguments}", returnStdout: true).trim()
}

/** Parses `<stack> <env>` lines (the `--format lines` output) into maps. */
List<Map> targets(String lines) {
    return lines.readLines().findAll { String line -> line.trim() }.collect { String line ->
        List<String> words = line.trim().split(/\s+/) as List<String>
        [stack: words[0], env: words[1]]
    }
}
