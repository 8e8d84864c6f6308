import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deployEphemeral,
  destroyEphemeral,
  type EphemeralOptions,
  ephemeralCycle,
  ephemeralTargets,
  runPipeline,
  startPipeline,
  stopExecution,
  waitForExecution,
} from './ephemeral';
import { PipelineRunError, PlanBlockedError } from './errors';
import { processRunner } from './exec';
import { type StubExecutionScript, startSfnStub } from './sfn-stub';
import { loadDeliveryEnvConfig } from './stack-catalog';
import {
  deliveryWorkspace,
  fakeTerraform,
  fakeTerraformEnv,
  onDemandTestCatalog as testCatalog,
} from './test-workspace';

const ephemeralStacks = [
  'orchestration-dev',
  'ledger-api-dev',
  'sourcing-dev',
  'spark-etl-dev',
  'sagemaker-scoring-dev',
  'view-dev',
];
const stubs: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

async function setup(script: StubExecutionScript, plans: Record<string, string> = {}, fail?: string) {
  const root = deliveryWorkspace(testCatalog.map((entry) => `${entry.id}-dev`));
  const tf = fakeTerraformEnv(root, { default: 'compute-destroy.json', ...plans }, fail);
  const stub = await startSfnStub(script);
  stubs.push(stub);
  const log: string[] = [];
  const options: EphemeralOptions = {
    workspaceRoot: root,
    env: 'dev',
    config: loadDeliveryEnvConfig(root, 'dev'),
    catalog: testCatalog,
    runner: processRunner({ env: tf.env, log: () => undefined }),
    terraformBin: fakeTerraform,
    sfn: () =>
      new SFNClient({
        region: 'eu-west-1',
        endpoint: stub.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
    runId: '20261126T020000Z-a1b2c3',
    pollIntervalMs: 5,
    log: (line) => log.push(line),
  };
  return { options, tf, stub, log };
}

/** `<stack> <subcommand>` for every terraform call. */
const steps = (calls: readonly string[]) => calls.map((call) => call.split(' ').slice(0, 2).join(' '));

describe('ephemeralTargets', () => {
  it('takes only the stacks the catalog marks ephemeral, never shared storage', () => {
    // Act
    const targets = ephemeralTargets(testCatalog, 'prod').map((t) => t.stackName);

    // Assert
    expect(targets).toEqual(ephemeralStacks.map((name) => name.replace(/-dev$/, '-prod')));
    expect(targets).not.toContain('shared-infra-prod');
    expect(targets).not.toContain('view-catalog-prod');
  });
});

describe('deployEphemeral', () => {
  it('plans, reviews and applies each compute stack in catalog order', async () => {
    // Arrange
    const { options, tf } = await setup(
      { runningPolls: 0, status: 'SUCCEEDED' },
      { default: 'sourcing-create.json' },
    );

    // Act
    const deployed = await deployEphemeral(options);

    // Assert
    expect(deployed).toEqual(ephemeralStacks);
    expect(steps(tf.calls()).filter((s) => s.endsWith(' apply'))).toEqual(
      ephemeralStacks.map((s) => `${s} apply`),
    );
  });
});

describe('runPipeline', () => {
  it('starts the state machine with the run id as execution name and waits until it succeeds', async () => {
    // Arrange
    const { options, stub } = await setup({
      runningPolls: 3,
      status: 'SUCCEEDED',
      output: { view: { views: ['bench_tests_latest'] } },
    });

    // Act
    const result = await runPipeline(options);

    // Assert
    expect(result).toEqual({
      runId: '20261126T020000Z-a1b2c3',
      executionArn:
        'arn:aws:states:eu-west-1:111111111111:execution:lakepipe-dev-bench-quality:20261126T020000Z-a1b2c3',
      status: 'SUCCEEDED',
      output: { view: { views: ['bench_tests_latest'] } },
    });
    expect(stub.calls[0]).toEqual({
      operation: 'StartExecution',
      body: {
        stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:lakepipe-dev-bench-quality',
        name: '20261126T020000Z-a1b2c3',
        input: '{"runId":"20261126T020000Z-a1b2c3","trigger":"jenkins-ephemeral"}',
      },
    });
    expect(stub.calls.filter((c) => c.operation === 'DescribeExecution')).toHaveLength(4);
  });

  it('fails with the execution error and cause when the pipeline fails', async () => {
    // Arrange
    const { options } = await setup({
      runningPolls: 1,
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: 'spark-etl: rejectedRatio 0.4 > 0.05',
    });

    // Act
    const act = runPipeline(options);

    // Assert
    await expect(act).rejects.toThrow(PipelineRunError);
    await expect(act).rejects.toThrow(
      'pipeline execution arn:aws:states:eu-west-1:111111111111:execution:lakepipe-dev-bench-quality:20261126T020000Z-a1b2c3 ended FAILED: States.TaskFailed: spark-etl: rejectedRatio 0.4 > 0.05',
    );
  });

  it('stops an execution that outlives the timeout', async () => {
    // Arrange
    const { options, stub } = await setup({ runningPolls: 1_000, status: 'SUCCEEDED' });

    // Act
    const act = runPipeline({ ...options, timeoutMs: 30 });

    // Assert
    await expect(act).rejects.toThrow(/ended TIMED_OUT: still running after 30 ms; stopped/);
    expect(stub.calls.at(-1)?.operation).toBe('StopExecution');
  });
});

describe('start, wait and stop (Jenkins waits across credential sessions)', () => {
  it('returns RUNNING when the wait window ends first, then the result on a later wait', async () => {
    // Arrange
    const { options } = await setup({ runningPolls: 4, status: 'SUCCEEDED' });
    const { executionArn } = await startPipeline(options);

    // Act
    const first = await waitForExecution({ ...options, pollIntervalMs: 1 }, executionArn, 0);
    const later = await waitForExecution(options, executionArn, 60_000);

    // Assert
    expect(first).toEqual({ executionArn, status: 'RUNNING' });
    expect(later).toMatchObject({ executionArn, status: 'SUCCEEDED', runId: '20261126T020000Z-a1b2c3' });
  });

  it('stops an execution with a cause', async () => {
    // Arrange
    const { options, stub } = await setup({ runningPolls: 100, status: 'SUCCEEDED' });
    const { executionArn } = await startPipeline(options);

    // Act
    await stopExecution(options, executionArn, 'the Jenkins job was aborted');

    // Assert
    expect(stub.calls.at(-1)).toEqual({
      operation: 'StopExecution',
      body: { executionArn, error: 'lakepipe.Stopped', cause: 'the Jenkins job was aborted' },
    });
  });

  it('stops the execution when waiting itself fails (expired credentials, network)', async () => {
    // Arrange: the second client (the wait) cannot reach Step Functions
    const { options, stub } = await setup({ runningPolls: 100, status: 'SUCCEEDED' });
    let clients = 0;
    const broken = new SFNClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const flaky = { ...options, sfn: () => (++clients === 2 ? broken : options.sfn()) };

    // Act
    const act = runPipeline(flaky);

    // Assert
    await expect(act).rejects.toThrow();
    expect(stub.calls.map((c) => c.operation)).toEqual(['StartExecution', 'StopExecution']);
    expect(String(stub.calls[1]?.body.cause)).toMatch(/^the ephemeral job failed while waiting: /);
  });
});

describe('destroyEphemeral', () => {
  it('refuses a destroy that would delete a log group: logs outlive every deploy', async () => {
    // Arrange
    const { options, tf } = await setup(
      { runningPolls: 0, status: 'SUCCEEDED' },
      { 'view-dev': 'view-destroy.json' },
    );

    // Act
    const act = destroyEphemeral(options);

    // Assert
    await expect(act).rejects.toThrow(
      'plan of view-dev is blocked:\n  - delete of aws_cloudwatch_log_group.view_handler_logs_5E6F7081: CloudWatch log group (its log events are lost)',
    );
    expect(tf.calls()).not.toContain('view-dev apply -input=false -no-color -lock-timeout=5m destroy.tfplan');
  });

  it('destroys the compute stacks newest first through reviewed destroy plans', async () => {
    // Arrange
    const { options, tf } = await setup({ runningPolls: 0, status: 'SUCCEEDED' });

    // Act
    const destroyed = await destroyEphemeral(options);

    // Assert
    expect(destroyed).toEqual([...ephemeralStacks].reverse());
    expect(steps(tf.calls()).slice(0, 4)).toEqual([
      'view-dev init',
      'view-dev plan',
      'view-dev show',
      'view-dev apply',
    ]);
    expect(tf.calls()[1]).toBe(
      'view-dev plan -destroy -input=false -no-color -lock-timeout=5m -out=destroy.tfplan',
    );
    expect(
      tf.calls().some((call) => call.startsWith('shared-infra-dev') || call.startsWith('view-catalog-dev')),
    ).toBe(false);
  });

  it('refuses a destroy plan that would delete stateful resources, and still destroys the other stacks', async () => {
    // Arrange
    const { options, tf, log } = await setup(
      { runningPolls: 0, status: 'SUCCEEDED' },
      { 'sourcing-dev': 'misplaced-destroy.json' },
    );

    // Act
    const act = destroyEphemeral(options);

    // Assert
    await expect(act).rejects.toThrow(PlanBlockedError);
    const applied = steps(tf.calls()).filter((s) => s.endsWith(' apply'));
    expect(applied).toEqual([
      'view-dev apply',
      'sagemaker-scoring-dev apply',
      'spark-etl-dev apply',
      'ledger-api-dev apply',
      'orchestration-dev apply',
    ]);
    expect(
      log.some((line) => line.startsWith('destroy of sourcing-dev failed: plan of sourcing-dev is blocked')),
    ).toBe(true);
  });
});

describe('ephemeralCycle', () => {
  it('deploys, runs, then destroys the compute', async () => {
    // Arrange
    const { options, tf } = await setup(
      { runningPolls: 2, status: 'SUCCEEDED' },
      { default: 'sourcing-create.json' },
    );

    // Act
    const result = await ephemeralCycle(options);

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    const applies = steps(tf.calls()).filter((s) => s.endsWith(' apply'));
    expect(applies).toHaveLength(12);
    expect(tf.calls().at(-1)).toBe(
      'orchestration-dev apply -input=false -no-color -lock-timeout=5m destroy.tfplan',
    );
  });

  it('destroys the compute even when the pipeline fails, then reports the failure', async () => {
    // Arrange
    const { options, tf } = await setup(
      { runningPolls: 0, status: 'FAILED', error: 'States.Timeout' },
      { default: 'sourcing-create.json' },
    );

    // Act
    const act = ephemeralCycle(options);

    // Assert
    await expect(act).rejects.toThrow(/ended FAILED: States.Timeout/);
    expect(
      tf.calls().filter((call) => call.endsWith('destroy.tfplan') && call.includes(' apply ')),
    ).toHaveLength(6);
  });

  it('destroys what was deployed when the deploy itself fails halfway', async () => {
    // Arrange
    const { options, tf, stub } = await setup(
      { runningPolls: 0, status: 'SUCCEEDED' },
      { default: 'sourcing-create.json' },
      'spark-etl-dev apply',
    );

    // Act
    const act = ephemeralCycle(options);

    // Assert
    await expect(act).rejects.toThrow(/terraform apply .* exited with 1/);
    expect(stub.calls).toEqual([]);
    expect(
      tf
        .calls()
        .filter((call) => call.endsWith('apply -input=false -no-color -lock-timeout=5m destroy.tfplan')),
    ).toHaveLength(6);
  });
});
