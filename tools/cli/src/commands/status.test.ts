import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { FolderObjectStore, InvalidRunIdError, newRunId, writeStageManifest } from '@lakepipe/lake';
import { LedgerSeeder } from '@lakepipe/ledger/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLocalLedger } from '../twin/local-ledger';
import { statusCommand } from './status';

const workspaceRoot = path.resolve(__dirname, '../../../..');

function capture() {
  const chunks: string[] = [];
  return { out: { write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

describe('lakepipe status', () => {
  const lake = mkdtempSync(path.join(workspaceRoot, '.tmp', 'status-'));
  const succeeded = newRunId(new Date('2026-11-20T02:00:00Z'));
  const failed = newRunId(new Date('2026-11-21T02:00:00Z'));

  beforeAll(async () => {
    const local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
    const seed = new LedgerSeeder({ client: local.documents, tableName: local.tableName });
    try {
      for (const runId of [succeeded, failed]) await seed.startRun({ runId, pipeline: 'bench-quality' });
      const etl = await seed.startStage({ runId: succeeded, stageId: 'etl' });
      await seed.finishStage({
        runId: succeeded,
        stageId: 'etl',
        attempt: etl.attempt,
        status: 'SUCCEEDED',
        counts: { rowsRead: 1000, curatedRows: 990, rejectedRows: 10 },
      });
      await seed.finishRun({ runId: succeeded, status: 'SUCCEEDED' });
      await seed.finishRun({
        runId: failed,
        status: 'FAILED',
        error: { stageId: 'score', name: 'ModelFormatError', cause: 'model.json is not XGBoost JSON' },
      });
    } finally {
      await local.close();
    }
  }, 120_000);

  it('lists the newest runs first with their status, counters and error', async () => {
    const { out, text } = capture();

    const code = await statusCommand(undefined, { limit: '10', lake, env: 'dev' }, out);

    const lines = text().split('\n');
    expect(code).toBe(0);
    expect(lines[2]).toContain(failed);
    expect(lines[2]).toContain('FAILED');
    expect(lines[2]).toContain('score ModelFormatError: model.json is not XGBoost JSON');
    expect(lines[3]).toContain(succeeded);
    expect(lines[3]).toMatch(/SUCCEEDED .* 990 +10/);
  }, 60_000);

  it('shows one run with every stage attempt and its counts, as JSON on request', async () => {
    const table = capture();
    const json = capture();

    await statusCommand(succeeded, { limit: '10', lake, env: 'dev' }, table.out);
    await statusCommand(succeeded, { limit: '10', lake, env: 'dev', json: true }, json.out);

    expect(table.text()).toMatch(
      /etl +1 +SUCCEEDED .*curatedRows=990 rejectedRows=10 rowsRead=1000|etl +1 +SUCCEEDED .*rowsRead=1000/,
    );
    expect(JSON.parse(json.text())).toMatchObject({
      runId: succeeded,
      status: 'SUCCEEDED',
      stages: [{ stageId: 'etl', attempt: 1, counts: { curatedRows: 990 } }],
    });
  }, 60_000);

  it('lists the files a run did not land, with their status and reason, from the sourcing manifest', async () => {
    await writeStageManifest(new FolderObjectStore(lake), {
      runId: succeeded,
      stageId: 'source',
      stageType: 'sourcing',
      engine: 'local',
      counts: { files: 1, duplicates: 0, skipped: 2 },
      outputs: [],
      startedAt: new Date('2026-11-20T02:00:01Z'),
      details: {
        notLanded: [
          {
            dataset: 'bench_tests',
            name: 'photo.csv',
            source: 'landing/bench_tests/photo.csv',
            status: 'skipped',
            reason: 'binary',
            message: 'photo.csv is not text: a NUL byte at offset 12',
          },
          {
            dataset: 'bench_tests',
            name: 'b.csv',
            source: 'landing/bench_tests/b.csv',
            status: 'quarantined',
            reason: 'unterminated-quote',
          },
        ],
      },
    });
    const table = capture();
    const json = capture();

    await statusCommand(succeeded, { limit: '10', lake, env: 'dev' }, table.out);
    await statusCommand(succeeded, { limit: '10', lake, env: 'dev', json: true }, json.out);

    const lines = table.text().split('\n');
    const at = lines.indexOf('files not landed (2):');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 3]).toMatch(
      /^landing\/bench_tests\/photo\.csv +skipped +binary: photo\.csv is not text: a NUL byte at offset 12$/,
    );
    expect(lines[at + 4]).toMatch(/^landing\/bench_tests\/b\.csv +quarantined +unterminated-quote$/);
    expect(JSON.parse(json.text()).notLanded).toEqual([
      expect.objectContaining({ name: 'photo.csv', status: 'skipped', reason: 'binary' }),
      expect.objectContaining({ name: 'b.csv', status: 'quarantined', reason: 'unterminated-quote' }),
    ]);
  }, 60_000);

  it('says how to list runs when the run is unknown, and rejects a malformed run id', async () => {
    const { out, text } = capture();
    const unknown = newRunId(new Date('2020-01-01T00:00:00Z'));

    const code = await statusCommand(unknown, { limit: '10', lake, env: 'dev' }, out);

    expect(code).toBe(1);
    expect(text()).toBe(
      `No run ${unknown} in the ledger of ${lake}. List runs with: npx lakepipe status --lake ${lake}\n`,
    );
    await expect(statusCommand('yesterday', { limit: '10', lake, env: 'dev' })).rejects.toThrow(
      InvalidRunIdError,
    );
  }, 60_000);
});
