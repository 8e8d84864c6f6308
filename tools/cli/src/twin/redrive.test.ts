import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs/env';
import { loadPipelineWithStages } from '@lakepipe/stages';
import { describe, expect, it } from 'vitest';
import { statusCommand } from '../commands/status';
import { RedriveRefusedError } from '../errors';
import { openLocalLedger } from './local-ledger';
import { releaseRun } from './reprocess';
import { type LocalRunResult, runLocalPipeline } from './runner';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const configFile = path.join(workspaceRoot, 'pipeline.yaml');
const tmpRoot = path.join(workspaceRoot, '.tmp');

function freshLake(name: string): string {
  mkdirSync(tmpRoot, { recursive: true });
  return mkdtempSync(path.join(tmpRoot, `twin-${name}-`));
}

const attemptsOf = (result: LocalRunResult, stageId: string) =>
  (result.run?.stages ?? [])
    .filter((s) => s.stageId === stageId)
    .sort((a, b) => a.attempt - b.attempt)
    .map((s) => s.status);

/** The curated row count of the run, from the attempt that succeeded (read = curated + rejected). */
const etlCounts = (result: LocalRunResult) =>
  (result.run?.stages ?? []).find((s) => s.stageId === 'etl' && s.status === 'SUCCEEDED')?.counts;

/** A run of the repo pipeline whose ETL fails every attempt (`--fail etl:9`): FAILED in the ledger. */
const runWhoseEtlKeepsFailing = (lakeRoot: string, rows: number) =>
  runLocalPipeline({ configFile, lakeRoot, rows, env: 'dev', fail: { stageId: 'etl', times: 9 } });

/**
 * Waits until the ledger of `lake` holds a run whose source attempt SUCCEEDED and whose etl attempt
 * is RUNNING (asked from this process, as a second terminal would), and returns its run id. The
 * source manifest alone is not enough: it is written before the source attempt is recorded.
 */
async function etlAttemptRunning(lake: string, timeoutMs: number): Promise<string | undefined> {
  const manifests = path.join(lake, '_manifests');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const run = existsSync(manifests) ? readdirSync(manifests).find((d) => d.startsWith('run=')) : undefined;
    if (!run) continue;
    const runId = run.slice('run='.length);
    const local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
    try {
      const stages = (await local.ledger.getRun(runId))?.stages ?? [];
      const has = (stageId: string, status: string) =>
        stages.some((s) => s.stageId === stageId && s.status === status);
      if (has('source', 'SUCCEEDED') && has('etl', 'RUNNING')) return runId;
    } finally {
      await local.close();
    }
  }
  return undefined;
}

