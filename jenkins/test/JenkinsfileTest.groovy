import lakepipe.LakepipePipelineTest
import org.junit.Test

/** The monorepo pipeline (Jenkinsfile): who assumes which role, what applies, where the gate waits. */
class JenkinsfileTest extends LakepipePipelineTest {
    static final String AFFECTED = 'shared-infra dev\nsourcing dev\nshared-infra prod\nsourcing prod\n'

    void affectedStacks(String lines) {
        shell(/affected .* --always-on --format lines/, lines)
        shell(/affected .* --format lines/, lines)
    }

    void branchBuild(String branch) {
        env.BRANCH_NAME = branch
        env.GIT_COMMIT = 'b'.multiply(40)
        env.GIT_PREVIOUS_SUCCESSFUL_COMMIT = 'a'.multiply(40)
        affectedStacks(AFFECTED)
        runScript('Jenkinsfile')
    }

    void mainBuild() {
        env.BRANCH_NAME = 'main'
        env.GIT_COMMIT = 'c'.multiply(40)
        env.GIT_PREVIOUS_SUCCESSFUL_COMMIT = 'b'.multiply(40)
        affectedStacks(AFFECTED)
        runScript('Jenkinsfile')
    }

    @Test
    void 'a branch build plans every environment with the planner role and never applies'() {
        // Act
        branchBuild('feature/x')

        // Assert
        assert currentBuild.currentResult == 'SUCCESS'
        assert eventsOf('withAWS').collect { it.role }.unique() == ['lakepipe-dev-planner', 'lakepipe-prod-planner']
        assert eventsOf('withAWS').every { it.useNode == true }
        assert ciCalls().collect { it.command }.findAll { it.startsWith('plan ') } == [
            'plan --stack shared-infra --env dev --cost cdktf.out/reviews/cost-dev.md', 'plan --stack sourcing --env dev --cost cdktf.out/reviews/cost-dev.md',
            'plan --stack shared-infra --env prod --cost cdktf.out/reviews/cost-prod.md', 'plan --stack sourcing --env prod --cost cdktf.out/reviews/cost-prod.md',
        ]
        assert !ciCalls().any { it.command =~ /^(apply|record-approval|ephemeral)/ }
        assert !ciCalls().any { it.command.contains('--purpose apply') }
        assert eventsOf('input').isEmpty()
        assert eventsOf('stage-skipped').collect { it.stage } == ['Apply dev', 'Plan prod', 'Approve prod', 'Apply prod']
    }

    @Test
    void 'every plan review carries the cost of its environment, estimated once per environment'() {
        // Act
        branchBuild('feature/x')

        // Assert
        List<String> estimates = shellScripts().findAll { it.contains('lakepipe cost') }
        assert estimates.size() == 2
        assert estimates[0].contains('lakepipe cost --env dev --format markdown')
        assert estimates[1].contains('lakepipe cost --env prod --format markdown')
        assert ciCalls().findAll { it.command.startsWith('plan ') }.every { it.command.contains('--cost cdktf.out/reviews/cost-') }
    }

    @Test
    void 'a failed cost estimate leaves the plan review without it and the build green'() {
        // Arrange
        shell(/lakepipe cost --env dev/, '', 1)

        // Act
        branchBuild('feature/x')

        // Assert
        assert currentBuild.currentResult == 'SUCCESS'
        assert ciCalls().find { it.command.startsWith('plan --stack sourcing --env dev') }.command ==
            'plan --stack sourcing --env dev'
        assert ciCalls().find { it.command.startsWith('plan --stack sourcing --env prod') }.command ==
            'plan --stack sourcing --env prod --cost cdktf.out/reviews/cost-prod.md'
    }

    @Test
    void 'a pull request into main never assumes a deployer role, even when it targets main'() {
        // Arrange
        env.CHANGE_ID = '42'
        env.CHANGE_TARGET = 'main'
        shell(/git merge-base HEAD origin\/main/, 'a'.multiply(40))

        // Act
        branchBuild('PR-42')

        // Assert
        assert !eventsOf('withAWS').any { it.role.contains('deployer') }
        assert !ciCalls().any { it.command.startsWith('apply ') }
        assert eventsOf('withCredentials').size() == 1
        assert shellScripts().contains('git fetch --no-tags origin +refs/heads/main:refs/remotes/origin/main')
    }

    @Test
    void 'a branch named main-like cannot apply either'() {
        // Act
        branchBuild('main-hotfix')

        // Assert
        assert !eventsOf('withAWS').any { it.role.contains('deployer') }
        assert !ciCalls().any { it.command.startsWith('apply ') }
    }

