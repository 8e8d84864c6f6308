import lakepipe.LakepipePipelineTest
import org.junit.Before
import org.junit.Test

/**
 * The nightly job (jenkins/ephemeral.Jenkinsfile), with a catalog that has ephemeral stacks: it deploys
 * the promoted commit, waits with fresh credentials, stops the execution on any error, and always
 * destroys, archives and notifies, outside the stage timeouts.
 */
class EphemeralJobTest extends LakepipePipelineTest {
    static final String APPROVED = 'a'.multiply(40)
    static final String ARN = 'arn:aws:states:eu-west-1:222222222222:execution:lakepipe-prod-bench-quality:r1'

    @Before
    void nightlyProd() {
        env.JOB_BASE_NAME = 'ephemeral-prod'
        env.JOB_NAME = 'lakepipe/ephemeral-prod'
        env.BUILD_URL = 'https://jenkins.example.com/job/lakepipe/job/ephemeral-prod/7/'
        env.GIT_COMMIT = 'f'.multiply(40)
        env.GIT_BRANCH = 'origin/main'
        shell(/approved --env prod/, "${APPROVED}\n")
        shell(/stacks --env prod --ephemeral/, 'orchestration prod\nspark-etl prod\n')
        shell(/ephemeral start/, "${ARN}\n")
        shell(/ephemeral wait/, '', 0)
    }

    /** `ephemeral wait` answers, one per call. */
    void waits(List<Integer> statuses) {
        shellAnswers.removeAll { it[0] == /ephemeral wait/ }
        List<Integer> queue = statuses.collect()
        helper.registerAllowedMethod('sh', [Map], { Map args ->
            String script = (String) args.script
            if (script.contains('ephemeral wait') && args.returnStatus) {
                runShell(script, false, true)
                return queue.size() > 1 ? queue.remove(0) : queue[0]
            }
            return runShell(script, args.returnStdout == true, args.returnStatus == true)
        })
    }

    List<String> ci() {
        return ciCalls().collect { it.command }
    }

    @Test
    void 'deploys the commit last promoted to prod, never main HEAD, and always destroys'() {
        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'SUCCESS'
        assert shellScripts().contains("git checkout --detach ${APPROVED}".toString())
        assert shellScripts().contains("git merge-base --is-ancestor ${APPROVED} HEAD".toString())
        assert ci().contains("ephemeral deploy --env prod --commit ${APPROVED}".toString())
        assert !shellScripts().any { it.contains(env.GIT_COMMIT) }
        assert ci().findAll { it.startsWith('ephemeral ') }.collect { it.split(' ')[1] } ==
            ['deploy', 'start', 'wait', 'destroy']
        assert !ci().any { it.startsWith('notify') }
    }

    @Test
    void 'takes the same per-stack locks as the delivery pipeline to deploy and to destroy'() {
        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert eventsOf('lock').collect { it.resources } == [
            ['lakepipe-prod-orchestration', 'lakepipe-prod-spark-etl'],
            ['lakepipe-prod-orchestration', 'lakepipe-prod-spark-etl'],
        ]
        assert ciCalls().find { it.command.startsWith('ephemeral deploy') }.locks ==
            ['lakepipe-prod-orchestration', 'lakepipe-prod-spark-etl']
        assert ciCalls().find { it.command.startsWith('ephemeral wait') }.locks == []
    }

    @Test
    void 'waits in windows, each with a new credential session'() {
        // Arrange: still running, still running, then succeeded
        waits([3, 3, 0])

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        List<Map> windows = ciCalls().findAll { it.command.startsWith('ephemeral wait') }
        assert windows.size() == 3
        assert windows.every { it.command == "ephemeral wait --env prod --execution-arn ${ARN} --wait-seconds 2700".toString() }
        List<Map> sessions = eventsOf('withAWS').findAll { it.role == 'lakepipe-prod-deployer' }
        // deploy, start, three waits, destroy: one session each
        assert sessions.size() == 6
        assert currentBuild.currentResult == 'SUCCESS'
    }

