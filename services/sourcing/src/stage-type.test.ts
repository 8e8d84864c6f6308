import { lakePrefixes, readStageManifest, runIdDate } from '@lakepipe/lake';
import {
  type CompileTarget,
  createStageRegistry,
  type LocalStageContext,
  parsePipeline,
} from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { sourcingStageType } from './stage-type';
import { freshFolderLake, freshLedger, nextRunId } from './test-support/fixtures';

const target: CompileTarget = {
  env: 'dev',
  accountId: '111111111111',
  region: 'eu-west-1',
  resourceName: (c) => `lakepipe-dev-${c}`,
  lakeBucket: 'lakepipe-dev-lake-111111111111-eu-west-1',
  ledgerTable: 'lakepipe-dev-ledger',
  errorTopicArn: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
};

const PIPELINE = (stage: string) => `
name: sourcing-only
datasets:
  bench_tests:
    source: { type: s3, prefix: landing/bench_tests/ }
    columns:
      test_id: { type: string }
stages:
  source: ${stage}
flow: [source]
`;

const registry = createStageRegistry([sourcingStageType as never]);

describe('the sourcing stage type', () => {
  it('compiles to one lambda:invoke of the environment function with each dataset source in the payload', () => {
    // Arrange
    const model = parsePipeline(PIPELINE('{ type: sourcing, datasets: [bench_tests], memoryMb: 2048 }'), {
      registry,
    });
    const stage = model.stages.source!;

    // Act
    const steps = sourcingStageType.compile({
      stageId: 'source',
      attributes: stage.attributes as never,
      datasets: model.datasets,
      pipelineName: model.name,
      target,
    });
    const permissions = sourcingStageType.permissions({
      stageId: 'source',
      attributes: stage.attributes as never,
      datasets: model.datasets,
      pipelineName: model.name,
      target,
    });

    // Assert
    const arn = 'arn:aws:lambda:eu-west-1:111111111111:function:lakepipe-dev-sourcing';
    expect(steps).toEqual([
      {
        key: 'ingest',
        // pipeline.yaml's source stage: timeoutSeconds 900, the function's own timeout
        serviceTimeoutSeconds: 900,
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Comment: 'sourcing: land bench_tests in raw/',
          Parameters: {
            FunctionName: arn,
            Payload: {
              'runId.$': '$.runId',
              stageId: 'source',
              datasets: { bench_tests: { type: 's3', prefix: 'landing/bench_tests/' } },
            },
          },
          ResultSelector: {
            'files.$': '$.Payload.files',
            'bytes.$': '$.Payload.bytes',
            'duplicates.$': '$.Payload.duplicates',
            'skipped.$': '$.Payload.skipped',
            'quarantined.$': '$.Payload.quarantined',
          },
        },
      },
    ]);
    expect(permissions).toEqual([{ actions: ['lambda:InvokeFunction'], resources: [arn] }]);
  });

  it('puts the sourceOverride in the payload instead of the dataset source', () => {
    // Arrange
    const model = parsePipeline(
      PIPELINE(
        '{ type: sourcing, datasets: [bench_tests], sourceOverride: { type: http, urls: ["https://example.com/a.csv"] } }',
      ),
      { registry },
    );

    // Act
    const [step] = sourcingStageType.compile({
      stageId: 'source',
      attributes: model.stages.source!.attributes as never,
      datasets: model.datasets,
      pipelineName: model.name,
      target,
    });

    // Assert
    expect((step!.state.Parameters as { Payload: { datasets: unknown } }).Payload.datasets).toEqual({
      bench_tests: { type: 'http', urls: ['https://example.com/a.csv'] },
    });
  });

  it('rejects an undeclared dataset and a memory size out of range, with their lines', () => {
    // Arrange
    const text = PIPELINE('{ type: sourcing, datasets: [bench_test], memoryMb: 64 }');

    // Act
    const parse = () => parsePipeline(text, { registry });

    // Assert
    expect(parse).toThrow(/memoryMb.*must be at least 128 MB/);
    expect(() => parsePipeline(PIPELINE('{ type: sourcing, datasets: [bench_test] }'), { registry })).toThrow(
      /dataset "bench_test" is not declared under datasets: \(declared: bench_tests\)/,
    );
  });

  it('runs locally on the twin lake and returns what lambda:invoke returns', async () => {
    // Arrange
    const { root, store } = await freshFolderLake();
    const ledger = await freshLedger();
    await store.put('landing/bench_tests/a.csv', 'test_id\nT-000000001\n');
    const runId = nextRunId();
    const progress: unknown[] = [];
    const context: LocalStageContext = {
      env: 'local',
      stageId: 'source',
      lakeRoot: root,
      store,
      ledger,
      // only the source matters to sourcing
      datasets: { bench_tests: { source: { type: 's3', prefix: 'landing/bench_tests/' } } as never },
      progress: (update) => progress.push(update),
    };
    const request = { runId, stageId: 'source', attributes: { datasets: ['bench_tests'] }, parameters: {} };

    // Act
    const output = (await sourcingStageType.local.ingest!(request, context)) as {
      Payload: Record<string, unknown>;
    };

    // Assert
    expect(output.Payload).toMatchObject({ files: 1, bytes: 20, duplicates: 0, skipped: 0 });
    expect(
      await store.head(lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'a.csv')),
    ).toBeDefined();
    expect(progress).toEqual([{ files: 1, message: 'ingested a.csv' }]);
    expect((await readStageManifest(store, runId, 'source')).counts).toEqual({
      files: 1,
      bytes: 20,
      duplicates: 0,
      skipped: 0,
      quarantined: 0,
    });
  });
});
