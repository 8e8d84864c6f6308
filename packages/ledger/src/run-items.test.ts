import { newRunId } from '@lakepipe/lake';
import { createLedgerTable, LOCAL_CREDENTIALS, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import { describe, expect, it } from 'vitest';
import { createLedgerClient } from './client';
import { LedgerTableQueries } from './queries';
import { attemptSucceededRequest, fromState, runSucceededRequest } from './run-items';
import { sendRunItemRequest } from './send-run-item';
import { LedgerSeeder } from './test-support';

// These tests send the requests of run-items.ts with known values (LedgerSeeder), as the
// state machine's ledger tasks send them with values from its state (ledger-tasks.ts).
const FAILURE = { name: 'States.TaskFailed', cause: 'the stage failed' };

async function newLedger(now?: () => Date): Promise<{ ledger: LedgerTableQueries; seed: LedgerSeeder }> {
  const client = createLedgerClient({
    endpoint: dynamoDbEndpoint(),
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = uniqueTableName('runs');
  await createLedgerTable(client, tableName);
  return {
    ledger: new LedgerTableQueries({ client, tableName }),
    seed: new LedgerSeeder({ client, tableName, now }),
  };
}

function runIdAt(minute: number): string {
  return newRunId(new Date(Date.UTC(2026, 10, 26, 6, minute, 0)));
}

describe('run items: Start run, Run succeeded, Mark run failed', () => {
  it('starts a run with empty counters and returns it without stages', async () => {
    // Arrange
    const { ledger, seed } = await newLedger(() => new Date('2026-11-26T06:45:00.000Z'));
    const runId = runIdAt(45);

    // Act
    await seed.startRun({ runId, pipeline: 'bench', trigger: 'local' });
    const run = await ledger.getRun(runId);

    // Assert
    expect(run).toEqual({
      runId,
      pipeline: 'bench',
      status: 'RUNNING',
      startedAt: '2026-11-26T06:45:00.000Z',
      trigger: 'local',
      counters: {},
      stages: [],
    });
  });

  it('refuses to start the same run twice', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = runIdAt(1);
    await seed.startRun({ runId, pipeline: 'bench' });

    // Act
    const again = seed.startRun({ runId, pipeline: 'bench' });

    // Assert
    await expect(again).rejects.toThrow(
      `run ${runId} already exists in the ledger (table ${ledger.tableName}): mint a new run id with newRunId()`,
    );
  });

  it('finishes a run with its error', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = runIdAt(2);
    await seed.startRun({ runId, pipeline: 'bench' });

    // Act
    await seed.finishRun({
      runId,
      status: 'FAILED',
      error: { name: 'States.Timeout', cause: 'etl took 3600 s', stageId: 'etl' },
    });

    // Assert
    const run = await ledger.getRun(runId);
    expect(run?.status).toBe('FAILED');
    expect(run?.error).toEqual({ name: 'States.Timeout', cause: 'etl took 3600 s', stageId: 'etl' });
    expect(run?.finishedAt).toBeTypeOf('string');
  });

  it('reports an unknown run as RunNotFoundError on finishRun and startStage, undefined on getRun', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = '20261126T064500Z-000000';

    // Act / Assert
    await expect(seed.finishRun({ runId, status: 'SUCCEEDED' })).rejects.toThrow(
      `run 20261126T064500Z-000000 is not in the ledger (table ${ledger.tableName}): list runs with \`npx lakepipe status\``,
    );
    await expect(seed.startStage({ runId, stageId: 'etl' })).rejects.toThrow('is not in the ledger');
    expect(await ledger.getRun(runId)).toBeUndefined();
  });

  it('rejects a malformed run id before calling DynamoDB', async () => {
    // Arrange
    const { ledger } = await newLedger();

    // Act / Assert
    await expect(ledger.getRun('../../etc')).rejects.toThrow('run id "../../etc" is malformed');
  });
});

