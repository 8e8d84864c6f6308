import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { newRunId } from '@lakepipe/lake';
import { createLedgerTable, LOCAL_CREDENTIALS, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import { describe, expect, it } from 'vitest';
import { createLedgerClient } from './client';
import { ledgerKeys } from './keys';
import { LedgerTableQueries } from './queries';
import { markRunAborted, releaseRunClaims } from './run-recovery';
import { LedgerSeeder } from './test-support';
import { LedgerTableWriter } from './writer';

async function fresh() {
  const client = createLedgerClient({
    endpoint: dynamoDbEndpoint(),
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = uniqueTableName('recovery');
  await createLedgerTable(client, tableName);
  return {
    client,
    tableName,
    ledger: new LedgerTableQueries({ client, tableName }),
    writer: new LedgerTableWriter({ client, tableName }),
    seed: new LedgerSeeder({ client, tableName }),
  };
}

describe('run recovery', () => {
  it('marks a run whose process is gone ABORTED with its RUNNING stage, leaving finished stages as they were', async () => {
    // Arrange: source succeeded, etl was running when the process died
    const target = await fresh();
    const runId = newRunId();
    await target.seed.startRun({ runId, pipeline: 'bench' });
    const source = await target.seed.startStage({ runId, stageId: 'source' });
    await target.seed.finishStage({
      runId,
      stageId: 'source',
      attempt: source.attempt,
      status: 'SUCCEEDED',
    });
    await target.seed.startStage({ runId, stageId: 'etl' });

    // Act
    const result = await markRunAborted(target, runId, 'process 4242 is gone');
    const again = await markRunAborted(target, runId, 'twice');

    // Assert
    expect(result).toEqual({ aborted: true, items: expect.arrayContaining(['etl', 'etl#1']) });
    expect(again.aborted).toBe(false);
    const run = await target.ledger.getRun(runId);
    expect(run?.status).toBe('ABORTED');
    expect(run?.error).toEqual({ name: 'Aborted', cause: 'process 4242 is gone' });
    expect(run?.stages.map((s) => `${s.stageId}#${s.attempt} ${s.status}`).sort()).toEqual([
      'etl#1 ABORTED',
      'source#1 SUCCEEDED',
    ]);
  });

  it("a new attempt after an abort leaves the stage summary RUNNING without the aborted attempt's error", async () => {
    // Arrange: etl aborted while running
    const target = await fresh();
    const runId = newRunId();
    await target.seed.startRun({ runId, pipeline: 'bench' });
    await target.seed.startStage({ runId, stageId: 'etl' });
    await markRunAborted(target, runId, 'process 4242 is gone');

    // Act: the redrive opens etl's next attempt through the same request the state machine sends
    const next = await target.seed.startStage({ runId, stageId: 'etl' });

    // Assert
    expect(next.attempt).toBe(2);
    const summary = await target.client.send(
      new GetCommand({ TableName: target.tableName, Key: ledgerKeys.stageSummary(runId, 'etl') }),
    );
    expect(summary.Item?.status).toBe('RUNNING');
    expect(summary.Item).not.toHaveProperty('error');
    expect(summary.Item).not.toHaveProperty('finishedAt');
  });

  it('leaves a finished run alone', async () => {
    const target = await fresh();
    const runId = newRunId();
    await target.seed.startRun({ runId, pipeline: 'bench' });
    await target.seed.finishRun({ runId, status: 'SUCCEEDED' });
    expect(await markRunAborted(target, runId, 'x')).toEqual({ aborted: false, items: [] });
    expect((await target.ledger.getRun(runId))?.status).toBe('SUCCEEDED');
  });

  it('releases only the claims of one run, so a new run can take its files', async () => {
    // Arrange
    const target = await fresh();
    const stuck = newRunId();
    const other = newRunId(new Date(Date.now() + 1000));
    const claim = (runId: string, sha: string) =>
      target.writer.claimSource({
        dataset: 'ds',
        sha256: sha,
        source: `landing/ds/${sha[0]}.csv`,
        runId,
        rawKey: `raw/ds/x/${sha[0]}.csv`,
      });
    await claim(stuck, 'a'.repeat(64));
    await claim(stuck, 'b'.repeat(64));
    await claim(other, 'c'.repeat(64));

    // Act
    const released = await releaseRunClaims(target, stuck);

    // Assert
    expect(released.map((c) => c.sha256).sort()).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    expect(
      (await claim(stuck === other ? other : newRunId(new Date(Date.now() + 2000)), 'a'.repeat(64))).claimed,
    ).toBe(true);
    expect((await claim(newRunId(new Date(Date.now() + 3000)), 'c'.repeat(64))).claimed).toBe(false);
  });
});
