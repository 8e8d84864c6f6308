import { compileTargetFor } from '@lakepipe/constructs';
import { testEnvConfig } from '@lakepipe/constructs/testing';
import { FolderObjectStore, readStageManifest } from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { LocalStageContext } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { type SparkEtlAttributes, sparkEtlAttributes, sparkEtlStageType } from './stage-type';
import { landRaw, tempLake } from './test-support/lake';
import { benchTestsSpec } from './test-support/pipeline';

const RUN = '20261126T020000Z-a1b2c3';
const target = compileTargetFor(testEnvConfig({ name: 'dev' }));
const attributes: SparkEtlAttributes = { dataset: 'bench_tests', workers: { type: 'G.2X', count: 6 } };
const datasets = { bench_tests: { ...benchTestsSpec(), maxRejectRatio: 1 } };
const context = {
  stageId: 'etl',
  attributes,
  timeoutSeconds: 1790,
  datasets,
  pipelineName: 'bench-quality',
  target,
};

describe('sparkEtlStageType', () => {
  it('compiles to a Glue startJobRun.sync sized per stage (the compiler adds the manifest read)', () => {
    // Act
    const steps = sparkEtlStageType.compile(context);

    // Assert
    expect(steps).toEqual([
      {
        key: 'run',
        // the Glue job's timeout, whole minutes (1790 s -> 30 min): the state outlasts it
        serviceTimeoutSeconds: 1800,
        retry: [
          {
            ErrorEquals: ['Glue.ConcurrentRunsExceededException'],
            IntervalSeconds: 30,
            MaxAttempts: 10,
            BackoffRate: 2,
            MaxDelaySeconds: 600,
            JitterStrategy: 'FULL',
          },
        ],
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::glue:startJobRun.sync',
          Comment: 'ETL of bench_tests on Glue (6 x G.2X)',
          Parameters: {
            JobName: 'lakepipe-dev-etl-etl',
            Arguments: { '--run_id.$': '$.runId', '--stage_id': 'etl', '--dataset': 'bench_tests' },
            WorkerType: 'G.2X',
            NumberOfWorkers: 6,
          },
        },
      },
    ]);
  });

  it('declares the manifest counts the state machine records for each attempt in the ledger', () => {
    // Assert
    expect(sparkEtlStageType.counts).toEqual(['filesRead', 'rowsRead', 'curatedRows', 'rejectedRows']);
  });

  it('asks for exactly the job (the compiler grants the manifest read)', () => {
    // Act
    const permissions = sparkEtlStageType.permissions(context);

    // Assert
    expect(permissions).toEqual([
      {
        actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
        resources: [`arn:aws:glue:${target.region}:${target.accountId}:job/lakepipe-dev-etl-etl`],
      },
    ]);
  });

  it('rejects an unknown worker type and a missing dataset with what is allowed', () => {
    // Act
    const badWorkers = sparkEtlAttributes.safeParse({
      dataset: 'x',
      workers: { type: 'Standard', count: 2 },
    });
    const missing = sparkEtlStageType.validate!({
      ...context,
      attributes: { ...attributes, dataset: 'nope' },
    });
    const badSpec = sparkEtlStageType.validate!({
      ...context,
      datasets: { bench_tests: { ...benchTestsSpec(), features: ['device_id'] } },
    });

    // Assert
    expect(badWorkers.error?.issues[0]?.message).toBe(
      'unknown Glue worker type "Standard": use one of G.1X, G.2X, G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, R.8X',
    );
    expect(missing).toEqual([
      {
        path: ['dataset'],
        message: 'dataset "nope" is not declared under datasets: (declared: bench_tests)',
      },
    ]);
    expect(badSpec).toEqual([
      {
        path: ['datasets', 'bench_tests', 'features', 0],
        message: 'feature device_id is string, not a numeric column (int, bigint, double, decimal)',
      },
    ]);
  });

  it('runs locally on DuckDB from a typed request and leaves the stage manifest with its counts', async () => {
    // Arrange
    const lakeRoot = tempLake();
    landRaw(lakeRoot, 'bench_tests', RUN, ['a-bench.csv']);
    const progress: unknown[] = [];
    const store = new FolderObjectStore(lakeRoot);
    const local: LocalStageContext = {
      env: 'local',
      stageId: 'etl',
      lakeRoot,
      store,
      ledger: { recordMovements: async () => {} } as unknown as LedgerWriter,
      datasets,
      progress: (u) => progress.push(u),
    };

    // Act
    const jobRun = await sparkEtlStageType.local.run!(
      { runId: RUN, stageId: 'etl', attributes, parameters: {} },
      local,
    );
    const manifest = await readStageManifest(store, RUN, 'etl');

    // Assert
    expect(jobRun).toMatchObject({ JobRunState: 'SUCCEEDED' });
    expect(manifest).toMatchObject({
      stageType: 'spark-etl',
      engine: 'duckdb',
      counts: {
        filesRead: 1,
        rowsRead: 15,
        curatedRows: 5,
        rejectedRows: 10,
        rejectedRatio: 0.666667,
        partitions: 3,
      },
    });
    expect(manifest.outputs.every((o) => /^[0-9a-f]{64}$/.test(o.sha256) && o.bytes > 0)).toBe(true);
    expect(manifest.schema.curated?.map((c) => c.name)).toContain('run_id');
    expect(progress).toContainEqual(expect.objectContaining({ rows: 15 }));
  });
});