describe('lakepipe redrive on the twin', () => {
  it('finishes a failed run with the same run id: source is not run again, etl gets new attempts, every row curated once', async () => {
    // Arrange: a run whose ETL keeps failing
    const lake = freshLake('redrive-failed');
    const failed = await runWhoseEtlKeepsFailing(lake, 2000);
    expect(failed.ok).toBe(false);
    expect(failed.run?.status).toBe('FAILED');

    // Act
    const resumed = await runLocalPipeline({
      configFile,
      lakeRoot: lake,
      rows: 2000,
      env: 'dev',
      runId: failed.runId,
      redrive: true,
    });

    // Assert
    expect(resumed.ok).toBe(true);
    expect(resumed.run?.status).toBe('SUCCEEDED');
    expect(attemptsOf(resumed, 'source')).toEqual(['SUCCEEDED']);
    expect(attemptsOf(resumed, 'etl')).toEqual(['FAILED', 'FAILED', 'FAILED', 'SUCCEEDED']);
    const counts = etlCounts(resumed)!;
    expect(counts.rowsRead).toBe(2000);
    expect(counts.curatedRows! + counts.rejectedRows!).toBe(2000);
    const scored = (resumed.run?.stages ?? []).find((s) => s.stageId === 'score' && s.status === 'SUCCEEDED');
    expect(scored?.counts.scoredRows).toBe(counts.curatedRows);
  }, 600_000);

  it('refuses to redrive a run that succeeded, and a run the ledger does not have', async () => {
    const lake = freshLake('redrive-refused');
    const done = await runLocalPipeline({ configFile, lakeRoot: lake, rows: 500, env: 'dev' });
    expect(done.ok).toBe(true);

    await expect(
      runLocalPipeline({
        configFile,
        lakeRoot: lake,
        rows: 500,
        env: 'dev',
        runId: done.runId,
        redrive: true,
      }),
    ).rejects.toThrow(new RedriveRefusedError(done.runId, 'it SUCCEEDED: there is nothing to resume'));
    await expect(
      runLocalPipeline({
        configFile,
        lakeRoot: lake,
        rows: 500,
        env: 'dev',
        runId: '20260101T000000Z-000000',
        redrive: true,
      }),
    ).rejects.toThrow(RedriveRefusedError);
  }, 600_000);

  it('marks a run whose process was killed during etl ABORTED and finishes it with redrive, every row curated once', async () => {
    // Arrange: a run in its own process, killed (SIGKILL) once sourcing is done and the ETL started
    const lake = freshLake('redrive-killed');
    const child = spawn(
      process.execPath,
      [path.join(workspaceRoot, 'tools/cli/bin/lakepipe.js'), 'run', '--rows', '20000', '--lake', lake],
      { cwd: workspaceRoot, stdio: 'ignore', env: { ...process.env, LAKEPIPE_CLI_FROM: 'sources' } },
    );
    const runId = await etlAttemptRunning(lake, 300_000);
    expect(runId, 'the ledger showed an etl attempt RUNNING within 5 minutes').toBeDefined();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // status tells the truth at once: the run's process is gone
    const said: string[] = [];
    await statusCommand(undefined, { lake, env: 'dev', limit: '10' }, { write: (t: string) => said.push(t) });
    expect(said.join('')).toMatch(new RegExp(`${runId} +bench-quality +ABORTED`));
    const detail: string[] = [];
    await statusCommand(runId, { lake, env: 'dev', limit: '10' }, { write: (t: string) => detail.push(t) });
    expect(detail.join('')).toMatch(/\nABORTED: Aborted: its process is gone/);

    // Act
    const resumed = await runLocalPipeline({
      configFile,
      lakeRoot: lake,
      rows: 20000,
      env: 'dev',
      runId: runId!,
      redrive: true,
    });

    // Assert
    expect(resumed.ok).toBe(true);
    expect(resumed.run?.status).toBe('SUCCEEDED');
    expect(attemptsOf(resumed, 'source')).toEqual(['SUCCEEDED']);
    // the attempt the killed process left RUNNING is ABORTED, the redrive's own attempt succeeded
    expect(attemptsOf(resumed, 'etl').at(-1)).toBe('SUCCEEDED');
    expect(
      attemptsOf(resumed, 'etl')
        .slice(0, -1)
        .every((s) => s === 'ABORTED'),
    ).toBe(true);
    const counts = etlCounts(resumed)!;
    expect(counts.rowsRead).toBe(20000);
    expect(counts.curatedRows! + counts.rejectedRows!).toBe(20000);
  }, 900_000);

  it('releases the files of a failed run into a new run (reprocess): each file ingested once, by the new run', async () => {
    // Arrange
    const lake = freshLake('reprocess');
    const failed = await runWhoseEtlKeepsFailing(lake, 1000);
    expect(failed.ok).toBe(false);
    const pipeline = loadPipelineWithStages(configFile);

    // Act
    const released = await releaseRun({ lakeRoot: lake, pipeline, runId: failed.runId, env: 'dev' });
    const fresh = await runLocalPipeline({ configFile, lakeRoot: lake, rows: 1000, env: 'dev' });

    // Assert
    expect(released.claims).toBe(4);
    expect(released.objects).toBe(4);
    expect(fresh.ok).toBe(true);
    const source = (fresh.run?.stages ?? []).find((s) => s.stageId === 'source');
    expect(source?.counts).toMatchObject({ files: 4, duplicates: 0 });
    expect(etlCounts(fresh)?.rowsRead).toBe(1000);
    expect(existsSync(path.join(lake, 'raw', 'bench_tests'))).toBe(true);
    const rawRuns = readdirSync(path.join(lake, 'raw', 'bench_tests'), { recursive: true }).filter((p) =>
      String(p).includes(`run=${failed.runId}`),
    );
    expect(rawRuns).toEqual([]);
  }, 600_000);
});
