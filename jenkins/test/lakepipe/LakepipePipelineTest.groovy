package lakepipe

import com.lesfurets.jenkins.unit.BasePipelineTest
import com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration
import com.lesfurets.jenkins.unit.global.lib.SourceRetriever
import org.junit.Before

/**
 * The base of lakepipe's pipeline unit tests: the shared library (jenkins/vars) loaded from this work
 * tree, the declarative interpreter, and fakes of the Jenkins steps that record what ran where: under
 * which agent (none while waiting), which AWS role, which locks. `sh` answers come from `shell(...)`
 * fakes; `lakepipe-ci aws-target` answers the way tools/ci does (planner, or deployer for an apply).
 */
abstract class LakepipePipelineTest extends BasePipelineTest {
    /** The library version the seed job pins (jenkins/jobs/lakepipe.groovy, LIBRARY_VERSION). */
    static final String LIBRARY_VERSION = SeedJob.pinnedLibraryVersion()

    Map<String, Object> env = [:]
    Map<String, Object> params = [:]
    Map<String, Object> currentBuild = [result: null, currentResult: 'SUCCESS', description: null, number: 7]
    /** everything that ran, in order: [step:, ...context] */
    List<Map> events = []
    List<Map> pipelineParameters = []
    List<Map> pipelineTriggers = []
    /** [pattern, stdout, status] answers for `sh`, first match wins */
    List<List> shellAnswers = []
    /** stashes by name: the files a later stage on another agent gets back */
    Map<String, Map> stashes = [:]
    /** files the fake workspace has (readFile, fileExists) */
    Map<String, String> files = [:]
    /** `timeout` blocks that fire: e.g. [time: 6, unit: 'HOURS'] */
    List<Map> firingTimeouts = []
    /** `sh` scripts that a timeout or an abort interrupts while they run */
    List<String> interruptedScripts = []
    /** the `timeout` blocks around the current step, outermost first: `6 HOURS` */
    List<String> activeTimeouts = []
    Exception failure

    String currentAgent = null
    Map currentRole = null
    List<String> heldLocks = []

    @Override
    @Before
    void setUp() throws Exception {
        setScriptRoots(['.'] as String[])
        setScriptExtension('')
        super.setUp()
        helper.registerSharedLibrary(library())
        env.BUILD_NUMBER = '7'
        env.JOB_NAME = 'lakepipe/lakepipe'
        binding.setVariable('env', env)
        binding.setVariable('params', params)
        binding.setVariable('currentBuild', currentBuild)
        binding.setVariable('scm', [branches: [[name: 'main']]])
        registerSteps()
    }

    /** The shared library `lakepipe`, from jenkins/ in this work tree, at the pinned version. */
    static LibraryConfiguration library() {
        LibraryConfiguration config = new LibraryConfiguration()
        config.name = 'lakepipe'
        config.defaultVersion = LIBRARY_VERSION
        config.allowOverride = false
        config.implicit = false
        config.targetPath = 'not-used'
        config.retriever = new WorkTreeRetriever()
        return config
    }

    void configure(Closure body, Object delegate) {
        body.delegate = delegate
        body.resolveStrategy = Closure.DELEGATE_FIRST
        body.call()
    }

    void shell(String pattern, String stdout, int status = 0) {
        shellAnswers << [pattern, stdout, status]
    }

    String labelOf(Object agent) {
        if (agent instanceof AgentSpec) {
            return ((AgentSpec) agent).label
        }
        return agent == 'none' ? null : (String) agent
    }

    void withAgent(Object agent, Closure body) {
        String previous = currentAgent
        if (agent != null) {
            currentAgent = labelOf(agent)
        }
        try {
            body.call()
        } finally {
            currentAgent = previous
        }
    }

    void withStageOptions(List<Map> options, Closure body) {
        Map timeoutOption = options.find { Map o -> o.name == 'timeout' }
        if (timeoutOption != null) {
            runTimeout(timeoutOption.args[0] as Map, body)
        } else {
            body.call()
        }
    }

