import lakepipe.LakepipePipelineTest
import lakepipe.StepFailed
import org.junit.Test

/** The shared library's steps on their own: roles, session names, base commits, lock names. */
class LibraryStepsTest extends LakepipePipelineTest {
    @Test
    void 'a role session name keeps only the characters STS allows, at most 64'() {
        // Arrange
        env.BRANCH_NAME = 'feature/x%2Fy ünïcode'
        def aws = step('lakepipeAws')

        // Act
        String name = aws.sessionName('plan')
        env.BRANCH_NAME = 'b' * 100
        String long_ = aws.sessionName('apply')

        // Assert
        assert name == 'jenkins-plan-feature-x-2Fy--n-code-7'
        assert long_.size() == 64
        assert [name, long_].every { it ==~ /[A-Za-z0-9_+=,.@-]{2,64}/ }
    }

    @Test
    void 'a branch build cannot assume a deployer role: the step fails before withAWS'() {
        // Arrange
        env.BRANCH_NAME = 'feature/x'
        def aws = step('lakepipeAws')

        // Act
        Exception refused = null
        try {
            aws.call('prod', 'apply') { -> events << [step: 'echo', text: 'inside'] }
        } catch (StepFailed err) {
            refused = err
        }

        // Assert
        assert refused.message == 'refusing to assume the prod deployer role from branch feature/x: only main applies'
        assert eventsOf('withAWS').isEmpty()
        assert !shellScripts().any { it.contains('--purpose apply') }
    }

    @Test
    void 'a pull request from a branch called main still cannot apply'() {
        // Arrange
        env.BRANCH_NAME = 'main'
        env.CHANGE_ID = '7'

        // Act
        boolean may = step('lakepipeBranch').mayApply()

        // Assert
        assert !may
    }

    @Test
    void 'main assumes the deployer role on the agent, with a sanitized session'() {
        // Arrange
        env.BRANCH_NAME = 'main'
        def aws = step('lakepipeAws')

        // Act
        aws.call('prod', 'apply') { -> events << [step: 'echo', text: 'inside'] }

        // Assert
        assert eventsOf('withAWS').collect { [it.role, it.roleAccount, it.region, it.useNode, it.roleSessionName] } ==
            [['lakepipe-prod-deployer', '222222222222', 'eu-west-1', true, 'jenkins-apply-main-7']]
    }

    @Test
    void 'the first build of main has no base: every stack, never HEAD'() {
        // Arrange
        env.BRANCH_NAME = 'main'

        // Act
        String base = step('lakepipeBase').call()

        // Assert
        assert base == ''
        assert !shellScripts().any { it.startsWith('git ') }
    }

    @Test
    void 'the first build of a branch fetches main with the Git credentials and takes the merge base'() {
        // Arrange
        env.BRANCH_NAME = 'feature/x'
        shell(/git merge-base HEAD origin\/main/, "${'d' * 40}\n")

        // Act
        String base = step('lakepipeBase').call()

        // Assert
        assert base == 'd' * 40
        Map fetch = eventsOf('sh').find { it.script.startsWith('git fetch') }
        assert fetch.script == 'git fetch --no-tags origin +refs/heads/main:refs/remotes/origin/main'
        assert eventsOf('withCredentials')[0].bindings == [[gitUsernamePassword: [credentialsId: 'lakepipe-git']]]
    }

    @Test
    void 'a later build compares with the last successful one'() {
        // Arrange
        env.BRANCH_NAME = 'main'
        env.GIT_PREVIOUS_SUCCESSFUL_COMMIT = 'e' * 40

        // Act
        String base = step('lakepipeBase').call()

        // Assert
        assert base == 'e' * 40
    }

    @Test
    void 'locks are named per stack and environment, the same in every job'() {
        // Arrange
        def locks = step('lakepipeLocks')

        // Act
        locks.withAll(['orchestration', 'spark-etl'], 'prod') { -> events << [step: 'echo', text: 'locked'] }
        locks.withAll([], 'prod') { -> events << [step: 'echo', text: 'no stack, no lock'] }

        // Assert
        assert locks.name('sourcing', 'prod') == 'lakepipe-prod-sourcing'
        assert eventsOf('lock').collect { it.resources } == [['lakepipe-prod-orchestration', 'lakepipe-prod-spark-etl']]
        assert eventsOf('echo').collect { it.text }.takeRight(2) == ['locked', 'no stack, no lock']
    }
}
