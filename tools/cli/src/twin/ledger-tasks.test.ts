import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { newRunId } from '@lakepipe/lake';
import { runLedgerTask } from '@lakepipe/ledger';
import { LedgerSeeder } from '@lakepipe/ledger/test-support';
import {
  attemptFailedTask,
  attemptSucceededTask,
  LEDGER_RESOURCES,
  type LedgerApiCall,
  type LedgerTask,
  localExecutionContext,
  recordAttemptTask,
  runSucceededTask,
  startAttemptTask,
  startRunTask,
} from '@lakepipe/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@lakepipe/workflow/polyfills';
import { type LocalLedger, openLocalLedger } from './local-ledger';

const workspaceRoot = path.resolve(__dirname, '../../../..');

/** A Task state running one ledger task, as the compiler emits it. */
function taskState(
  task: LedgerTask,
  next: string | undefined,
  resultPath: string | null = null,
): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: LEDGER_RESOURCES[task.api],
    Parameters: task.parameters,
    ...(task.resultSelector ? { ResultSelector: task.resultSelector } : {}),
    ResultPath: resultPath,
    ...(next === undefined ? { End: true } : { Next: next }),
  };
}

/** The run's items in its partition (run, summaries, attempts), with the run id and clock taken out. */
async function runItems(local: LocalLedger, runId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await local.documents.send(
    new QueryCommand({
      TableName: local.tableName,
      KeyConditionExpression: 'PK = :pk AND SK >= :run',
      ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':run': 'RUN' },
      ConsistentRead: true,
    }),
  );
  const timeFields = new Set(['startedAt', 'finishedAt', 'updatedAt']);
  return Items.map((item) =>
    Object.fromEntries(
      Object.entries(item)
        // the execution that ran it: the seeded run has none
        .filter(([name]) => name !== 'execution')
        .map(([name, value]) => [
          name,
          timeFields.has(name) ? '<time>' : JSON.parse(JSON.stringify(value).replaceAll(runId, '<run>')),
        ]),
    ),
  );
}

describe('the state machine ledger tasks and LedgerSeeder', () => {
  let local: LocalLedger;

  beforeAll(async () => {
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    const lake = mkdtempSync(path.join(workspaceRoot, '.tmp', 'ledger-tasks-'));
    local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
  }, 180_000);

  afterAll(async () => {
    await local?.close();
  });

  it('leave the same run, summary and attempt items (one code path: run-items.ts)', async () => {
    // Arrange: a run whose etl fails once, then succeeds with a count, through the interpreter the twin uses
    const table = local.tableName;
    const definition: { StartAt: string; States: Record<string, Record<string, unknown>> } = {
      StartAt: 'Start run',
      States: {
        'Start run': taskState(startRunTask(table, 'bench'), 'Start attempt 1'),
        'Start attempt 1': taskState(startAttemptTask(table, 'etl'), 'Record attempt 1', '$.attempt'),
        'Record attempt 1': taskState(recordAttemptTask(table, 'etl'), 'etl fails'),
        'etl fails': {
          Type: 'Pass',
          Result: { Error: 'States.TaskFailed', Cause: 'executor lost' },
          ResultPath: '$.error',
          Next: 'Attempt failed',
        },
        'Attempt failed': taskState(attemptFailedTask(table, 'etl'), 'Start attempt 2'),
        'Start attempt 2': taskState(startAttemptTask(table, 'etl'), 'Record attempt 2', '$.attempt'),
        'Record attempt 2': taskState(recordAttemptTask(table, 'etl'), 'etl succeeds'),
        'etl succeeds': {
          Type: 'Pass',
          Result: { curatedRows: 990 },
          ResultPath: '$.etl',
          Next: 'Attempt succeeded',
        },
        'Attempt succeeded': taskState(attemptSucceededTask(table, 'etl', ['curatedRows']), 'Run succeeded'),
        'Run succeeded': taskState(runSucceededTask(table), undefined),
      },
    };
    const apiOfResource = Object.fromEntries(
      Object.entries(LEDGER_RESOURCES).map(([api, resource]) => [resource, api as LedgerApiCall]),
    );
    const handlers = Object.fromEntries(
      Object.entries(definition.States)
        .filter(([, state]) => state.Type === 'Task')
        .map(([name, state]) => [
          name,
          (input: unknown) =>
            runLedgerTask(local.dynamo, apiOfResource[(state as { Resource: string }).Resource]!, input),
        ]),
    );
    const fromTasks = newRunId(new Date('2026-11-30T02:00:00Z'));
    const seeded = newRunId(new Date('2026-11-30T03:00:00Z'));
    const { StateMachine } = await import('aws-local-stepfunctions');
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const context = localExecutionContext();

    // Act
    await machine.run(
      { runId: fromTasks, trigger: 'schedule' },
      {
        overrides: { taskResourceLocalHandlers: handlers as never },
        context: {
          ...context,
          Execution: { ...(context.Execution as object), StartTime: new Date().toISOString() },
        } as never,
      },
    ).result;
    const seed = new LedgerSeeder({ client: local.documents, tableName: table });
    await seed.startRun({ runId: seeded, pipeline: 'bench', trigger: 'schedule' });
    const first = await seed.startStage({ runId: seeded, stageId: 'etl' });
    await seed.finishStage({
      runId: seeded,
      stageId: 'etl',
      attempt: first.attempt,
      status: 'FAILED',
      error: { name: 'States.TaskFailed', cause: 'executor lost' },
    });
    const second = await seed.startStage({ runId: seeded, stageId: 'etl' });
    await seed.finishStage({
      runId: seeded,
      stageId: 'etl',
      attempt: second.attempt,
      status: 'SUCCEEDED',
      counts: { curatedRows: 990 },
      output: JSON.stringify({ curatedRows: 990 }),
    });
    await seed.finishRun({ runId: seeded, status: 'SUCCEEDED' });

    // Assert
    const written = await runItems(local, fromTasks);
    expect(written.map((i) => `${i.SK} ${i.status}`)).toEqual([
      'RUN SUCCEEDED',
      'STAGE#etl SUCCEEDED',
      'STAGE#etl#1 FAILED',
      'STAGE#etl#2 SUCCEEDED',
    ]);
    expect(await runItems(local, seeded)).toEqual(written);
    expect((await local.ledger.getRun(fromTasks))?.counters).toEqual({ curatedRows: 990 });
  }, 120_000);
});
