package lakepipe

/**
 * A small interpreter of declarative pipelines for JenkinsPipelineUnit 1.1 (which runs scripted code
 * only): it reads `pipeline { ... }` into stages, agents, `when`, `options` and `post`, then runs it the
 * way Jenkins does - stages in order, each on its own agent or none, a failure skipping the stages
 * after it, then `post` by the build's result. Steps run as ordinary method calls on the script, so
 * JenkinsPipelineUnit intercepts and records every one.
 */
class Declarative {
    final LakepipePipelineTest test

    Declarative(LakepipePipelineTest test) {
        this.test = test
    }

    void run(Closure body) {
        PipelineSpec spec = new PipelineSpec(test)
        test.configure(body, spec)
        test.events << [step: 'pipeline']
        boolean failed = false
        try {
            test.withAgent(spec.agent) {
                runStages(spec.stages, spec.agent)
            }
        } catch (Exception err) {
            failed = true
            test.failure = err
            test.markFailed(err)
        }
        test.withAgent(spec.agent) {
            runPost(spec.post)
        }
        if (failed) {
            test.events << [step: 'pipeline-failed', error: String.valueOf(test.failure?.message)]
            // the build log's last line: what a reader of a failing test needs first
            System.err.println("pipeline failed: ${test.failure}")
        }
    }

    void runStages(List<StageSpec> stages, Object inherited) {
        for (StageSpec stage in stages) {
            runStage(stage, inherited)
        }
    }

    void runStage(StageSpec stage, Object inherited) {
        if (stage.when != null && !stage.when.holds()) {
            test.events << [step: 'stage-skipped', stage: stage.name]
            return
        }
        Object agent = stage.agent != null ? stage.agent : inherited
        test.events << [step: 'stage', stage: stage.name, agent: test.labelOf(agent)]
        test.withAgent(agent) {
            Exception failure = null
            try {
                test.withStageOptions(stage.options) {
                    if (stage.steps != null) {
                        stage.steps.call()
                    }
                    if (stage.stages) {
                        runStages(stage.stages, agent)
                    }
                }
            } catch (Exception err) {
                failure = err
                test.markFailed(err)
            }
            runPost(stage.post)
            if (failure != null) {
                throw failure
            }
        }
    }

    void runPost(Map<String, Closure> post) {
        String result = test.currentBuild.currentResult
        List<String> order = ['always', 'success', 'failure', 'unsuccessful', 'aborted', 'cleanup']
        for (String condition in order) {
            Closure block = post[condition]
            boolean applies = condition == 'always' || condition == 'cleanup' ||
                (condition == 'success' && result == 'SUCCESS') ||
                (condition == 'failure' && result == 'FAILURE') ||
                (condition == 'aborted' && result == 'ABORTED') ||
                (condition == 'unsuccessful' && result != 'SUCCESS')
            if (block != null && applies) {
                test.events << [step: 'post', condition: condition]
                block.call()
            }
        }
    }
}

/** `agent { label 'x' }`, `agent none`, `agent any`. */
class AgentSpec {
    String label

    void label(String value) {
        label = value
    }
}

/** Directives shared by `pipeline` and `stage`. */
class SectionSpec {
    final LakepipePipelineTest test
    Object agent
    List<Map> options = []
    List<StageSpec> stages = []
    Map<String, Closure> post = [:]

    SectionSpec(LakepipePipelineTest test) {
        this.test = test
    }

    String getNone() {
        return 'none'
    }

    String getAny() {
        return 'any'
    }

    void agent(String kind) {
        agent = kind
    }

    void agent(Closure body) {
        AgentSpec spec = new AgentSpec()
        test.configure(body, spec)
        agent = spec
    }

    void options(Closure body) {
        Recorder recorder = new Recorder()
        test.configure(body, recorder)
        options.addAll(recorder.calls)
    }

    void environment(Closure body) {
        test.configure(body, new EnvironmentSpec(test))
    }

    void stages(Closure body) {
        StagesSpec spec = new StagesSpec(test)
        test.configure(body, spec)
        stages.addAll(spec.stages)
    }

    void post(Closure body) {
        PostSpec spec = new PostSpec()
        test.configure(body, spec)
        post.putAll(spec.blocks)
    }
}

