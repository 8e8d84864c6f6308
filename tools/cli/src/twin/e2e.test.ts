import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decompress } from 'fzstd';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { runCommand } from '../commands/run';
import { type LocalRunResult, runLocalPipeline } from './runner';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const repoPipeline = path.join(workspaceRoot, 'pipeline.yaml');
const tmpRoot = path.join(workspaceRoot, '.tmp');

function freshLake(name: string): string {
  mkdirSync(tmpRoot, { recursive: true });
  return mkdtempSync(path.join(tmpRoot, `twin-${name}-`));
}

function lastAttempts(result: LocalRunResult) {
  const byStage = new Map<string, { status: string; attempt: number; counts: Record<string, number> }>();
  for (const s of result.run?.stages ?? []) {
    const seen = byStage.get(s.stageId);
    if (!seen || s.attempt > seen.attempt) byStage.set(s.stageId, s as never);
  }
  return byStage;
}

function filesUnder(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Area under the ROC curve by the rank-sum formula (ties get their mean rank). */
function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPositives = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]![1] === 1) {
        rankSumPositives += meanRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

describe('the local twin, end to end on 10,000 generated rows', () => {
  let lake: string;
  let first: LocalRunResult;

  beforeAll(async () => {
    lake = freshLake('e2e');
    first = await runLocalPipeline({ configFile: repoPipeline, lakeRoot: lake, rows: 10_000, env: 'dev' });
  }, 300_000);

  it('records the run and every stage it ran as SUCCEEDED in the ledger', () => {
    expect(first.error).toBeUndefined();
    expect(first.run?.status).toBe('SUCCEEDED');
    const stages = lastAttempts(first);
    for (const id of ['source', 'etl', 'score', 'views', 'report'])
      expect(stages.get(id)?.status).toBe('SUCCEEDED');
  });

  it('accounts for every row read as curated or rejected, and scores every curated row', () => {
    const etl = lastAttempts(first).get('etl')!.counts;
    const score = lastAttempts(first).get('score')!.counts;

    expect(etl.rowsRead).toBeGreaterThanOrEqual(10_000);
    expect(etl.rejectedRows).toBeGreaterThan(0);
    expect(etl.curatedRows! + etl.rejectedRows!).toBe(etl.rowsRead);
    expect(score.scoredRows).toBe(etl.curatedRows);
  });

  it('writes curated Parquet that an independent reader (hyparquet) reads back row for row', async () => {
    const files = filesUnder(path.join(lake, 'curated', 'bench_tests'), '.parquet');
    let rows = 0;
    for (const file of files) {
      const objects = await parquetReadObjects({
        file: await asyncBufferFromFile(file),
        // curated Parquet is zstd-compressed; hyparquet takes the codec as a plug-in
        compressors: {
          ZSTD: (input: Uint8Array, length: number) => decompress(input, new Uint8Array(length)),
        },
      });
      rows += objects.length;
      expect(objects[0]).toMatchObject({ test_id: expect.stringMatching(/^T-\d{9}$/) });
    }

    expect(files.length).toBeGreaterThan(0);
    expect(rows).toBe(lastAttempts(first).get('etl')!.counts.curatedRows);
  });

  it('serves bench_tests_latest with every curated row, scored well enough to be useful (AUC >= 0.8)', async () => {
    const { openLocalLake } = await import('@lakepipe/view');
    const { loadPipelineForCli } = await import('../stage-registry');
    const localLake = await openLocalLake({ lakeRoot: lake, pipeline: loadPipelineForCli(repoPipeline) });
    try {
      const { rows } = await localLake.query(
        'SELECT CAST(score AS DOUBLE) AS score, CAST(failed_in_field AS INTEGER) AS label FROM bench_tests_latest',
      );

      expect(rows.length).toBe(lastAttempts(first).get('etl')!.counts.curatedRows);
      expect(rows.every(([score]) => typeof score === 'number')).toBe(true);
      expect(
        auc(
          rows.map((r) => Number(r[0])),
          rows.map((r) => Number(r[1])),
        ),
      ).toBeGreaterThanOrEqual(0.8);
    } finally {
      localLake.close();
    }
  });

  it('lands nothing new on a second run over the same source, and says so', async () => {
    const curatedBefore = filesUnder(path.join(lake, 'curated'), '.parquet').length;

    const second = await runLocalPipeline({
      configFile: repoPipeline,
      lakeRoot: lake,
      rows: 10_000,
      env: 'dev',
    });

    const source = lastAttempts(second).get('source')!.counts;
    expect(second.run?.status).toBe('SUCCEEDED');
    expect(source.files).toBe(0);
    expect(source.duplicates).toBe(first.sample?.files);
    expect(filesUnder(path.join(lake, 'raw'), '').filter((f) => f.includes(second.runId))).toEqual([]);
    expect(filesUnder(path.join(lake, 'curated'), '.parquet').length).toBe(curatedBefore);
  }, 300_000);
});

describe('the local twin when stages fail', () => {
  it('retries an injected ETL failure and succeeds on the third attempt without duplicating rows', async () => {
    const lake = freshLake('retry');
    const config = path.join(lake, 'pipeline.yaml');
    const doc = parseYaml(readFileSync(repoPipeline, 'utf8'));
    doc.stages.etl.retry = { maxAttempts: 3 };
    writeFileSync(config, stringifyYaml(doc));

    const result = await runLocalPipeline({
      configFile: config,
      lakeRoot: lake,
      rows: 2_000,
      env: 'dev',
      fail: { stageId: 'etl', times: 2 },
    });

    const etlAttempts = (result.run?.stages ?? []).filter((s) => s.stageId === 'etl');
    expect(result.run?.status).toBe('SUCCEEDED');
    expect(etlAttempts.map((a) => a.status)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    const counts = etlAttempts[2]!.counts;
    const { openLocalLake } = await import('@lakepipe/view');
    const { loadPipelineForCli } = await import('../stage-registry');
    const localLake = await openLocalLake({ lakeRoot: lake, pipeline: loadPipelineForCli(config) });
    try {
      const { rows } = await localLake.query('SELECT COUNT(*) AS n FROM curated_bench_tests');
      expect(rows[0]![0]).toBe(counts.curatedRows);
    } finally {
      localLake.close();
    }
  }, 300_000);

  it('gives up on a stage that keeps failing: notifies, marks the run FAILED and exits 1 naming the stage and cause', async () => {
    const lake = freshLake('fail');
    const output: string[] = [];

    const code = await runCommand(
      { config: repoPipeline, lake, rows: '2000', env: 'dev', fail: 'score:9' },
      { write: (text: string) => output.push(text) },
    );

    const lines = output.join('').trimEnd().split('\n');
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(
      /FAILED in stage score: InjectedFailureError: injected failure in stage "score", attempt 4/,
    );
    // the failure is said once, and the hint to read it names the lake the run used
    expect(output.join('').match(/InjectedFailureError/g)).toHaveLength(1);
    expect(lines.at(-2)).toMatch(
      new RegExp(`^details: npx lakepipe status \\S+ --lake ${path.relative(process.cwd(), lake)}$`),
    );
    const notifications = filesUnder(path.join(lake, '_notifications'), '.jsonl');
    expect(notifications.length).toBe(1);
    const records = readFileSync(notifications[0]!, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: 'failure',
      notification: {
        stage: 'score',
        errorName: 'InjectedFailureError',
        cause: expect.stringContaining('"score"'),
      },
    });
    expect(filesUnder(path.join(lake, 'scored'), '.out')).toEqual([]);
  }, 300_000);
});