    @Test
    void 'main applies dev, plans prod after it, waits for one approval without an agent, then applies prod'() {
        // Act
        mainBuild()

        // Assert
        assert currentBuild.currentResult == 'SUCCESS'
        List<String> flow = timeline(['stage', 'lock', 'withAWS', 'input', 'unstash', 'stash']).findAll {
            !it.startsWith('withAWS lakepipe-dev-planner') && !it.startsWith('withAWS lakepipe-prod-planner')
        }
        assert flow == [
            'stage Verify and plan',
            'stash plans-dev',
            'stage Apply dev',
            'unstash plans-dev',
            'lock lakepipe-dev-shared-infra',
            'withAWS lakepipe-dev-deployer',
            'lock lakepipe-dev-sourcing',
            'withAWS lakepipe-dev-deployer',
            'withAWS lakepipe-dev-deployer',
            'stage Plan prod',
            'stash plans-prod',
            'stage Approve prod',
            'input lakepipe-prod-approvers',
            'stage Apply prod',
            'unstash plans-prod',
            'lock lakepipe-prod-shared-infra',
            'withAWS lakepipe-prod-deployer',
            'lock lakepipe-prod-sourcing',
            'withAWS lakepipe-prod-deployer',
            'withAWS lakepipe-prod-deployer',
        ]
    }

    @Test
    void 'the prod gate holds no agent, no lock and no AWS session, and shows the reviews'() {
        // Act
        mainBuild()

        // Assert
        List<Map> inputs = eventsOf('input')
        assert inputs.size() == 1
        assert inputs[0].agent == null
        assert inputs[0].locks == []
        assert inputs[0].role == null
        assert inputs[0].message.startsWith('Apply 2 stack(s) to prod?')
        assert inputs[0].message.contains('review of cdktf.out/reviews/shared-infra-prod.md') ||
            inputs[0].message.contains('(no review for shared-infra-prod)')
        assert eventsOf('timeout').find { it.unit == 'DAYS' }.agent == null
        assert eventsOf('milestone').size() == 2
    }

    @Test
    void 'each apply holds its stack lock and the deployer session, and records the commit'() {
        // Act
        mainBuild()

        // Assert
        List<Map> applies = ciCalls().findAll { it.command.startsWith('apply ') }
        assert applies.collect { [it.command, it.locks, it.role, it.agent] } == [
            ["apply --stack shared-infra --env dev --commit ${'c' * 40}", ['lakepipe-dev-shared-infra'], 'lakepipe-dev-deployer', 'lakepipe-deploy'],
            ["apply --stack sourcing --env dev --commit ${'c' * 40}", ['lakepipe-dev-sourcing'], 'lakepipe-dev-deployer', 'lakepipe-deploy'],
            ["apply --stack shared-infra --env prod --commit ${'c' * 40}", ['lakepipe-prod-shared-infra'], 'lakepipe-prod-deployer', 'lakepipe-deploy'],
            ["apply --stack sourcing --env prod --commit ${'c' * 40}", ['lakepipe-prod-sourcing'], 'lakepipe-prod-deployer', 'lakepipe-deploy'],
        ].collect { it.collect { v -> v instanceof GString ? v.toString() : v } }
        assert ciCalls().findAll { it.command.startsWith('record-approval') }.collect { it.command } == [
            "record-approval --env dev --commit ${'c' * 40}".toString(),
            "record-approval --env prod --commit ${'c' * 40}".toString(),
        ]
    }

    @Test
    void 'main applies only the always-on stacks: ephemeral ones are planned and left to the nightly job'() {
        // Arrange
        shell(/affected .* --always-on --format lines/, 'shared-infra dev\nshared-infra prod\n')

        // Act
        mainBuild()

        // Assert
        assert ciCalls().findAll { it.command.startsWith('apply ') }.collect { it.command.split(' --commit')[0] } == [
            'apply --stack shared-infra --env dev', 'apply --stack shared-infra --env prod',
        ]
        assert ciCalls().any { it.command == 'plan --stack sourcing --env prod --cost cdktf.out/reviews/cost-prod.md' }
    }

    @Test
    void 'the first build of main compares with no base, so every stack is deployed'() {
        // Arrange
        env.BRANCH_NAME = 'main'
        env.GIT_COMMIT = 'c'.multiply(40)
        affectedStacks(AFFECTED)

        // Act
        runScript('Jenkinsfile')

        // Assert
        assert ciCalls().any { it.command == "affected --base '' --head HEAD --format lines" }
        assert shellScripts().contains('npx --no-install nx run-many -t lint typecheck test --outputStyle=stream')
        assert !shellScripts().any { it.startsWith('git merge-base') }
    }

    @Test
    void 'a blocked review stops the build before anything applies'() {
        // Arrange
        shell(/plan --stack sourcing --env dev/, '', 2)

        // Act
        mainBuild()

        // Assert
        assert currentBuild.currentResult == 'FAILURE'
        assert failure.message.startsWith('plan review blocked sourcing-dev')
        assert !ciCalls().any { it.command.startsWith('apply ') }
    }
}
