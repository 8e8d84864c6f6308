import lakepipe.LakepipePipelineTest
import org.junit.Test

/** A service's own pipeline: verify and plan only, on every branch, main included. */
class ServicePipelineTest extends LakepipePipelineTest {
    @Test
    void 'plans the service stacks in every environment with the planner role, and never applies, even on main'() {
        // Arrange
        env.BRANCH_NAME = 'main'
        shell(/stacks --project sourcing/, 'sourcing dev\nsourcing prod\n')

        // Act
        runScript('services/sourcing/Jenkinsfile')

        // Assert
        assert currentBuild.currentResult == 'SUCCESS'
        assert ciCalls().collect { it.command }.findAll { !it.startsWith('aws-target') } == [
            'stacks --project sourcing',
            'plan --stack sourcing --env dev --cost cdktf.out/reviews/cost-dev.md',
            'plan --stack sourcing --env prod --cost cdktf.out/reviews/cost-prod.md',
        ]
        assert eventsOf('withAWS').collect { it.role } == ['lakepipe-dev-planner', 'lakepipe-prod-planner']
        assert eventsOf('lock').isEmpty()
        assert eventsOf('input').isEmpty()
    }

    @Test
    void 'every service Jenkinsfile is this plan-only pipeline'() {
        // Arrange
        List<File> jenkinsfiles = new File('services').listFiles().findAll { it.isDirectory() }
            .collect { new File(it, 'Jenkinsfile') }

        // Assert
        assert jenkinsfiles.size() == 4
        jenkinsfiles.each { File file ->
            assert file.text =~ /lakepipeServicePipeline\(project: '${file.parentFile.name}'\)/
        }
    }
}
