import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakePrefixes, runIdDate } from '@lakepipe/lake';
import { runLocalEtl } from '@lakepipe/spark-etl';
import { buildLakeCatalog, createTableStatement, openLocalLake } from '@lakepipe/view';
import { parsePipeline } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { createStageRegistry } from './index';

const RUN_ID = '20261130T120000Z-d0b1e2';
const PIPELINE = `
name: doubles
datasets:
  ds:
    source: { type: s3, prefix: landing/ds/ }
    format: { csv: { header: true, delimiter: "," } }
    columns:
      id: { type: string, required: true, unique: true }
      d: { type: double }
    derive: { d2: "d * 2" }
stages:
  etl: { type: spark-etl, dataset: ds, workers: { type: G.1X, count: 2 } }
  views: { type: view, datasets: [ds] }
flow: [etl, views]
`;

describe('the dataset contract spark-etl publishes and view reads', () => {
  it('types derive d * 2 as a double in the Athena DDL and in the twin', async () => {
    // Arrange
    const pipeline = parsePipeline(PIPELINE, { registry: createStageRegistry() });
    const lakeRoot = mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    const raw = path.join(lakeRoot, lakePrefixes.rawObject('ds', runIdDate(RUN_ID), RUN_ID, 'a.csv'));
    mkdirSync(path.dirname(raw), { recursive: true });
    writeFileSync(raw, 'id,d\nA-1,1.5\nA-2,4\n');
    await runLocalEtl({
      lakeRoot,
      dataset: 'ds',
      spec: pipeline.datasets.ds!,
      runId: RUN_ID,
      stageId: 'etl',
    });

    // Act
    const curated = buildLakeCatalog(pipeline).tables.find((t) => t.name === 'curated_ds')!;
    const ddl = createTableStatement(curated, 'lakepipe-dev-lake');
    const lake = await openLocalLake({ lakeRoot, pipeline });
    const twin = await lake.query('SELECT d2, typeof(d2) AS d2_type FROM curated_ds ORDER BY id');
    lake.close();

    // Assert
    expect(pipeline.contracts?.ds?.curated).toContainEqual({ name: 'd2', type: 'double' });
    expect(ddl).toContain('`d2` double');
    expect(twin.rows).toEqual([
      [3, 'DOUBLE'],
      [8, 'DOUBLE'],
    ]);
  });
});
