import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadEnvConfig } from '@lakepipe/constructs';
import { ledgerKeys, type RecoveryTarget, runLedgerTask } from '@lakepipe/ledger';
import {
  createLedgerTable,
  dynamoClientFor,
  dynamoDocumentClientFor,
  LOCAL_CREDENTIALS,
  uniqueTableName,
} from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import {
  type CompileTarget,
  compilePipeline,
  createStageRegistry,
  localExecutionContext,
  parsePipeline,
} from '@lakepipe/workflow';
import { StateMachine } from 'aws-local-stepfunctions';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ExecutionEventError } from '../errors';
import { OrchestrationStack } from '../orchestration-stack';
import { standInStageTypes } from '../test-fixtures/stage-types';
import { closeStoppedExecution } from './close-execution';
import { createExecutionCloser } from './handler';
import { EXECUTION_STATUS_CHANGE } from './stopped-execution';

const REGION = 'eu-west-1';
const ACCOUNT = '111111111111';
const MACHINE = 'lakepipe-dev-closer-test';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`;
const RUN_ID = '20261130T120000Z-4d5e6f';

const PIPELINE = `
name: closer-test
datasets:
  orders:
    source: { type: s3, prefix: landing/orders/ }
    columns:
      order_id: { type: string, required: true }
stages:
  source: { type: sourcing }
  etl: { type: spark-etl }
defaults:
  retry: { maxAttempts: 0 }
