import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FolderObjectStore, readStageManifest } from '@lakepipe/lake';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type LocalRunResult, runLocalPipeline } from './runner';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const scoringRoot = path.join(workspaceRoot, 'services/sagemaker-scoring');

function freshFolder(name: string): string {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  return mkdtempSync(path.join(workspaceRoot, '.tmp', `own-model-${name}-`));
}

function countsOf(result: LocalRunResult, stageId: string): Record<string, number> {
  const attempts = (result.run?.stages ?? []).filter((s) => s.stageId === stageId);
  return (attempts.at(-1) as { counts?: Record<string, number> } | undefined)?.counts ?? {};
}

async function query(lakeRoot: string, configFile: string, sql: string): Promise<unknown[][]> {
  const { openLocalLake } = await import('@lakepipe/view');
  const { loadPipelineForCli } = await import('../stage-registry');
  const lake = await openLocalLake({ lakeRoot, pipeline: loadPipelineForCli(configFile) });
  try {
    return (await lake.query(sql)).rows as unknown[][];
  } finally {
    lake.close();
  }
}

/** A team's own folder: pipeline.yaml, the model beside it, and a folder of CSVs. */
const PUMPS = `
name: pumps
datasets:
  pumps:
    source: { type: s3, prefix: landing/pumps/ }
    format: { csv: { header: true, delimiter: "," } }
    columns:
      pump_id: { type: string, required: true, unique: true }
      temperature_c: { type: double }
      pressure_kpa: { type: double }
      rpm: { type: double }
    features: [temperature_c, pressure_kpa, rpm]
stages:
  source: { type: sourcing, datasets: [pumps] }
  etl: { type: spark-etl, dataset: pumps, workers: { type: G.1X, count: 2 } }
  score:
    type: sagemaker-scoring
    dataset: pumps
    instance: { type: ml.m5.xlarge, count: 1 }
    model: models/pumps.json
  views: { type: view, datasets: [pumps] }
flow: [source, etl, score, views]
`;

describe("a team's own dataset and model, run by the twin", () => {
  it('scores a 3-feature dataset with a model trained on those 3 features, end to end', async () => {
    // Arrange
    const dir = freshFolder('pumps');
    const configFile = path.join(dir, 'pipeline.yaml');
    writeFileSync(configFile, PUMPS);
    mkdirSync(path.join(dir, 'models'));
    copyFileSync(
      path.join(scoringRoot, 'test-fixtures/three-features/model.json'),
      path.join(dir, 'models/pumps.json'),
    );
    const sourceDir = path.join(dir, 'in');
    mkdirSync(sourceDir);
    writeFileSync(
      path.join(sourceDir, 'monday.csv'),
      'pump_id,temperature_c,pressure_kpa,rpm\nP-1,90,100,3500\nP-2,50,100,1000\nP-3,70,160,\nP-4,85,120,1000\nP-5,60,140,2000\n',
    );
    writeFileSync(
      path.join(sourceDir, 'tuesday.csv'),
      'pump_id,temperature_c,pressure_kpa,rpm\nP-6,79.9,149.9,2999\nP-7,80,150,3000\n',
    );

    // Act
    const result = await runLocalPipeline({
      configFile,
      lakeRoot: path.join(dir, 'lake'),
      sourceDir,
      rows: 0,
      env: 'dev',
    });
    const rows = await query(
      path.join(dir, 'lake'),
      configFile,
      'SELECT pump_id, CAST(score AS DOUBLE), flagged FROM pumps_latest ORDER BY pump_id',
    );

    // Assert: the trees by hand (model.json's make.py): sigmoid of the two leaves
    expect(result.error?.message).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(rows.map(([id, score, flagged]) => [id, Number(score).toFixed(4), flagged])).toEqual([
      ['P-1', '0.9241', true], // 1.5 + 1.0
      ['P-2', '0.1824', false], // -1.0 - 0.5
      ['P-3', '0.8176', true], // 0.5 + 1.0 (a missing rpm goes right)
      ['P-4', '0.7311', true], // 1.5 - 0.5
      ['P-5', '0.1824', false],
      ['P-6', '0.1824', false],
      ['P-7', '0.9241', true], // 80 and 3000 are not below the splits
    ]);
    expect(countsOf(result, 'score')).toMatchObject({ scoredRows: 7, flaggedRows: 4 });
  }, 600_000);
});

describe('a multi-class model, run by the twin', () => {
  it('writes one score column per class and flags on the named class, in the view and the ledger counts', async () => {
    // Arrange: the repo pipeline scoring with the 3-class fixture (the report view reads `score`: left out)
    const dir = freshFolder('multi');
    const configFile = path.join(dir, 'pipeline.yaml');
    const doc = parseYaml(readFileSync(path.join(workspaceRoot, 'pipeline.yaml'), 'utf8'));
    doc.stages.score.model = path.join(scoringRoot, 'src/test-fixtures/multi-softprob/xgboost-model.json');
    doc.stages.score.classNames = ['ok', 'warn', 'fail'];
    doc.stages.score.flagClass = 'fail';
    doc.stages.score.threshold = 0.4;
    delete doc.stages.report;
    delete doc.views;
    doc.flow = doc.flow.filter((step: unknown) => step !== 'report');
    writeFileSync(configFile, stringifyYaml(doc));

    // Act
    const result = await runLocalPipeline({
      configFile,
      lakeRoot: path.join(dir, 'lake'),
      rows: 2_000,
      env: 'dev',
    });
    const rows = await query(
      path.join(dir, 'lake'),
      configFile,
      'SELECT CAST(score_ok AS DOUBLE), CAST(score_warn AS DOUBLE), CAST(score_fail AS DOUBLE), flagged FROM bench_tests_latest',
    );

    // Assert
    expect(result.error?.message).toBeUndefined();
    expect(result.ok).toBe(true);
    const counts = countsOf(result, 'score');
    expect(rows.length).toBe(counts.scoredRows);
    for (const [ok, warn, fail, flagged] of rows) {
      expect(Number(ok) + Number(warn) + Number(fail)).toBeCloseTo(1, 5);
      expect(flagged).toBe(Number(fail) >= 0.4);
    }
    const flagged = rows.filter((r) => r[3] === true).length;
    expect(flagged).toBe(counts.flaggedRows);
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(rows.length);
    const manifest = await readStageManifest(
      new FolderObjectStore(path.join(dir, 'lake')),
      result.runId,
      'score',
    );
    expect(manifest.schema?.scored?.map((c) => c.name)).toEqual([
      'id',
      'score_ok',
      'score_warn',
      'score_fail',
    ]);
  }, 600_000);
});