class PipelineSpec extends SectionSpec {
    List<Map> parameters = []
    List<Map> triggers = []

    PipelineSpec(LakepipePipelineTest test) {
        super(test)
    }

    void parameters(Closure body) {
        Recorder recorder = new Recorder()
        test.configure(body, recorder)
        parameters.addAll(recorder.calls)
        test.pipelineParameters.addAll(recorder.calls)
        for (Map call in recorder.calls) {
            Map definition = call.args[0] as Map
            if (!test.params.containsKey(definition.name)) {
                Object value = definition.containsKey('defaultValue') ? definition.defaultValue : definition.choices?.getAt(0)
                test.params[definition.name] = value
            }
        }
    }

    void triggers(Closure body) {
        Recorder recorder = new Recorder()
        test.configure(body, recorder)
        triggers.addAll(recorder.calls)
        test.pipelineTriggers.addAll(recorder.calls)
    }
}

class StageSpec extends SectionSpec {
    final String name
    Closure steps
    WhenSpec when

    StageSpec(LakepipePipelineTest test, String name) {
        super(test)
        this.name = name
    }

    void steps(Closure body) {
        steps = body
    }

    void when(Closure body) {
        WhenSpec spec = new WhenSpec(test)
        test.configure(body, spec)
        when = spec
    }
}

class StagesSpec {
    final LakepipePipelineTest test
    List<StageSpec> stages = []

    StagesSpec(LakepipePipelineTest test) {
        this.test = test
    }

    void stage(String name, Closure body) {
        StageSpec spec = new StageSpec(test, name)
        test.configure(body, spec)
        stages << spec
    }
}

/** `when`: every condition must hold (declarative's implicit allOf). */
class WhenSpec {
    final LakepipePipelineTest test
    List<Closure> conditions = []

    WhenSpec(LakepipePipelineTest test) {
        this.test = test
    }

    void branch(String pattern) {
        conditions << { -> test.env.BRANCH_NAME == pattern }
    }

    void expression(Closure body) {
        conditions << { -> body.call() as boolean }
    }

    void beforeAgent(boolean value) {
        // evaluated before the agent either way here
    }

    void not(Closure body) {
        WhenSpec inner = new WhenSpec(test)
        test.configure(body, inner)
        conditions << { -> !inner.holds() }
    }

    void allOf(Closure body) {
        WhenSpec inner = new WhenSpec(test)
        test.configure(body, inner)
        conditions << { -> inner.holds() }
    }

    void anyOf(Closure body) {
        WhenSpec inner = new WhenSpec(test)
        test.configure(body, inner)
        conditions << { -> inner.conditions.any { Closure c -> c.call() } }
    }

    boolean holds() {
        return conditions.every { Closure c -> c.call() }
    }
}

class PostSpec {
    Map<String, Closure> blocks = [:]

    void always(Closure body) { blocks.always = body }
    void success(Closure body) { blocks.success = body }
    void failure(Closure body) { blocks.failure = body }
    void unsuccessful(Closure body) { blocks.unsuccessful = body }
    void aborted(Closure body) { blocks.aborted = body }
    void cleanup(Closure body) { blocks.cleanup = body }
}

/** `environment { NAME = value }` sets build variables; other names read the script's (params, env). */
class EnvironmentSpec {
    final LakepipePipelineTest test

    EnvironmentSpec(LakepipePipelineTest test) {
        this.test = test
    }

    void propertyMissing(String name, Object value) {
        test.env[name] = String.valueOf(value)
    }

    Object propertyMissing(String name) {
        return test.binding.getVariable(name)
    }
}

/** Records every call (options, parameters, triggers, Job DSL): name, arguments, nested calls. */
class Recorder {
    List<Map> calls = []

    Object methodMissing(String name, Object args) {
        List<Object> list = (args as Object[]) as List
        Map call = [name: name, args: list.findAll { !(it instanceof Closure) }, children: []]
        Closure body = list.find { it instanceof Closure } as Closure
        if (body != null) {
            Recorder inner = new Recorder()
            body.delegate = inner
            body.resolveStrategy = Closure.DELEGATE_FIRST
            body.call()
            call.children = inner.calls
        }
        calls << call
        return call
    }

    Object propertyMissing(String name) {
        return name
    }
}
