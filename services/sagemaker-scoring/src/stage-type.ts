import {
  DEFAULT_THRESHOLD,
  LOCAL_STORAGE_INSTANCE,
  lakeKeyAliasArn,
  type StageCompileContext,
  type StageType,
  safeNameSchema,
} from '@lakepipe/workflow';
import { z } from 'zod';
import { modelProblems, scoredOutputs, stageModel } from './stage-model';

/** Instance types SageMaker batch transform accepts (CreateTransformJob's TransformInstanceType). */
export const TRANSFORM_INSTANCE_TYPES = [
  ...sizes('ml.m4', ['xlarge', '2xlarge', '4xlarge', '10xlarge', '16xlarge']),
  ...sizes('ml.m5', ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge']),
  ...sizes('ml.m6i', [
    'large',
    'xlarge',
    '2xlarge',
    '4xlarge',
    '8xlarge',
    '12xlarge',
    '16xlarge',
    '24xlarge',
  ]),
  ...sizes('ml.c4', ['xlarge', '2xlarge', '4xlarge', '8xlarge']),
  ...sizes('ml.c5', ['xlarge', '2xlarge', '4xlarge', '9xlarge', '18xlarge']),
  ...sizes('ml.c6i', [
    'large',
    'xlarge',
    '2xlarge',
    '4xlarge',
    '8xlarge',
    '12xlarge',
    '16xlarge',
    '24xlarge',
  ]),
  ...sizes('ml.r5', ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge']),
  ...sizes('ml.g4dn', ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge']),
  ...sizes('ml.p3', ['2xlarge', '8xlarge', '16xlarge']),
] as const;

function sizes(family: string, list: readonly string[]): string[] {
  return list.map((s) => `${family}.${s}`);
}

export const sagemakerScoringAttributes = z.strictObject({
  /** the dataset whose `features/` are scored; it must declare `features` */
  dataset: safeNameSchema,
  instance: z.strictObject({
    type: z.string().refine((t) => (TRANSFORM_INSTANCE_TYPES as readonly string[]).includes(t), {
      message: `must be a batch transform instance type (${TRANSFORM_INSTANCE_TYPES.slice(0, 4).join(', ')}, ...; see TRANSFORM_INSTANCE_TYPES)`,
    }),
    count: z.number().int().min(1).max(100),
  }),
  /**
   * The XGBoost model to score with: a JSON (`model.json`) or UBJSON (`model.ubj`) file, relative to
   * pipeline.yaml's folder, or an `s3://bucket/key` of a SageMaker model.tar.gz (cloud only; the twin
   * needs a local file). `lakepipe validate` checks a local file against the dataset.
   * @default the shipped model, services/sagemaker-scoring/model/xgboost-model.json
   */
  model: z.string().min(1).optional(),
  /**
   * A row is flagged when its score (a multi-class model: `flagClass`'s score) is >= threshold.
   * @default 0.5
   */
  threshold: z.number().min(0).max(1).optional(),
  /**
   * A multi-class model's class `flagged` is defined on: its index (0-based) or one of `classNames`.
   * @default none: a multi-class dataset's `flagged` is null
   */
  flagClass: z.union([z.number().int().min(0), z.string().min(1)]).optional(),
  /**
   * Names of a multi-class model's classes, in class order: the score columns become
   * `score_<name>`. Required for a multi-class `s3://` model (lakepipe cannot read its class count).
   * @default `score_0`, `score_1`, ... for a multi-class model
   */
  classNames: z
    .array(
      z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, {
        message: 'must be a lower-case letter, then lower-case letters, digits or _ (at most 40)',
      }),
    )
    .min(2)
    .refine((names) => new Set(names).size === names.length, { message: 'must not repeat a name' })
    .optional(),
  /**
   * Largest request SageMaker sends the container, in MB (0 = unlimited, for streaming).
   * @default SageMaker's default, 6 MB
   */
  maxPayloadMb: z.number().int().min(0).max(100).optional(),
  /**
   * Parallel requests per instance.
   * @default SageMaker's default, one per vCPU for the built-in XGBoost container
   */
  maxConcurrentTransforms: z.number().int().min(1).max(64).optional(),
});

export type SageMakerScoringAttributes = z.infer<typeof sagemakerScoringAttributes>;

/** The SageMaker model every scoring stage of an environment runs: `lakepipe-<env>-scoring-model`. */
export function scoringModelName(target: { resourceName(component: string): string }): string {
  return target.resourceName('scoring-model');
}

/** `arn:aws:sagemaker:<region>:<account>:model/lakepipe-<env>-scoring-model` */
export function scoringModelArn(target: StageCompileContext<unknown>['target']): string {
  return `arn:aws:sagemaker:${target.region}:${target.accountId}:model/${scoringModelName(target)}`;
}

/**
 * The SageMaker model a stage runs: the environment's shared `lakepipe-<env>-scoring-model` when the
 * stage names no `model:`, else its own `lakepipe-<env>-model-<stage>` (<= 63 characters, [a-zA-Z0-9-]).
 */
export function stageModelName(
  target: { resourceName(component: string): string },
  stageId: string,
  attributes: Pick<SageMakerScoringAttributes, 'model'>,
): string {
  if (attributes.model === undefined) return scoringModelName(target);
  return target
    .resourceName(`model-${stageId}`)
    .replace(/[^a-zA-Z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** `arn:aws:sagemaker:<region>:<account>:model/<stageModelName>` */
export function stageModelArn(
  target: StageCompileContext<unknown>['target'],
  stageId: string,
  attributes: Pick<SageMakerScoringAttributes, 'model'>,
): string {
  return `arn:aws:sagemaker:${target.region}:${target.accountId}:model/${stageModelName(target, stageId, attributes)}`;
}

// the lake key by its alias ARN (SageMaker accepts it for KmsKeyId and VolumeKmsKeyId): @lakepipe/workflow
export { lakeKeyAliasArn } from '@lakepipe/workflow';

/** Keeps the job name <= 63 characters: prefix (<= 29) + '-' + run id (24) + '-' + 8 random hex. */
const JOB_PREFIX_MAX = 29;

/** `lakepipe-<env>-<stage>` made valid for a transform job name ([a-zA-Z0-9-]) and short enough. */
export function transformJobPrefix(env: string, stageId: string): string {
  return `lakepipe-${env}-${stageId}`
    .replace(/[^a-zA-Z0-9-]/g, '-')
    .slice(0, JOB_PREFIX_MAX)
    .replace(/-+$/, '');
}

/** The count Lambda every scoring stage of an environment invokes after its transform job. */
export const SCORING_COUNTER_COMPONENT = 'scoring-counter';

/** `arn:aws:lambda:<region>:<account>:function:lakepipe-<env>-scoring-counter`, no Terraform token. */
export function scoringCounterArn(target: StageCompileContext<unknown>['target']): string {
  return `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName(SCORING_COUNTER_COMPONENT)}`;
}

/** The count Lambda's timeout: it streams every scored file of a run once. */
export const SCORING_COUNTER_TIMEOUT_SECONDS = 900;

export const sagemakerScoringStageType: StageType<SageMakerScoringAttributes> = {
  type: 'sagemaker-scoring',
  description:
    'Scores features/<dataset>/run=<runId>/ with the XGBoost model into scored/ (cloud: SageMaker batch transform; local: the TypeScript scorer)',
  attributes: sagemakerScoringAttributes,
  // recorded in the ledger per attempt, exact in AWS too (the count step)
  counts: ['scoredRows', 'flaggedRows'],
  // a model that cannot be read or does not fit the features fails the same way on every attempt
  nonRetryableErrors: [
    'ModelFileError',
    'ModelFormatError',
    'ModelMismatchError',
    'FeatureRowsRejectedError',
  ],

  validate({ attributes, datasets, pipeline, pipelineFile }) {
    const dataset = datasets[attributes.dataset];
    if (!dataset)
      return [
        {
          path: ['dataset'],
          message: `dataset ${JSON.stringify(attributes.dataset)} is not declared under datasets: (declared: ${Object.keys(datasets).join(', ') || 'none'})`,
        },
      ];
    if (!dataset.features || dataset.features.length === 0)
      return [
        {
          path: ['dataset'],
          message: `dataset ${JSON.stringify(attributes.dataset)} declares no features: the model needs its input columns`,
        },
      ];
    return modelProblems(attributes, dataset.features, pipelineFile ?? pipeline?.sourceFile);
  },

  contract({ attributes, datasets, pipelineFile }) {
    const spec = datasets[attributes.dataset];
    if (!spec) return [];
    const outputs = scoredOutputs(attributes, pipelineFile);
    const [idName, idColumn] =
      Object.entries(spec.columns).find(([, c]) => c.unique) ?? Object.entries(spec.columns)[0]!;
    return [
      {
        dataset: attributes.dataset,
        // SageMaker's join with OutputFilter $[0,-1]: the id, then the model's outputs
        scored: {
          columns: [
            { name: idName, type: idColumn.type },
            ...outputs.columns.map((name) => ({ name, type: 'double' })),
          ],
          threshold: attributes.threshold ?? DEFAULT_THRESHOLD,
          classes: outputs.columns.length,
          ...(outputs.flagColumn === undefined ? {} : { flagColumn: outputs.flagColumn }),
        },
      },
    ];
  },

  compile({ stageId, attributes, target, datasets, pipeline, pipelineFile }) {
    const bucket = target.lakeBucket;
    const outputs = scoredOutputs(attributes, pipelineFile ?? pipeline?.sourceFile);
    const features = datasets[attributes.dataset]?.features?.length ?? 0;
    const modelName = stageModelName(target, stageId, attributes);
    const ds = attributes.dataset;
    const keyArn = lakeKeyAliasArn(target);
    const prefix = transformJobPrefix(target.env, stageId);
    const threshold = attributes.threshold ?? DEFAULT_THRESHOLD;
    return [
      {
        key: 'transform',
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sagemaker:createTransformJob.sync',
          Comment: `Score features/${ds}/ with ${modelName} (SageMaker batch transform)`,
          Parameters: {
            // unique per run and per attempt: a retry or a re-run of the same run gets a new name
            'TransformJobName.$': `States.Format('${prefix}-{}-{}', $.runId, States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0))`,
            ModelName: modelName,
            TransformInput: {
              DataSource: {
                S3DataSource: {
                  S3DataType: 'S3Prefix',
                  'S3Uri.$': `States.Format('s3://${bucket}/features/${ds}/run={}/', $.runId)`,
                },
              },
              ContentType: 'text/csv',
              SplitType: 'Line',
              CompressionType: 'None',
            },
            BatchStrategy: 'MultiRecord',
            ...(attributes.maxPayloadMb === undefined ? {} : { MaxPayloadInMB: attributes.maxPayloadMb }),
            ...(attributes.maxConcurrentTransforms === undefined
              ? {}
              : { MaxConcurrentTransforms: attributes.maxConcurrentTransforms }),
            // the joined record is the id, the features, then one column per class: keep the id and every class
            DataProcessing: {
              InputFilter: '$[1:]',
              JoinSource: 'Input',
              OutputFilter: outputs.columns.length === 1 ? '$[0,-1]' : `$[0,${features + 1}:]`,
            },
            TransformOutput: {
              'S3OutputPath.$': `States.Format('s3://${bucket}/scored/${ds}/run={}/', $.runId)`,
              Accept: 'text/csv',
              AssembleWith: 'Line',
              KmsKeyId: keyArn,
            },
            TransformResources: {
              InstanceType: attributes.instance.type,
              InstanceCount: attributes.instance.count,
              // instance types with local storage encrypt it themselves; SageMaker refuses a VolumeKmsKeyId there
              ...(LOCAL_STORAGE_INSTANCE.test(attributes.instance.type) ? {} : { VolumeKmsKeyId: keyArn }),
            },
            Tags: [
              { Key: 'project', Value: 'lakepipe' },
              { Key: 'environment', Value: target.env },
              { Key: 'stage', Value: stageId },
            ],
          },
        },
      },
      {
        // exact counts in AWS too: the service's own Lambda counts scored/ and writes the manifest
        key: 'count',
        serviceTimeoutSeconds: SCORING_COUNTER_TIMEOUT_SECONDS,
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Comment: `Count scored and flagged rows of scored/${ds}/ and write the manifest`,
          Parameters: {
            FunctionName: scoringCounterArn(target),
            Payload: {
              'runId.$': '$.runId',
              stageId,
              dataset: ds,
              threshold,
              ...(outputs.flagIndex === undefined ? {} : { flagColumn: outputs.flagIndex + 1 }),
            },
          },
          ResultSelector: { 'counts.$': '$.Payload' },
        },
      },
    ];
  },

  permissions({ stageId, attributes, target }) {
    const prefix = transformJobPrefix(target.env, stageId).toLowerCase();
    const jobs = `arn:aws:sagemaker:${target.region}:${target.accountId}:transform-job/${prefix}-*`;
    const keyAlias = lakeKeyAliasArn(target);
    return [
      {
        // only the pipeline's model, on the stage's instance type, encrypting with the lake key
        actions: ['sagemaker:CreateTransformJob'],
        resources: [jobs],
        conditions: {
          StringEquals: {
            'sagemaker:ModelArn': stageModelArn(target, stageId, attributes),
            // the orchestration stack adds the key's ARN beside its alias
            'sagemaker:OutputKmsKeyArn': keyAlias,
            // the ASL sends no VolumeKmsKeyId for instance types with local storage
            ...(LOCAL_STORAGE_INSTANCE.test(attributes.instance.type)
              ? {}
              : { 'sagemaker:VolumeKmsKeyArn': keyAlias }),
          },
          'ForAllValues:StringEquals': { 'sagemaker:InstanceTypes': [attributes.instance.type] },
        },
      },
      {
        actions: ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags'],
        resources: [jobs],
      },
      { actions: ['lambda:InvokeFunction'], resources: [scoringCounterArn(target)] },
      {
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          `arn:aws:events:${target.region}:${target.accountId}:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule`,
        ],
      },
    ];
  },

  local: {
    async transform({ runId, stageId, attributes }, context) {
      const { runLocalTransform } = await import('./local-transform');
      const modelFile = stageModel(stageId, attributes, context.pipeline?.sourceFile);
      return runLocalTransform(
        { runId, dataset: attributes.dataset, threshold: attributes.threshold ?? DEFAULT_THRESHOLD },
        context,
        { modelFile },
      );
    },
    async count({ runId, stageId, attributes }, context) {
      const { countScoredRun } = await import('./count-scored');
      const outputs = scoredOutputs(attributes, context.pipeline?.sourceFile);
      const manifest = await countScoredRun(
        context.store,
        {
          runId,
          stageId,
          dataset: attributes.dataset,
          threshold: attributes.threshold ?? DEFAULT_THRESHOLD,
          ...(outputs.flagIndex === undefined ? {} : { flagColumn: outputs.flagIndex + 1 }),
        },
        { scoreColumns: outputs.columns },
      );
      // what lambda:invoke returns: the count Lambda's result as the Payload
      return { Payload: manifest.counts };
    },
  },
};