    @Test
    void 'a failed run stops the execution, destroys, archives and notifies the error topic'() {
        // Arrange
        waits([1])

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'FAILURE'
        List<String> after = ci().dropWhile { !it.startsWith('ephemeral wait') }.findAll { !it.startsWith('aws-target') }
        assert after.collect { it.split(' ').take(2).join(' ') } ==
            ['ephemeral wait', 'ephemeral stop', 'ephemeral destroy', 'notify --env']
        assert ci().contains("ephemeral stop --env prod --execution-arn ${ARN}".toString())
        assert eventsOf('archiveArtifacts').any { it.artifacts == 'cdktf.out/reviews/**' }
        assert env.LAKEPIPE_NOTIFY_SUBJECT == null // set only around the notify call
    }

    @Test
    void 'a run that outlives its timeout is stopped, and the destroy runs outside that timeout'() {
        // Arrange: the 6-hour stage timeout interrupts the second wait
        waits([3, 3])
        interruptedScripts << /ephemeral wait/

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'ABORTED'
        assert ci().contains("ephemeral stop --env prod --execution-arn ${ARN}".toString())
        Map destroy = ciCalls().find { it.command.startsWith('ephemeral destroy') }
        assert destroy.timeouts == ['2 HOURS']
        assert ciCalls().find { it.command.startsWith('ephemeral start') }.timeouts == ['6 HOURS']
        assert ci().any { it.startsWith('notify --env prod') }
    }

    @Test
    void 'a failed destroy fails the build but still archives and notifies, naming the stale lock'() {
        // Arrange
        shell(/ephemeral destroy/, '', 1)
        Map notifyEnv = [:]
        helper.registerAllowedMethod('withEnv', [List, Closure], { List<String> vars, Closure body ->
            vars.each { String v -> List<String> kv = v.split('=', 2) as List; notifyEnv[kv[0]] = kv[1] }
            body.call()
        })

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'FAILURE'
        List<String> order = timeline(['sh', 'archiveArtifacts']).findAll {
            it.contains('ephemeral destroy') || it.startsWith('archiveArtifacts') || it.contains('ci notify')
        }
        assert order == [
            'sh ci ephemeral destroy --env prod',
            'archiveArtifacts',
            'sh ci notify --env prod --subject "$LAKEPIPE_NOTIFY_SUBJECT" --message "$LAKEPIPE_NOTIFY_MESSAGE"',
        ]
        assert notifyEnv.LAKEPIPE_NOTIFY_SUBJECT == 'lakepipe prod: nightly destroy FAILED, compute may still be running'
        assert notifyEnv.LAKEPIPE_NOTIFY_MESSAGE.contains('terraform force-unlock')
        assert failure.message.startsWith('destroy of the ephemeral stacks of prod failed')
    }

    @Test
    void 'with no ephemeral stack (today s catalog) it deploys and runs nothing, and still destroys'() {
        // Arrange
        shellAnswers.removeAll { it[0] == /stacks --env prod --ephemeral/ }
        shell(/stacks --env prod --ephemeral/, '')

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'SUCCESS'
        assert ci().findAll { it.startsWith('ephemeral ') } == ['ephemeral destroy --env prod']
        assert eventsOf('stage-skipped').collect { it.stage } == ['Deploy', 'Run pipeline']
    }

    @Test
    void 'refuses to deploy from anything but main'() {
        // Arrange: the job pointed at another branch
        env.GIT_BRANCH = 'origin/feature/x'

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'FAILURE'
        assert !eventsOf('withAWS').any { it.role.contains('deployer') }
        assert !ci().any { it =~ /^ephemeral (deploy|start|destroy)/ }
    }

    @Test
    void 'ACTION=destroy only destroys'() {
        // Arrange
        params.ACTION = 'destroy'

        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert ci().findAll { it.startsWith('ephemeral ') } == ['ephemeral destroy --env prod']
    }

    @Test
    void 'has no pipeline-wide timeout and no cron of its own (the seed job sets it)'() {
        // Act
        runScript('jenkins/ephemeral.Jenkinsfile')

        // Assert
        assert eventsOf('timeout').collect { "${it.time} ${it.unit}".toString() }.unique() ==
            ['30 MINUTES', '1 HOURS', '6 HOURS', '2 HOURS']
        assert pipelineTriggers.isEmpty()
    }
}