describe('stage attempts: Start attempt, Record attempt, Attempt succeeded, Attempt failed', () => {
  it('numbers attempts 1, 2, ... and returns them sorted numerically with the run', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = runIdAt(3);
    await seed.startRun({ runId, pipeline: 'bench' });

    // Act
    const numbers: number[] = [];
    for (let i = 0; i < 11; i++) {
      const attempt = await seed.startStage({ runId, stageId: 'etl' });
      numbers.push(attempt.attempt);
      await seed.finishStage(
        i < 10
          ? { runId, stageId: 'etl', attempt: attempt.attempt, status: 'FAILED', error: FAILURE }
          : { runId, stageId: 'etl', attempt: attempt.attempt, status: 'SUCCEEDED' },
      );
    }
    const run = await ledger.getRun(runId);

    // Assert
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(run?.stages.map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(run?.stages[10]).toMatchObject({ stageId: 'etl', status: 'SUCCEEDED' });
  });

  it('adds the counts of stages finishing at the same time to the run counters atomically', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = runIdAt(4);
    await seed.startRun({ runId, pipeline: 'bench' });
    const stageIds = Array.from({ length: 8 }, (_, i) => `etl_${i}`);
    const attempts = await Promise.all(stageIds.map((stageId) => seed.startStage({ runId, stageId })));

    // Act
    await Promise.all(
      attempts.map((a, i) =>
        seed.finishStage({
          runId,
          stageId: a.stageId,
          attempt: a.attempt,
          status: 'SUCCEEDED',
          counts: { rowsRead: 100 + i, curatedRows: 90 },
        }),
      ),
    );

    // Assert
    const run = await ledger.getRun(runId);
    expect(run?.counters).toEqual({ rowsRead: 8 * 100 + 28, curatedRows: 720 });
    expect(run?.stages.every((s) => s.status === 'SUCCEEDED')).toBe(true);
    expect(run?.stages.find((s) => s.stageId === 'etl_3')?.counts).toEqual({
      rowsRead: 103,
      curatedRows: 90,
    });
  });

  it('adds the counts of a succeeded attempt once: a failed attempt has none, one finished twice is refused', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = runIdAt(5);
    await seed.startRun({ runId, pipeline: 'bench' });
    const first = await seed.startStage({ runId, stageId: 'etl' });
    await seed.finishStage({
      runId,
      stageId: 'etl',
      attempt: first.attempt,
      status: 'FAILED',
      error: { name: 'RejectRatioExceededError', cause: '40% rejected' },
    });
    const second = await seed.startStage({ runId, stageId: 'etl' });
    await seed.finishStage({
      runId,
      stageId: 'etl',
      attempt: second.attempt,
      status: 'SUCCEEDED',
      counts: { rowsRead: 7 },
    });

    // Act
    const twice = seed.finishStage({
      runId,
      stageId: 'etl',
      attempt: second.attempt,
      status: 'SUCCEEDED',
      counts: { rowsRead: 7 },
    });

    // Assert
    await expect(twice).rejects.toThrow(
      `attempt 2 of stage etl (run ${runId}) already finished as SUCCEEDED: its counts are not added twice`,
    );
    const run = await ledger.getRun(runId);
    expect(run?.counters).toEqual({ rowsRead: 7 });
    expect(run?.stages[0]?.error).toEqual({ name: 'RejectRatioExceededError', cause: '40% rejected' });
  });

  it('names the stage and attempt when finishing an attempt that never started', async () => {
    // Arrange
    const { seed } = await newLedger();
    const runId = runIdAt(6);
    await seed.startRun({ runId, pipeline: 'bench' });

    // Act
    const finish = seed.finishStage({ runId, stageId: 'score', attempt: 3, status: 'SUCCEEDED' });

    // Assert
    await expect(finish).rejects.toThrow(
      `stage score of run ${runId} has no attempt 3: start it with startStage first`,
    );
  });

  it('rejects a count that is not a number', async () => {
    // Arrange
    const { seed } = await newLedger();

    // Act
    const finish = seed.finishStage({
      runId: runIdAt(7),
      stageId: 'etl',
      attempt: 1,
      status: 'SUCCEEDED',
      counts: { rowsRead: Number.NaN },
    });

    // Assert
    await expect(finish).rejects.toThrow('counts.rowsRead must be a finite number (got NaN)');
  });
});

describe('run-item requests', () => {
  it('are one request with state values (the compiled ASL) or known values (seeding)', () => {
    // Arrange
    const runId = runIdAt(30);

    // Act
    const fromAsl = attemptSucceededRequest('t', {
      runId: fromState('$.runId'),
      stageId: 'etl',
      attempt: fromState('$.attempt.number'),
      finishedAt: fromState('$$.State.EnteredTime'),
      counts: { curatedRows: fromState("States.Format('{}', $.etl.manifest.counts.curatedRows)") },
      output: fromState('States.JsonToString($.etl.manifest)'),
    });
    const seeded = attemptSucceededRequest('t', {
      runId,
      stageId: 'etl',
      attempt: 2,
      finishedAt: '2026-11-26T06:30:00.000Z',
      counts: { curatedRows: 990 },
      output: '{}',
    });

    // Assert
    const [attempt, summary, run] = (
      fromAsl.input.TransactItems as { Update: Record<string, unknown> }[]
    ).map((i) => i.Update);
    expect(attempt?.Key).toEqual({
      PK: { 'S.$': "States.Format('RUN#{}', $.runId)" },
      SK: { 'S.$': "States.Format('STAGE#etl#{}', $.attempt.number)" },
    });
    expect(attempt?.ConditionExpression).toBe('attribute_exists(PK) AND #status = :running');
    expect(run?.UpdateExpression).toBe('ADD #counters.#c0 :c0');
    const [seededAttempt, seededSummary, seededRun] = (
      seeded.input.TransactItems as { Update: Record<string, unknown> }[]
    ).map((i) => i.Update);
    expect(seededAttempt?.Key).toEqual({ PK: { S: `RUN#${runId}` }, SK: { S: 'STAGE#etl#2' } });
    expect(seededAttempt?.UpdateExpression).toBe(attempt?.UpdateExpression);
    expect(seededSummary?.UpdateExpression).toBe(summary?.UpdateExpression);
    expect(seededRun?.ExpressionAttributeValues).toEqual({ ':c0': { N: '990' } });
  });

  it('refuses to send a request that still holds a state value, naming the field', async () => {
    // Arrange
    const client = createLedgerClient({
      endpoint: dynamoDbEndpoint(),
      region: 'eu-west-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const request = runSucceededRequest('t', {
      runId: fromState('$.runId'),
      finishedAt: '2026-11-26T06:30:00Z',
    });

    // Act
    const send = sendRunItemRequest(client, request);

    // Assert
    await expect(send).rejects.toThrow(
      'updateItem.Key.PK.S.$ must be a known value (not a state path) when sent (got "States.Format(\'RUN#{}\', $.runId)")',
    );
  });

  it('finishes a run once: a finished run keeps its outcome', async () => {
    // Arrange
    const { seed, ledger } = await newLedger();
    const runId = runIdAt(31);
    await seed.startRun({ runId, pipeline: 'bench' });
    await seed.finishRun({ runId, status: 'SUCCEEDED' });

    // Act
    const again = seed.finishRun({ runId, status: 'FAILED', error: { ...FAILURE, stageId: 'etl' } });

    // Assert
    await expect(again).rejects.toThrow(
      `run ${runId} already finished as SUCCEEDED: a finished run is not finished again`,
    );
    expect((await ledger.getRun(runId))?.status).toBe('SUCCEEDED');
  });
});
