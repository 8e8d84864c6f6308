import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { lakePrefixes } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import { Ledger, runLedgerTask } from '@lakepipe/ledger';
import {
  createLedgerTable,
  dynamoClientFor,
  dynamoDocumentClientFor,
  s3ClientFor,
  uniqueTableName,
} from '@lakepipe/testing';
import { dynamoDbEndpoint, s3Endpoint } from '@lakepipe/testing/vitest';
import {
  type CompileTarget,
  compilePipeline,
  createStageRegistry,
  localExecutionContext,
  parsePipeline,
} from '@lakepipe/workflow';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { createCountHandler } from './count-handler';
import { scoreChunks } from './scorer/score-features';
import { Scorer } from './scorer/scorer';
import { readReference, shippedModelDir } from './scorer/test-support';
import { SHIPPED_MODEL_FILE } from './shipped-model';
import { sagemakerScoringStageType } from './stage-type';

const RUN_ID = '20261130T110000Z-5c0123';
const THRESHOLD = 0.4;
const FEATURES = [
  'duration_s',
  'temperature_c',
  'voltage_v',
  'current_a',
  'vibration_mm_s',
  'pressure_kpa',
  'error_count',
];

const PIPELINE = `
name: cloud-shaped
datasets:
  bench_tests:
    source: { type: s3, prefix: landing/bench_tests/ }
    columns:
      test_id: { type: string, required: true, unique: true }
${FEATURES.map((f) => `      ${f}: { type: double }`).join('\n')}
    features: [${FEATURES.join(', ')}]
stages:
  score: { type: sagemaker-scoring, dataset: bench_tests, instance: { type: ml.m5.xlarge, count: 1 }, threshold: ${THRESHOLD} }
flow: [score]
`;

/** s3:// URI -> [bucket, key] */
function splitS3Uri(uri: string): [string, string] {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return [match[1]!, match[2]!];
}

/**
 * A stand-in for SageMaker batch transform against s3rver: scores every object under the job's
 * input prefix with the shipped model and writes `<name>.out` in its `$[0,-1]` join shape to the
 * output path, as the built-in XGBoost container does. It reports no counts, like the real one.
 */
interface TransformRequest {
  readonly TransformJobName: string;
  readonly TransformInput: { readonly DataSource: { readonly S3DataSource: { readonly S3Uri: string } } };
  readonly TransformOutput: { readonly S3OutputPath: string };
}

async function sageMakerTransform(store: S3ObjectStore, request: TransformRequest) {
  const [, inputPrefix] = splitS3Uri(request.TransformInput.DataSource.S3DataSource.S3Uri);
  const [, outputPrefix] = splitS3Uri(request.TransformOutput.S3OutputPath);
  const scorer = await Scorer.load(SHIPPED_MODEL_FILE);
  for await (const object of store.listAll(inputPrefix)) {
    const name = object.key.slice(inputPrefix.length);
    const chunks = scoreChunks(scorer, await store.get(object.key), {
      file: object.key,
      chunkBytes: 1 << 20,
    });
    const lines = async function* () {
      for await (const chunk of chunks) yield* chunk.parts;
    };
    await store.put(`${outputPrefix}${name}.out`, Readable.from(lines()));
  }
  return { TransformJobName: request.TransformJobName, TransformJobStatus: 'Completed' };
}

describe('the scoring stage as AWS runs it', () => {
  it('ends with exact scored and flagged counts in the state and the ledger (SageMaker reports none)', async () => {
    // Arrange: the lake on s3rver, the ledger on DynamoDB Local, the run's features in the lake
    const bucket = `lake-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const s3 = s3ClientFor(s3Endpoint());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = new S3ObjectStore({ client: s3, bucket });
    const tableName = uniqueTableName('cloud-shaped');
    await createLedgerTable(dynamoDocumentClientFor(dynamoDbEndpoint()), tableName);
    const dynamo = dynamoClientFor(dynamoDbEndpoint());
    const reference = readReference(shippedModelDir);
    const lines = reference.featuresCsv.trimEnd().split('\n');
    const features = lakePrefixes.features('bench_tests', RUN_ID);
    await store.put(`${features}part-0.csv`, `${lines.slice(0, 1000).join('\n')}\n`);
    await store.put(`${features}part-1.csv`, `${lines.slice(1000).join('\n')}\n`);
    const target: CompileTarget = {
      env: 'dev',
      accountId: '111111111111',
      region: 'eu-west-1',
      resourceName: (component) => `lakepipe-dev-${component}`,
      lakeBucket: bucket,
      ledgerTable: tableName,
      errorTopicArn: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
    };
    const registry = createStageRegistry([sagemakerScoringStageType as never]);
    const compiled = compilePipeline(parsePipeline(PIPELINE, { registry }), registry, target);
    const countLambda = createCountHandler(() => store);

    // each Task state runs what its AWS resource does, against the local servers
    // the resolved Parameters of each state, in the shape of its AWS API's request
    type TaskInput = TransformRequest & { Bucket: string; Key: string; Payload: unknown };
    const handlers: Record<string, (input: TaskInput) => Promise<unknown>> = {};
    const notifications: unknown[] = [];
    for (const [name, binding] of Object.entries(compiled.bindings)) {
      if (binding.kind === 'ledger') {
        const api = binding.api;
        handlers[name] = (input) => runLedgerTask(dynamo, api, input);
      } else if (binding.kind === 'manifest')
        handlers[name] = async (input) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: input.Bucket, Key: input.Key }));
          return { Body: await object.Body!.transformToString() };
        };
      else if (binding.kind === 'notify')
        handlers[name] = async (input) => {
          notifications.push(input);
          return { MessageId: 'm' };
        };
      else if (binding.stepKey === 'transform') handlers[name] = (input) => sageMakerTransform(store, input);
      else if (binding.stepKey === 'count')
        handlers[name] = async (input) => ({ StatusCode: 200, Payload: await countLambda(input.Payload) });
    }

    // Act
    const machine = new StateMachine(compiled.definition as never, {
      validationOptions: { checkArn: false },
    });
    const output = (await machine.run({ runId: RUN_ID } as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: localExecutionContext() as never,
    }).result) as { score: Record<string, number> };

    // Assert
    const flagged = reference.expected.filter((p) => p >= THRESHOLD).length;
    expect(notifications).toEqual([]);
    expect(output.score).toEqual({
      scoredRows: reference.rows,
      flaggedRows: flagged,
      files: 2,
      threshold: THRESHOLD,
    });
    const run = await new Ledger({ client: dynamoDocumentClientFor(dynamoDbEndpoint()), tableName }).getRun(
      RUN_ID,
    );
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.stages).toEqual([
      expect.objectContaining({
        stageId: 'score',
        status: 'SUCCEEDED',
        counts: { scoredRows: reference.rows, flaggedRows: flagged },
      }),
    ]);
    expect(run?.counters).toEqual({ scoredRows: reference.rows, flaggedRows: flagged });
  });
});