    void markFailed(Exception err) {
        String result = err instanceof Aborted ? 'ABORTED' : 'FAILURE'
        if (currentBuild.currentResult == 'SUCCESS') {
            currentBuild.currentResult = result
            currentBuild.result = result
        }
    }

    Map context() {
        return [agent: currentAgent, role: currentRole?.role, locks: heldLocks.collect(), timeouts: activeTimeouts.collect()]
    }

    Object runTimeout(Map spec, Closure body) {
        events << ([step: 'timeout', time: spec.time, unit: spec.unit] + context())
        if (firingTimeouts.any { Map t -> t.time == spec.time && t.unit == spec.unit }) {
            events << [step: 'timeout-fired', time: spec.time, unit: spec.unit]
            throw new Aborted("Timeout has been exceeded (${spec.time} ${spec.unit})")
        }
        activeTimeouts << "${spec.time} ${spec.unit}".toString()
        try {
            return body.call()
        } finally {
            activeTimeouts.remove(activeTimeouts.size() - 1)
        }
    }

    Object runShell(String script, boolean returnStdout, boolean returnStatus) {
        events << ([step: 'sh', script: script] + context())
        if (interruptedScripts.any { String pattern -> script =~ pattern }) {
            events << [step: 'interrupted', script: script]
            throw new Aborted("Timeout has been exceeded while running: ${script}")
        }
        List answer = shellAnswers.find { List a -> script =~ a[0] }
        String stdout = answer ? (String) answer[1] : defaultStdout(script)
        int status = answer ? (int) answer[2] : 0
        if (returnStatus) {
            return status
        }
        if (status != 0) {
            throw new StepFailed("script returned exit code ${status}: ${script}")
        }
        return returnStdout ? stdout : null
    }

    /** What tools/ci prints when no test answer is given: the roles aws-target names. */
    String defaultStdout(String script) {
        def target = script =~ /aws-target --env (\S+) --purpose (\S+)/
        if (target.find()) {
            String envName = target.group(1)
            String role = target.group(2) == 'apply' ? "lakepipe-${envName}-deployer" : "lakepipe-${envName}-planner"
            String account = envName == 'prod' ? '222222222222' : '111111111111'
            return "${account} eu-west-1 ${role}\n"
        }
        return ''
    }

    /** Loads the shared library (through a Jenkinsfile that only declares it) and returns one step. */
    Object step(String name) {
        runScript('jenkins/test/fixtures/library.Jenkinsfile')
        return binding.getVariable(name)
    }

    List<Map> eventsOf(String step) {
        return events.findAll { Map e -> e.step == step }
    }

    List<String> shellScripts() {
        return eventsOf('sh').collect { Map e -> (String) e.script }
    }

    /** The lakepipe-ci commands that ran (`apply --stack sourcing --env prod ...`), with their context. */
    List<Map> ciCalls() {
        return eventsOf('sh').findAll { Map e -> e.script.contains('tools/ci/src/bin.ts ') }.collect { Map e ->
            e + [command: ((String) e.script).split('tools/ci/src/bin.ts ', 2)[1]]
        }
    }