flow: [source, etl]
`;

/** A promise and the function that settles it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The ledger on DynamoDB Local, one table per test. */
async function freshLedger(): Promise<RecoveryTarget & { raw: DynamoDBClient }> {
  const tableName = uniqueTableName('closer');
  const client = dynamoDocumentClientFor(dynamoDbEndpoint());
  await createLedgerTable(client, tableName);
  return { client, tableName, raw: dynamoClientFor(dynamoDbEndpoint()) };
}

/**
 * One execution of the compiled state machine on aws-local-stepfunctions, its ledger tasks sent
 * verbatim to DynamoDB Local: `source` succeeds; `etl` waits until the test lets it finish
 * (`finishEtl`) or fail (`failEtl`), or stops the execution (`stop`), as StopExecution does.
 */
function startExecution(ledger: Awaited<ReturnType<typeof freshLedger>>, input: Record<string, unknown>) {
  const target: CompileTarget = {
    env: 'dev',
    accountId: ACCOUNT,
    region: REGION,
    resourceName: (component) => `lakepipe-dev-${component}`,
    lakeBucket: 'lakepipe-dev-lake',
    ledgerTable: ledger.tableName,
    errorTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:lakepipe-dev-errors`,
  };
  const registry = createStageRegistry(standInStageTypes);
  const compiled = compilePipeline(parsePipeline(PIPELINE, { registry }), registry, target);
  const etlEntered = deferred();
  const etl = deferred<Record<string, unknown>>();
  const handlers: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {};
  for (const [name, binding] of Object.entries(compiled.bindings)) {
    if (binding.kind === 'ledger') {
      const api = binding.api;
      handlers[name] = (parameters) => runLedgerTask(ledger.raw, api, parameters);
    } else if (binding.kind === 'manifest') handlers[name] = async () => ({ Body: '{"counts":{}}' });
    else if (binding.kind === 'notify') handlers[name] = async () => ({ MessageId: 'm' });
    else if (binding.stageId === 'etl')
      handlers[name] = () => {
        etlEntered.resolve();
        return etl.promise;
      };
    else handlers[name] = async () => ({ Payload: {} });
  }
  const name = `execution-${Math.random().toString(36).slice(2, 10)}`;
  const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:${name}`;
  const machine = new StateMachine(compiled.definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { ...localExecutionContext(), Execution: { Id: executionArn, Name: name } } as never,
  });
  const ended = execution.result.then(
    () => 'SUCCEEDED',
    (error: Error) => (error.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED'),
  );
  return {
    executionArn,
    name,
    // an execution that ends before etl runs fails the test here instead of hanging it
    etlEntered: () =>
      Promise.race([
        etlEntered.promise,
        execution.result.then(
          () => {
            throw new Error('the execution SUCCEEDED before etl ran');
          },
          (error: Error & { cause?: Error }) => {
            throw new Error(
              `the execution ended before etl ran: ${error.cause?.name} ${error.cause?.message}`,
            );
          },
        ),
      ]),
    finishEtl: () => etl.resolve({ Payload: {} }),
    failEtl: () => etl.reject(Object.assign(new Error('the job failed'), { name: 'Glue.JobRunFailed' })),
    stop: () => execution.abort(),
    ended,
  };
}

/** The EventBridge event Step Functions sends when an execution ends, as the rule delivers it. */
function statusChange(
  execution: { executionArn: string; name: string },
  status: string,
  extra: Record<string, unknown> = {},
) {
  return {
    version: '0',
    id: 'c3b4a1a2-0000-4000-8000-000000000001',
    'detail-type': EXECUTION_STATUS_CHANGE,
    source: 'aws.states',
    account: ACCOUNT,
    time: '2026-11-30T12:05:00Z',
    region: REGION,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: MACHINE_ARN,
      name: execution.name,
      status,
      startDate: 1_796_040_000_000,
      stopDate: 1_796_040_300_000,
      input: '{}',
      output: null,
      inputDetails: { included: true },
      outputDetails: null,
      error: null,
      cause: null,
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
      ...extra,
    },
  };
}

/** Every item of the run's partition, by SK (the run, its stage summaries and attempts). */
async function runPartition(ledger: RecoveryTarget, runId = RUN_ID) {
  const { Items } = await ledger.client.send(
    new QueryCommand({
      TableName: ledger.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': ledgerKeys.run(runId).PK },
      ConsistentRead: true,
    }),
  );
  return Object.fromEntries((Items ?? []).map((item) => [item.SK as string, item]));
}

describe('the execution closer', () => {
  it('the compiled state machine maps its execution to the run before starting it', async () => {
    // Arrange
    const ledger = await freshLedger();
    const execution = startExecution(ledger, { runId: RUN_ID });

    // Act
    await execution.etlEntered();
    const items = await runPartition(ledger);
    const { Items: byExecution } = await ledger.client.send(
      new QueryCommand({
        TableName: ledger.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `EXEC#${execution.executionArn}` },
        ConsistentRead: true,
      }),
    );
    execution.finishEtl();
    await execution.ended;

    // Assert
    expect(byExecution).toEqual([
      expect.objectContaining({
        PK: `EXEC#${execution.executionArn}`,
        SK: 'EXEC',
        type: 'EXEC',
        execution: execution.executionArn,
        runId: RUN_ID,
      }),
    ]);
    expect(items.RUN).toMatchObject({ status: 'RUNNING', execution: execution.executionArn });
  });

  it.each(['ABORTED', 'TIMED_OUT'])(
    'marks the run and its running attempt ABORTED when the execution ends %s, and a redelivery changes nothing',
    async (status) => {
      // Arrange: the execution is stopped while etl runs
      const ledger = await freshLedger();
      const execution = startExecution(ledger, { runId: RUN_ID });
      await execution.etlEntered();
      execution.stop();
      expect(await execution.ended).toBe('ABORTED');
      const closer = createExecutionCloser(() => ledger);

      // Act
      const closed = await closer(statusChange(execution, status));
      const after = await runPartition(ledger);
      const redelivered = await closer(statusChange(execution, status));

      // Assert
      expect(closed).toEqual({
        executionArn: execution.executionArn,
        status,
        runId: RUN_ID,
        outcome: 'aborted',
        items: ['etl', 'etl#1'],
      });
      expect(after.RUN).toMatchObject({
        status: 'ABORTED',
        error: {
          name: 'Aborted',
          cause: expect.stringContaining(`Step Functions execution ${execution.name}`),
        },
        finishedAt: expect.any(String),
      });
      expect(after['STAGE#etl#1']).toMatchObject({ status: 'ABORTED', error: { name: 'Aborted' } });
      expect(after['STAGE#etl']).toMatchObject({ status: 'ABORTED' });
      expect(after['STAGE#source#1']).toMatchObject({ status: 'SUCCEEDED' });
      expect(after['STAGE#source']).toMatchObject({ status: 'SUCCEEDED' });
      expect(redelivered).toEqual({ ...closed, outcome: 'not-running', items: [] });
      expect(await runPartition(ledger)).toEqual(after);
    },
  );

  it('closes a run whose execution FAILED outside the failure path (States.Runtime), saying so', async () => {
    // Arrange: the execution ends while etl runs, its failure path never reached (as a States.Runtime error ends it)
    const ledger = await freshLedger();
    const execution = startExecution(ledger, { runId: RUN_ID });
    await execution.etlEntered();
    execution.stop();
    await execution.ended;
    const event = statusChange(execution, 'FAILED', {
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'etl.invoke'.",
    });

    // Act
    const closed = await closeStoppedExecution(ledger, event);

    // Assert
    expect(closed).toMatchObject({ outcome: 'aborted', items: ['etl', 'etl#1'] });
    expect((await runPartition(ledger)).RUN!.error).toEqual({
      name: 'Aborted',
      cause: `the Step Functions execution ${execution.name} failed outside the pipeline's failure path (FAILED): States.Runtime: An error occurred while executing the state 'etl.invoke'.`,
    });
  });

  it('does not touch a run that succeeded, nor one the failure path marked FAILED', async () => {
    // Arrange
    const ledger = await freshLedger();
    const succeeded = startExecution(ledger, { runId: RUN_ID });
    await succeeded.etlEntered();
    succeeded.finishEtl();
    expect(await succeeded.ended).toBe('SUCCEEDED');
    const failedRunId = '20261130T120100Z-7a8b9c';
    const failed = startExecution(ledger, { runId: failedRunId });
    await failed.etlEntered();
    failed.failEtl();
    expect(await failed.ended).toBe('FAILED');
    const before = [await runPartition(ledger), await runPartition(ledger, failedRunId)];

    // Act
    const onSucceeded = await closeStoppedExecution(ledger, statusChange(succeeded, 'ABORTED'));
    const onFailed = await closeStoppedExecution(
      ledger,
      statusChange(failed, 'FAILED', { error: 'Glue.JobRunFailed', cause: 'the job failed' }),
    );

    // Assert
    expect(onSucceeded).toMatchObject({ runId: RUN_ID, outcome: 'not-running', items: [] });
    expect(onFailed).toMatchObject({ runId: failedRunId, outcome: 'not-running', items: [] });
    expect(before[0]!.RUN).toMatchObject({ status: 'SUCCEEDED' });
    expect(before[1]!.RUN).toMatchObject({ status: 'FAILED' });
    expect([await runPartition(ledger), await runPartition(ledger, failedRunId)]).toEqual(before);
  });

  it('leaves a run its redrive is running alone when the first execution’s event comes again', async () => {
    // Arrange: the first execution is stopped and closed; a redrive (a new execution) runs etl again
    const ledger = await freshLedger();
    const first = startExecution(ledger, { runId: RUN_ID });
    await first.etlEntered();
    first.stop();
    await first.ended;
    await closeStoppedExecution(ledger, statusChange(first, 'ABORTED'));
    const redrive = startExecution(ledger, { runId: RUN_ID, redrive: true });
    await redrive.etlEntered();

    // Act
    const late = await closeStoppedExecution(ledger, statusChange(first, 'ABORTED'));
    const whileRedriving = await runPartition(ledger);
    redrive.stop();
    await redrive.ended;
    const closed = await closeStoppedExecution(ledger, statusChange(redrive, 'TIMED_OUT'));

    // Assert
    expect(late).toMatchObject({ runId: RUN_ID, outcome: 'superseded', items: [] });
    expect(whileRedriving.RUN).toMatchObject({ status: 'RUNNING', redrives: 1 });
    expect(whileRedriving.RUN).toMatchObject({ execution: redrive.executionArn });
    expect(whileRedriving['STAGE#etl#2']).toMatchObject({ status: 'RUNNING' });
    expect(closed).toMatchObject({ runId: RUN_ID, outcome: 'aborted', items: ['etl', 'etl#2'] });
    expect((await runPartition(ledger)).RUN).toMatchObject({ status: 'ABORTED' });
  });

  it('an execution that never took its run (a redrive of a run still RUNNING) neither fails nor closes it', async () => {
    // Arrange: a redrive is started while the first execution still runs etl; Restart run refuses it
    const ledger = await freshLedger();
    const first = startExecution(ledger, { runId: RUN_ID });
    await first.etlEntered();
    const second = startExecution(ledger, { runId: RUN_ID, redrive: true });
    expect(await second.ended).toBe('FAILED');
    const before = await runPartition(ledger);

    // Act
    const closed = await closeStoppedExecution(ledger, statusChange(second, 'FAILED'));
    const after = await runPartition(ledger);
    first.stop();
    await first.ended;
    const firstClosed = await closeStoppedExecution(ledger, statusChange(first, 'ABORTED'));

    // Assert: the refused execution neither marked the run FAILED nor can close it; the first one can
    expect(before.RUN).toMatchObject({ status: 'RUNNING', execution: first.executionArn });
    expect(closed).toMatchObject({ runId: RUN_ID, outcome: 'superseded', items: [] });
    expect(after).toEqual(before);
    expect(firstClosed).toMatchObject({ outcome: 'aborted', items: ['etl', 'etl#1'] });
  });

  it('the bundle the stack deploys closes a stopped run, configured only by its environment', async () => {
    // Arrange: the Lambda's own esbuild bundle, pointed at DynamoDB Local as AWS would point it at the table
    const ledger = await freshLedger();
    const registry = createStageRegistry(standInStageTypes);
    const stack = new OrchestrationStack(Testing.app(), 'orchestration', {
      config: loadEnvConfig('dev'),
      pipeline: parsePipeline(PIPELINE, { registry }),
      stageTypes: standInStageTypes,
    });
    const execution = startExecution(ledger, { runId: RUN_ID });
    await execution.etlEntered();
    execution.stop();
    await execution.ended;
    Object.assign(process.env, {
      LEDGER_TABLE_NAME: ledger.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint(),
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });

    // Act
    const bundled = await import(pathToFileURL(path.join(stack.executionCloser.bundleDir, 'index.mjs')).href);
    const closed = await bundled.handler(statusChange(execution, 'ABORTED'));

    // Assert
    expect(closed).toMatchObject({ runId: RUN_ID, outcome: 'aborted', items: ['etl', 'etl#1'] });
    expect((await runPartition(ledger)).RUN).toMatchObject({ status: 'ABORTED' });
  });

  it('says so for an execution that never recorded a run, and ignores a status it does not act on', async () => {
    // Arrange
    const ledger = await freshLedger();
    const stranger = {
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:never-started`,
      name: 'never-started',
    };

    // Act
    const unknown = await closeStoppedExecution(ledger, statusChange(stranger, 'ABORTED'));
    const ignored = await closeStoppedExecution(ledger, statusChange(stranger, 'SUCCEEDED'));

    // Assert
    expect(unknown).toEqual({
      executionArn: stranger.executionArn,
      status: 'ABORTED',
      outcome: 'unknown-execution',
      items: [],
    });
    expect(ignored).toMatchObject({ outcome: 'ignored' });
  });

  it('rejects an event that is not an execution status change, naming the field and the value', async () => {
    // Arrange
    const ledger = await freshLedger();
    const event = statusChange({ executionArn: 'not-an-arn', name: 'x' }, 'ABORTED', {});
    const glue = { ...event, source: 'aws.glue' };

    // Act
    const act = (input: unknown) => closeStoppedExecution(ledger, input);

    // Assert
    await expect(act(event)).rejects.toThrow(ExecutionEventError);
    await expect(act(event)).rejects.toThrow(
      'detail.executionArn must be an execution ARN (got "not-an-arn")',
    );
    await expect(act(glue)).rejects.toThrow('source Invalid input: expected "aws.states" (got "aws.glue")');
  });
});
