import type { CompileTarget, DatasetSpec } from '@lakepipe/workflow';
import { describe, expect, it } from 'vitest';
import { sagemakerScoringStageType, transformJobPrefix } from './stage-type';

const target: CompileTarget = {
  env: 'dev',
  accountId: '111111111111',
  region: 'eu-west-1',
  resourceName: (component) => `lakepipe-dev-${component}`,
  lakeBucket: 'lakepipe-dev-lake-111111111111-eu-west-1',
  ledgerTable: 'lakepipe-dev-ledger',
  errorTopicArn: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors',
};

const benchTests: DatasetSpec = {
  source: { type: 's3', prefix: 'landing/bench_tests/' },
  columns: { test_id: { type: 'string' }, duration_s: { type: 'double' } },
  features: ['duration_s'],
};

const attributes = sagemakerScoringStageType.attributes.parse({
  dataset: 'bench_tests',
  instance: { type: 'ml.m5.xlarge', count: 2 },
  threshold: 0.7,
});

const context = {
  stageId: 'score',
  attributes,
  datasets: { bench_tests: benchTests },
  pipelineName: 'bench-quality',
  target,
};

describe('sagemakerScoringStageType', () => {
  it('compiles to a createTransformJob.sync task with the batch transform settings, then the count Lambda', () => {
    // Act
    const steps = sagemakerScoringStageType.compile(context);

    // Assert
    expect(steps).toEqual([
      {
        key: 'transform',
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sagemaker:createTransformJob.sync',
          Comment: 'Score features/bench_tests/ with lakepipe-dev-scoring-model (SageMaker batch transform)',
          Parameters: {
            'TransformJobName.$':
              "States.Format('lakepipe-dev-score-{}-{}', $.runId, States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0))",
            ModelName: 'lakepipe-dev-scoring-model',
            TransformInput: {
              DataSource: {
                S3DataSource: {
                  S3DataType: 'S3Prefix',
                  'S3Uri.$':
                    "States.Format('s3://lakepipe-dev-lake-111111111111-eu-west-1/features/bench_tests/run={}/', $.runId)",
                },
              },
              ContentType: 'text/csv',
              SplitType: 'Line',
              CompressionType: 'None',
            },
            BatchStrategy: 'MultiRecord',
            DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
            TransformOutput: {
              'S3OutputPath.$':
                "States.Format('s3://lakepipe-dev-lake-111111111111-eu-west-1/scored/bench_tests/run={}/', $.runId)",
              Accept: 'text/csv',
              AssembleWith: 'Line',
              KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:alias/lakepipe-dev-data',
            },
            TransformResources: {
              InstanceType: 'ml.m5.xlarge',
              InstanceCount: 2,
              VolumeKmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:alias/lakepipe-dev-data',
            },
            Tags: [
              { Key: 'project', Value: 'lakepipe' },
              { Key: 'environment', Value: 'dev' },
              { Key: 'stage', Value: 'score' },
            ],
          },
        },
      },
      {
        key: 'count',
        serviceTimeoutSeconds: 900,
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Comment: 'Count scored and flagged rows of scored/bench_tests/ and write the manifest',
          Parameters: {
            FunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:lakepipe-dev-scoring-counter',
            Payload: { 'runId.$': '$.runId', stageId: 'score', dataset: 'bench_tests', threshold: 0.7 },
          },
          ResultSelector: { 'counts.$': '$.Payload' },
        },
      },
    ]);
  });

  it('passes payload size and concurrency to the job only when the stage sets them', () => {
    // Arrange
    const tuned = { ...context, attributes: { ...attributes, maxPayloadMb: 0, maxConcurrentTransforms: 4 } };

    // Act
    const parameters = sagemakerScoringStageType.compile(tuned)[0]!.state.Parameters!;

    // Assert
    expect(parameters.MaxPayloadInMB).toBe(0);
    expect(parameters.MaxConcurrentTransforms).toBe(4);
    expect(sagemakerScoringStageType.compile(context)[0]!.state.Parameters).not.toHaveProperty(
      'MaxPayloadInMB',
    );
  });

  it('leaves VolumeKmsKeyId out for an instance type with local storage, which SageMaker refuses it for', () => {
    // Arrange
    const local = sagemakerScoringStageType.attributes.parse({
      dataset: 'bench_tests',
      instance: { type: 'ml.g4dn.xlarge', count: 1 },
      threshold: 0.7,
    });

    // Act
    const [withLocalStorage] = sagemakerScoringStageType.compile({ ...context, attributes: local });
    const [withEbs] = sagemakerScoringStageType.compile(context);

    // Assert
    const resources = (step: typeof withEbs) =>
      (step!.state.Parameters as { TransformResources: Record<string, unknown> }).TransformResources;
    expect(resources(withLocalStorage)).toEqual({ InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1 });
    expect(resources(withEbs).VolumeKmsKeyId).toMatch(/^arn:aws:kms:/);
  });

  it('keeps job names within 63 valid characters for long environment and stage names', () => {
    // Act
    const prefix = transformJobPrefix('preview-feature-branch-1234', 'score_bench_tests_nightly');

    // Assert: prefix + '-' + run id (24) + '-' + 8 hex digits
    expect(prefix).toBe('lakepipe-preview-feature-bran');
    expect(prefix.length + 1 + 24 + 1 + 8).toBeLessThanOrEqual(63);
    expect(`${prefix}-20261126T064500Z-a1b2c3-0a1b2c3d`).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(transformJobPrefix('dev', 'score_x')).toBe('lakepipe-dev-score-x');
  });

  it('creates transform jobs only of the model, instance type and key the pipeline declares', () => {
    // Act
    const permissions = sagemakerScoringStageType.permissions(context);

    // Assert
    const jobs = 'arn:aws:sagemaker:eu-west-1:111111111111:transform-job/lakepipe-dev-score-*';
    expect(permissions).toEqual([
      {
        actions: ['sagemaker:CreateTransformJob'],
        resources: [jobs],
        conditions: {
          StringEquals: {
            'sagemaker:ModelArn': 'arn:aws:sagemaker:eu-west-1:111111111111:model/lakepipe-dev-scoring-model',
            'sagemaker:OutputKmsKeyArn': 'arn:aws:kms:eu-west-1:111111111111:alias/lakepipe-dev-data',
            'sagemaker:VolumeKmsKeyArn': 'arn:aws:kms:eu-west-1:111111111111:alias/lakepipe-dev-data',
          },
          'ForAllValues:StringEquals': { 'sagemaker:InstanceTypes': ['ml.m5.xlarge'] },
        },
      },
      {
        actions: ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags'],
        resources: [jobs],
      },
      {
        actions: ['lambda:InvokeFunction'],
        resources: ['arn:aws:lambda:eu-west-1:111111111111:function:lakepipe-dev-scoring-counter'],
      },
      {
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          'arn:aws:events:eu-west-1:111111111111:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule',
        ],
      },
    ]);
  });

  it('rejects an instance type batch transform does not offer, naming the field', () => {
    // Act
    const result = sagemakerScoringStageType.attributes.safeParse({
      dataset: 'bench_tests',
      instance: { type: 'ml.t3.medium', count: 1 },
    });

    // Assert
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['instance', 'type']);
    expect(result.error?.issues[0]?.message).toMatch(
      /must be a batch transform instance type \(ml\.m4\.xlarge/,
    );
  });

  it('rejects a threshold outside 0..1 and an unknown attribute', () => {
    // Act
    const result = sagemakerScoringStageType.attributes.safeParse({
      dataset: 'bench_tests',
      instance: { type: 'ml.m5.large', count: 1 },
      threshold: 1.5,
      modelFile: 'x.json',
    });

    // Assert
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.') || i.message).sort()).toEqual(
      expect.arrayContaining(['threshold']),
    );
    expect(result.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('reports a dataset that is not declared or declares no features', () => {
    // Act
    const missing = sagemakerScoringStageType.validate!({
      ...context,
      attributes: { ...attributes, dataset: 'nope' },
    });
    const noFeatures = sagemakerScoringStageType.validate!({
      ...context,
      datasets: { bench_tests: { ...benchTests, features: [] } },
    });

    // Assert
    expect(missing).toEqual([
      {
        path: ['dataset'],
        message: 'dataset "nope" is not declared under datasets: (declared: bench_tests)',
      },
    ]);
    expect(noFeatures[0]?.message).toBe(
      'dataset "bench_tests" declares no features: the model needs its input columns',
    );
    // one feature: the shipped model reads 7 (own models: own-model.test.ts)
    expect(sagemakerScoringStageType.validate!(context)).toEqual([
      {
        path: ['dataset'],
        message:
          'model the shipped model reads 7 features, but dataset "bench_tests" declares 1 (duration_s)',
      },
    ]);
  });
});