    void registerSteps() {
        helper.registerAllowedMethod('pipeline', [Closure], { Closure body -> new Declarative(this).run(body) })
        helper.registerAllowedMethod('script', [Closure], { Closure body -> body.call() })
        helper.registerAllowedMethod('sh', [String], { String script -> runShell(script, false, false) })
        helper.registerAllowedMethod('sh', [Map], { Map args ->
            runShell((String) args.script, args.returnStdout == true, args.returnStatus == true)
        })
        helper.registerAllowedMethod('echo', [String], { String text -> events << [step: 'echo', text: text] })
        helper.registerAllowedMethod('error', [String], { String message ->
            events << ([step: 'error', message: message] + context())
            throw new StepFailed(message)
        })
        helper.registerAllowedMethod('withAWS', [Map, Closure], { Map args, Closure body ->
            events << ([step: 'withAWS'] + context() + args)
            Map previous = currentRole
            currentRole = args
            try {
                return body.call()
            } finally {
                currentRole = previous
            }
        })
        helper.registerAllowedMethod('lock', [Map, Closure], { Map args, Closure body ->
            List<String> names = [(String) args.resource] + (args.extra ?: []).collect { Map e -> (String) e.resource }
            events << ([step: 'lock', resources: names] + context())
            heldLocks.addAll(names)
            try {
                return body.call()
            } finally {
                names.each { String name -> heldLocks.remove(name) }
            }
        })
        helper.registerAllowedMethod('timeout', [Map, Closure], { Map args, Closure body -> runTimeout(args, body) })
        helper.registerAllowedMethod('input', [Map], { Map args ->
            events << ([step: 'input'] + args + context())
            return null
        })
        helper.registerAllowedMethod('milestone', [], { -> events << ([step: 'milestone'] + context()) })
        helper.registerAllowedMethod('stash', [Map], { Map args ->
            events << ([step: 'stash'] + args + context())
            assert currentAgent != null: "stash ${args.name} needs a workspace (an agent)"
            stashes[(String) args.name] = args
        })
        helper.registerAllowedMethod('unstash', [String], { String name ->
            events << ([step: 'unstash', name: name] + context())
            assert currentAgent != null: "unstash ${name} needs a workspace (an agent)"
            assert stashes.containsKey(name): "unstash ${name}: nothing was stashed under that name"
        })
        helper.registerAllowedMethod('archiveArtifacts', [Map], { Map args -> events << ([step: 'archiveArtifacts'] + args + context()) })
        helper.registerAllowedMethod('readFile', [String], { String file ->
            events << ([step: 'readFile', file: file] + context())
            assert currentAgent != null: "readFile ${file} needs a workspace (an agent)"
            return files.containsKey(file) ? files[file] : "review of ${file}".toString()
        })
        helper.registerAllowedMethod('fileExists', [String], { String file -> files.containsKey(file) })
        helper.registerAllowedMethod('withCredentials', [List, Closure], { List bindings, Closure body ->
            events << ([step: 'withCredentials', bindings: bindings] + context())
            return body.call()
        })
        helper.registerAllowedMethod('gitUsernamePassword', [Map], { Map args -> [gitUsernamePassword: args] })
        helper.registerAllowedMethod('withEnv', [List, Closure], { List<String> vars, Closure body ->
            Map<String, Object> previous = env.clone() as Map
            vars.each { String v -> List<String> kv = v.split('=', 2) as List; env[kv[0]] = kv[1] }
            try {
                return body.call()
            } finally {
                env.clear()
                env.putAll(previous)
            }
        })
        helper.registerAllowedMethod('stage', [String, Closure], { String name, Closure body ->
            events << ([step: 'stage', stage: name] + context())
            return body.call()
        })
        helper.registerAllowedMethod('checkout', [Object], { Object scm -> events << ([step: 'checkout'] + context()) })
        helper.registerAllowedMethod('deleteDir', [], { -> events << ([step: 'deleteDir'] + context()) })
    }

    /** The order of steps: "<step> <detail>" lines, for readable assertions. */
    List<String> timeline(List<String> steps) {
        return events.findAll { Map e -> steps.contains(e.step) }.collect { Map e ->
            String detail = e.step == 'sh' ? ((String) e.script).replaceFirst(/^npx --no-install tsx tools\/ci\/src\/bin\.ts /, 'ci ') :
                e.step == 'withAWS' ? e.role : e.step == 'lock' ? e.resources.join(',') :
                e.step == 'stage' ? e.stage : e.step == 'input' ? e.submitter : e.step == 'unstash' || e.step == 'stash' ? e.name : ''
            "${e.step} ${detail}".trim()
        }
    }
}

/** A step that failed (`error`, a non-zero `sh`). */
class StepFailed extends RuntimeException {
    StepFailed(String message) {
        super(message)
    }
}

/** An interruption: a fired `timeout`, an abort. */
class Aborted extends RuntimeException {
    Aborted(String message) {
        super(message)
    }
}

/** Loads the library from this work tree's jenkins/ folder (the Library Path of the real configuration). */
class WorkTreeRetriever implements SourceRetriever {
    @Override
    List<URL> retrieve(String repository, String branch, String targetPath) throws IllegalStateException {
        return [new File('jenkins').absoluteFile.toURI().toURL()]
    }
}
