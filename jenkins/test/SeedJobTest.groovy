import lakepipe.LakepipePipelineTest
import lakepipe.Recorder
import lakepipe.SeedJob
import org.junit.Test

/** The Job DSL seed (jenkins/jobs/lakepipe.groovy): which jobs exist, what they load, when they run. */
class SeedJobTest extends LakepipePipelineTest {
    Map<String, Map> jobs = [:]

    void seed() {
        binding.setVariable('LAKEPIPE_REPO', 'https://git.example.com/data-platform/lakepipe.git')
        binding.setVariable('LAKEPIPE_CREDENTIALS', 'lakepipe-git')
        ['folder', 'multibranchPipelineJob', 'pipelineJob'].each { String kind ->
            helper.registerAllowedMethod(kind, [String, Closure], { String name, Closure body ->
                Recorder recorder = new Recorder()
                configure(body, recorder)
                jobs[name] = [kind: kind, calls: recorder.calls]
            })
        }
        runScript(SeedJob.FILE)
    }

    /** Every call named `name` anywhere under `calls`. */
    static List<Map> find(List<Map> calls, String name) {
        return calls.collectMany { Map call -> (call.name == name ? [call] : []) + find(call.children, name) }
    }

    static Object arg(List<Map> calls, String name) {
        List<Map> found = find(calls, name)
        assert found: "no ${name}"
        return found[0].args[0]
    }

    @Test
    void 'loads the shared library at a pinned tag, which no Jenkinsfile can override'() {
        // Act
        seed()

        // Assert
        List<Map> library = find(jobs['lakepipe'].calls, 'libraryConfiguration')
        assert library.size() == 1
        assert arg(library, 'name') == 'lakepipe'
        assert arg(library, 'defaultVersion') == SeedJob.pinnedLibraryVersion()
        assert arg(library, 'defaultVersion') ==~ /lakepipe-lib-\d+\.\d+\.\d+/
        assert arg(library, 'allowVersionOverride') == false
        assert arg(library, 'libraryPath') == 'jenkins/'
    }

    @Test
    void 'creates one delivery job, plan-only service jobs, and one nightly and one drift job per environment'() {
        // Act
        seed()

        // Assert
        assert jobs.keySet().sort() == [
            'lakepipe', 'lakepipe/drift-dev', 'lakepipe/drift-prod', 'lakepipe/ephemeral-dev',
            'lakepipe/ephemeral-prod', 'lakepipe/lakepipe', 'lakepipe/provider-locks', 'lakepipe/sagemaker-scoring',
            'lakepipe/sourcing', 'lakepipe/spark-etl', 'lakepipe/view',
        ]
        assert arg(jobs['lakepipe/lakepipe'].calls, 'scriptPath') == 'Jenkinsfile'
        ['sourcing', 'spark-etl', 'sagemaker-scoring', 'view'].each { String svc ->
            List<Map> calls = jobs["lakepipe/${svc}".toString()].calls
            assert arg(calls, 'scriptPath') == "services/${svc}/Jenkinsfile"
            assert arg(find(calls, 'includeRegionByFieldBranchBuildStrategy'), 'includedRegions') == "services/${svc}/**"
        }
    }

    @Test
    void 'scans every multibranch job periodically and keeps full history'() {
        // Act
        seed()

        // Assert
        jobs.findAll { it.value.kind == 'multibranchPipelineJob' }.each { String name, Map job ->
            assert arg(find(job.calls, 'periodicFolderTrigger'), 'interval') == '15m': name
            assert arg(find(job.calls, 'cloneOptionTrait'), 'shallow') == false: name
        }
    }

    @Test
    void 'registers the nightly and drift schedules as job properties, and only approvers may start prod ones'() {
        // Act
        seed()

        // Assert
        assert arg(jobs['lakepipe/ephemeral-dev'].calls, 'spec') == 'H 1 * * *'
        assert arg(jobs['lakepipe/ephemeral-prod'].calls, 'spec') == 'H 3 * * *'
        assert arg(jobs['lakepipe/drift-prod'].calls, 'spec') == 'H 6 * * *'
        assert find(jobs['lakepipe/provider-locks'].calls, 'spec').isEmpty()
        List<Map> prodAuth = find(jobs['lakepipe/ephemeral-prod'].calls, 'permissions')
        assert prodAuth.find { it.args[0] == 'lakepipe-prod-approvers' }.args[1].contains('hudson.model.Item.Build')
        assert !prodAuth.any { it.args[0] == 'authenticated' && it.args[1].contains('hudson.model.Item.Build') }
        assert find(jobs['lakepipe/ephemeral-dev'].calls, 'permissions').isEmpty()
        ['lakepipe/ephemeral-prod', 'lakepipe/drift-prod'].each { assert arg(jobs[it].calls, 'branch') == 'main' }
    }

    @Test
    void 'reads its parameters as variables, never through the binding variables map'() {
        assert !new File(SeedJob.FILE).text.contains('binding.variables')
        assert !new File(SeedJob.FILE).text.contains('includeRegionBranchBuildStrategy')
    }
}
