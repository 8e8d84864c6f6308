import { z } from 'zod';
import type { CompileTarget, StageType } from '../stage-type';

/** The CompileTarget every workflow test compiles for. */
export const testTarget: CompileTarget = {
  env: 'test',
  accountId: '123456789012',
  region: 'eu-west-1',
  resourceName: (component) => `lakepipe-test-${component}`,
  lakeBucket: 'lakepipe-test-lake-123456789012-eu-west-1',
  ledgerTable: 'lakepipe-test-ledger',
  errorTopicArn: 'arn:aws:sns:eu-west-1:123456789012:lakepipe-test-errors',
};

const functionArn = (target: CompileTarget, stageId: string) =>
  `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName(stageId)}`;

/**
 * A stand-in stage: one Lambda task whose result is the stage output. Behaviour tests bind a
 * local handler to its state by name.
 */
export const fakeStageType: StageType<{ readonly note?: string }> = {
  type: 'fake',
  description: 'test stand-in: one Lambda call',
  attributes: z.strictObject({ note: z.string().optional() }),
  compile: ({ stageId, target }) => [
    {
      key: 'run',
      state: { Type: 'Task', Resource: functionArn(target, stageId), Parameters: { 'runId.$': '$.runId', stage: stageId } },
    },
  ],
  permissions: ({ stageId, target }) => [{ actions: ['lambda:InvokeFunction'], resources: [functionArn(target, stageId)] }],
  counts: ['rows'],
  local: {},
};

const lambdaStage = <A>(type: string, attributes: z.ZodType<A>, fields: readonly string[]): StageType<A> => ({
  type,
  description: `test stand-in for ${type}`,
  attributes,
  compile: ({ stageId, target }) => [
    {
      key: 'invoke',
      state: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: functionArn(target, stageId), Payload: { 'runId.$': '$.runId', stageId } },
        ResultSelector: Object.fromEntries(fields.map((f) => [`${f}.$`, `$.Payload.${f}`])),
      },
    },
  ],
  permissions: ({ stageId, target }) => [{ actions: ['lambda:InvokeFunction'], resources: [functionArn(target, stageId)] }],
  local: {},
});

const datasetName = z.string().regex(/^[a-z][a-z0-9_]*$/);

/** Stand-ins with the attribute shapes of the four services' stage types, for the repo's pipeline.yaml. */
export const serviceStandIns: readonly StageType[] = [
  lambdaStage(
    'sourcing',
    z.strictObject({ datasets: z.array(datasetName).min(1), memoryMb: z.number().int().optional() }),
    ['files', 'bytes', 'duplicates', 'skipped'],
  ),
  {
    type: 'spark-etl',
    description: 'test stand-in for spark-etl: a Glue job run',
    attributes: z.strictObject({
      dataset: datasetName,
      workers: z.strictObject({ type: z.enum(['G.1X', 'G.2X']), count: z.number().int().min(2) }),
    }),
    validate: ({ attributes, datasets }) =>
      (attributes as { dataset: string }).dataset in datasets
        ? []
        : [{ path: ['dataset'], message: `names no dataset; datasets: ${Object.keys(datasets).join(', ')}` }],
    compile: ({ stageId, target }) => [
      {
        key: 'run',
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::glue:startJobRun.sync',
          Parameters: { JobName: target.resourceName(stageId), Arguments: { '--run_id.$': '$.runId' } },
          ResultSelector: { 'jobRunId.$': '$.Id' },
        },
      },
    ],
    permissions: ({ stageId, target }) => [
      { actions: ['glue:StartJobRun', 'glue:GetJobRun'], resources: [`arn:aws:glue:${target.region}:${target.accountId}:job/${target.resourceName(stageId)}`] },
    ],
    counts: [],
    nonRetryableErrors: ['RejectRatioExceededError'],
    local: {},
  } as StageType,
  lambdaStage(
    'sagemaker-scoring',
    z.strictObject({
      dataset: datasetName,
      instance: z.strictObject({ type: z.string(), count: z.number().int() }),
      threshold: z.number().min(0).max(1),
    }),
    ['scoredRows', 'flaggedRows'],
  ),
  lambdaStage(
    'view',
    z.strictObject({ datasets: z.array(datasetName).optional(), views: z.array(z.string()).optional() }),
    ['views'],
  ),
] as StageType[];
