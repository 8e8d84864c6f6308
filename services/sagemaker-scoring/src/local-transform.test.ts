import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FolderObjectStore, lakePrefixes, readAll, readStageManifest } from '@lakepipe/lake';
import { createLedgerClient, Ledger } from '@lakepipe/ledger';
import { createLedgerTable, LOCAL_CREDENTIALS, LOCAL_REGION, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import { type CompileTarget, type LocalStageContext, manifestReadState } from '@lakepipe/workflow';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { FeatureRowsRejectedError } from './errors';
import { runLocalTransform } from './local-transform';
import { readReference, shippedModelDir } from './scorer/test-support';
import { sagemakerScoringStageType } from './stage-type';

const RUN_ID = '20261126T064500Z-a1b2c3';
const target: CompileTarget = {
  env: 'dev',
  accountId: '111111111111',
  region: 'eu-west-1',
  resourceName: (component) => `lakepipe-dev-${component}`,
  lakeBucket: 'lakepipe-dev-lake-111111111111-eu-west-1',
  ledgerTable: 'lakepipe-dev-ledger',
  errorTopicArn: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
};

async function localContext(): Promise<LocalStageContext & { store: FolderObjectStore; ledger: Ledger }> {
  const lakeRoot = mkdtempSync(path.join(os.tmpdir(), 'scoring-lake-'));
  const client = createLedgerClient({
    endpoint: dynamoDbEndpoint(),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = uniqueTableName('scoring');
  await createLedgerTable(client, tableName);
  return {
    env: 'dev',
    stageId: 'score',
    lakeRoot,
    store: new FolderObjectStore(lakeRoot),
    ledger: new Ledger({ client, tableName }),
    datasets: {},
    progress: () => {},
  };
}

/**
 * The compiled stage as the twin runs it: transform, count, then the compiler's manifest read,
 * each Task bound to its local engine (the manifest read to the folder lake). Returns the counts.
 */
function runCompiledStage(context: LocalStageContext & { store: FolderObjectStore }, threshold: number) {
  const attributes = sagemakerScoringStageType.attributes.parse({
    dataset: 'bench_tests',
    instance: { type: 'ml.m5.xlarge', count: 1 },
    threshold,
  });
  const [transform, count] = sagemakerScoringStageType.compile({
    stageId: 'score',
    attributes,
    datasets: {},
    pipelineName: 'bench-quality',
    target,
  });
  const machine = new StateMachine({
    StartAt: 'score.transform',
    States: {
      'score.transform': { ...transform!.state, ResultPath: '$.score', Next: 'score.count' },
      'score.count': { ...count!.state, ResultPath: '$.score', Next: 'score.manifest' },
      'score.manifest': {
        ...manifestReadState(target, 'score'),
        ResultPath: '$.score',
        OutputPath: '$.score.manifest.counts',
        End: true,
      },
    },
  } as never);
  const request = (parameters: unknown) => ({ runId: RUN_ID, stageId: 'score', attributes, parameters });
  return machine.run(
    { runId: RUN_ID },
    {
      overrides: {
        taskResourceLocalHandlers: {
          'score.transform': (input) =>
            sagemakerScoringStageType.local.transform!(request(input), context) as never,
          'score.count': (input) => sagemakerScoringStageType.local.count!(request(input), context) as never,
          'score.manifest': (async (input: { Key: string }) => ({
            Body: (await readAll(await context.store.get(input.Key))).toString('utf8'),
          })) as never,
        },
      },
    },
  ).result;
}

describe('the local transform engine', () => {
  it('scores every features file of the run into scored/, then counts it exactly into the manifest', async () => {
    // Arrange
    const context = await localContext();
    const reference = readReference(shippedModelDir);
    const lines = reference.featuresCsv.trimEnd().split('\n');
    const features = lakePrefixes.features('bench_tests', RUN_ID);
    await context.store.put(`${features}part-0.csv`, `${lines.slice(0, 1200).join('\n')}\n`);
    await context.store.put(`${features}part-1.csv`, `${lines.slice(1200).join('\n')}\n`);
    await context.store.put(`${lakePrefixes.scored('bench_tests', RUN_ID)}stale.csv.out`, 'old,1\n');
    const expectedFlagged = reference.expected.filter((p) => p >= 0.4).length;

    // Act
    const counts = (await runCompiledStage(context, 0.4)) as Record<string, unknown>;

    // Assert
    expect(counts).toEqual({
      scoredRows: reference.rows,
      flaggedRows: expectedFlagged,
      files: 2,
      threshold: 0.4,
    });
    const scored = lakePrefixes.scored('bench_tests', RUN_ID);
    const keys = [];
    for await (const o of context.store.listAll(scored)) keys.push(o.key);
    expect(keys).toEqual([`${scored}part-0.csv.out`, `${scored}part-1.csv.out`]);
    const part1 = await readFile(path.join(context.lakeRoot, `${scored}part-1.csv.out`), 'utf8');
    const [id, score] = part1.split('\n')[0]!.split(',');
    expect(id).toBe(lines[1200]!.split(',')[0]);
    expect(Math.abs(Number(score) - reference.expected[1200]!)).toBeLessThanOrEqual(1e-6);
    const manifest = await readStageManifest(context.store, RUN_ID, 'score');
    expect(manifest).toMatchObject({
      stageType: 'sagemaker-scoring',
      counts: { scoredRows: reference.rows, flaggedRows: expectedFlagged, files: 2, threshold: 0.4 },
      schema: {
        scored: [
          { name: 'id', type: 'string' },
          { name: 'score', type: 'double' },
        ],
      },
    });
    expect(manifest.outputs.map((o) => o.key)).toEqual(keys);
    const history = await context.ledger.objectHistory(`${scored}part-0.csv.out`);
    expect(history).toEqual([
      expect.objectContaining({ runId: RUN_ID, stageId: 'score', from: `${features}part-0.csv` }),
    ]);
  });

  it('succeeds with zero rows when the run has no features files', async () => {
    // Arrange
    const context = await localContext();

    // Act
    const counts = (await runCompiledStage(context, 0.5)) as Record<string, unknown>;

    // Assert
    expect(counts).toMatchObject({ scoredRows: 0, flaggedRows: 0, files: 0 });
  });

  it.each([
    ['whole', undefined],
    ['a line at a time', 48],
  ])(
    'writes bad rows to scored/_rejected.csv with file:line and fails like the cloud job would (scored %s)',
    async (_, chunkBytes) => {
      // Arrange
      const context = await localContext();
      const features = lakePrefixes.features('bench_tests', RUN_ID);
      const key = `${features}part-0.csv`;
      await context.store.put(
        key,
        [
          'T-000000001,60.1,41.2,24.0,3.9,2.5,101.0,0',
          'T-000000002,60.1,hot,24.0,3.9,2.5,101.0,0',
          'T-000000003,60.1,41.2,24.0',
          'T-000000004,,,,,,,',
          '',
        ].join('\n'),
      );
      const request = { runId: RUN_ID, dataset: 'bench_tests', threshold: 0.5 };

      // Act
      const failure = await runLocalTransform(request, context, { chunkBytes }).catch((e: unknown) => e);

      // Assert
      expect(failure).toBeInstanceOf(FeatureRowsRejectedError);
      expect((failure as Error).message).toBe(
        `2 features row(s) could not be scored (written to scored/bench_tests/run=${RUN_ID}/_rejected.csv); first: ${key}:2: column 3 (feature 2) is "hot", which is not a number`,
      );
      const rejected = await readFile(
        path.join(context.lakeRoot, `scored/bench_tests/run=${RUN_ID}/_rejected.csv`),
        'utf8',
      );
      expect(rejected.trimEnd().split('\n')).toEqual([
        'source_file,line_number,column_number,reason_rule,reason,raw_value,raw_record',
        `${key},2,3,number,"column 3 (feature 2) is ""hot"", which is not a number",hot,"T-000000002,60.1,hot,24.0,3.9,2.5,101.0,0"`,
        `${key},3,,column_count,has 4 columns; expected 8 (the id and 7 features),,"T-000000003,60.1,41.2,24.0"`,
      ]);
      // a failed transform leaves no manifest: the stage fails before its count step, as in AWS
      expect(await context.store.head(lakePrefixes.manifest(RUN_ID, 'score'))).toBeUndefined();
    },
  );
});
