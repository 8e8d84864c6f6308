import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SagemakerModel } from '@cdktf/provider-aws/lib/sagemaker-model';
import { loadEnvConfig } from '@lakepipe/constructs';
import { resourceWhere, statementWithSid, synthJson, testEnvConfig } from '@lakepipe/constructs/testing';
// the cdktf matchers' types (the setup file itself runs from vitest.config.ts)
import type {} from '@lakepipe/constructs/vitest-setup';
import type { PipelineModel } from '@lakepipe/workflow';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ModelMismatchError, UnsupportedRegionError } from '../src/errors';
import { fixturesRoot, serviceRoot } from '../src/scorer/test-support';
import { buildModelArtifact, MODEL_ENTRY_NAME } from './model-artifact';
import { DEFAULT_MODEL_FILE, SageMakerScoringStack, sagemakerModelBytes } from './sagemaker-scoring-stack';
import { xgboostImageUri } from './xgboost-images';

const BUCKET_NAME = `\${data.aws_ssm_parameter.lake-bucket-name.value}`;
const BUCKET_ARN = `\${data.aws_ssm_parameter.lake-bucket-arn.value}`;
const KEY_ARN = `\${data.aws_ssm_parameter.kms-key-arn.value}`;

const FEATURES = [
  'duration_s',
  'temperature_c',
  'voltage_v',
  'current_a',
  'vibration_mm_s',
  'pressure_kpa',
  'error_count',
];

function pipeline(features: readonly string[] = FEATURES): PipelineModel {
  return {
    name: 'bench-quality',
    defaults: { retry: { maxAttempts: 1, intervalSeconds: 5, backoffRate: 2 }, timeoutSeconds: 600 },
    trigger: {},
    datasets: {
      bench_tests: {
        source: { type: 's3', prefix: 'landing/bench_tests/' },
        columns: Object.fromEntries(features.map((f) => [f, { type: 'double' }])),
        features: [...features],
      },
    },
    views: {},
    stages: {
      score: {
        id: 'score',
        type: 'sagemaker-scoring',
        attributes: { dataset: 'bench_tests', instance: { type: 'ml.m5.xlarge', count: 1 } },
        retry: { maxAttempts: 1, intervalSeconds: 5, backoffRate: 2 },
        timeoutSeconds: 600,
      },
    },
    flow: [{ kind: 'stage', stageId: 'score' }],
  };
}

function synth(config = testEnvConfig(), modelFile?: string) {
  const stack = new SageMakerScoringStack(Testing.app(), 'sagemaker-scoring-dev', {
    config,
    pipeline: pipeline(),
    modelFile,
  });
  return { stack, json: synthJson(stack) };
}

describe('SageMakerScoringStack', () => {
  it('deploys the model on the built-in XGBoost 1.7-1 image with network isolation', () => {
    // Arrange
    const hash = buildModelArtifact(DEFAULT_MODEL_FILE).sha256.slice(0, 16);

    // Act
    const { stack } = synth();

    // Assert
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SagemakerModel, {
      name: 'lakepipe-dev-scoring-model',
      enable_network_isolation: true,
      primary_container: {
        image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
        mode: 'SingleModel',
        model_data_url: `s3://\${data.aws_ssm_parameter.lake-bucket-name.value}/_artifacts/sagemaker-scoring/${hash}/model.tar.gz`,
      },
    });
  });

  it('uploads a content-addressed model.tar.gz encrypted with the lake key and points the model at it', () => {
    // Arrange
    const artifact = buildModelArtifact(DEFAULT_MODEL_FILE);
    const key = `_artifacts/sagemaker-scoring/${artifact.sha256.slice(0, 16)}/model.tar.gz`;

    // Act
    const { json } = synth();

    // Assert
    const object = resourceWhere(json, 'aws_s3_object', { key });
    expect(object.config).toMatchObject({
      bucket: BUCKET_NAME,
      content_base64: artifact.bytes.toString('base64'),
      server_side_encryption: 'aws:kms',
      kms_key_id: KEY_ARN,
    });
    const model = resourceWhere(json, 'aws_sagemaker_model', { name: 'lakepipe-dev-scoring-model' });
    expect((model.config.primary_container as Record<string, unknown>).model_data_url).toBe(
      `s3://\${data.aws_ssm_parameter.lake-bucket-name.value}/${key}`,
    );
    expect(model.config.depends_on).toEqual(
      expect.arrayContaining(['aws_iam_role_policy.execution-policy', 'aws_s3_object.model-artifact']),
    );
  });

  it("lets the execution role read its dataset's features and the artifact and write only its scored/", () => {
    // Act
    const { json } = synth();

    // Assert
    const role = resourceWhere(json, 'aws_iam_role', { name: 'lakepipe-dev-scoring-sagemaker' });
    expect(JSON.parse(role.config.assume_role_policy as string).Statement[0]).toMatchObject({
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:eu-west-1:111111111111:*' },
      },
    });
    const policy = resourceWhere(json, 'aws_iam_role_policy', { name: 'scoring-transform' }).config.policy;
    const bucket = BUCKET_ARN;
    const read = statementWithSid(policy, 'ReadFeaturesAndModel');
    expect(read.Action).toEqual(['s3:GetObject']);
    expect(read.Resource).toEqual([
      `${bucket}/features/bench_tests/*`,
      expect.stringMatching(/\/_artifacts\/sagemaker-scoring\/[0-9a-f]{16}\/model\.tar\.gz$/),
    ]);
    const write = statementWithSid(policy, 'WriteScored');
    expect(write.Resource).toEqual([`${bucket}/scored/bench_tests/*`]);
    expect(statementWithSid(policy, 'ListFeatures').Condition).toEqual({
      StringLike: { 's3:prefix': ['features/bench_tests/*'] },
    });
    const s3Resources = JSON.parse(policy as string)
      .Statement.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith('s3:Put')))
      .flatMap((s: { Resource: string[] }) => s.Resource);
    expect(s3Resources).toEqual([`${bucket}/scored/bench_tests/*`]);
    expect(statementWithSid(policy, 'UseLakeKey').Resource).toEqual([KEY_ARN]);
    expect(statementWithSid(policy, 'GrantLakeKeyToTransformVolumes')).toMatchObject({
      Action: ['kms:CreateGrant'],
      Resource: [KEY_ARN],
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    expect(statementWithSid(policy, 'TransformLogs').Action).not.toContain('logs:CreateLogGroup');
    expect(statementWithSid(policy, 'PullXgboostImage').Resource).toEqual([
      'arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-xgboost',
    ]);
  });

  it('gives the count Lambda read access to its scored/ only and write access to its manifests only', () => {
    // Act
    const { json } = synth();

    // Assert
    const fn = resourceWhere(json, 'aws_lambda_function', { function_name: 'lakepipe-dev-scoring-counter' });
    expect(fn.config.timeout).toBe(900);
    const policy = resourceWhere(json, 'aws_iam_role_policy', { name: 'inline' }).config.policy;
    expect(statementWithSid(policy, 'ReadScored')).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: [`${BUCKET_ARN}/scored/bench_tests/*`],
    });
    expect(statementWithSid(policy, 'ListScored').Condition).toEqual({
      StringLike: { 's3:prefix': ['scored/bench_tests/*'] },
    });
    const writes = JSON.parse(policy as string)
      .Statement.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith('s3:Put')))
      .flatMap((s: { Resource: string[] }) => s.Resource);
    expect(writes).toEqual([`${BUCKET_ARN}/_manifests/run=*/score.json`]);
  });

  it('synthesizes for the repo environments dev and prod with their own names', () => {
    // Act
    const dev = synth(loadEnvConfig('dev')).json;
    const prod = synth(loadEnvConfig('prod')).json;

    // Assert
    expect(resourceWhere(dev, 'aws_sagemaker_model', { name: 'lakepipe-dev-scoring-model' })).toBeDefined();
    expect(resourceWhere(prod, 'aws_sagemaker_model', { name: 'lakepipe-prod-scoring-model' })).toBeDefined();
    expect(dev.terraform?.backend?.s3?.key).toBe('lakepipe/dev/sagemaker-scoring-dev.tfstate');
  });

  it('fails clearly for a region without a known XGBoost image', () => {
    // Act
    const failure = () => synth(testEnvConfig({ region: 'mx-central-1' }));

    // Assert
    expect(failure).toThrow(UnsupportedRegionError);
    expect(failure).toThrow(
      /region "mx-central-1" has no known SageMaker XGBoost 1\.7-1 image; supported regions: af-south-1,/,
    );
    expect(xgboostImageUri('us-east-1')).toBe(
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    );
  });

  it('refuses a model whose feature count differs from the dataset the stage scores', () => {
    // Act
    const failure = () =>
      new SageMakerScoringStack(Testing.app(), 's', {
        config: testEnvConfig(),
        pipeline: pipeline(FEATURES.slice(0, 5)),
      });

    // Assert
    expect(failure).toThrow(ModelMismatchError);
    expect(failure).toThrow(
      /stage score scores dataset bench_tests, which declares 5 features; the model reads 7/,
    );
  });

  it('deploys a multi-class shared model: the transform keeps every class column', () => {
    // Act
    const { stack } = synth(testEnvConfig(), path.join(fixturesRoot, 'multi-softprob/xgboost-model.json'));

    // Assert
    expect(stack.model).toBeDefined();
    expect(stack.stageModels).toEqual({});
  });

  it("uploads a stage's own model file as its own artifact and SageMaker model; references an s3:// model", () => {
    // Arrange: a user's folder with pipeline.yaml and the 3-feature model beside it
    const dir = mkdtempSync(path.join(os.tmpdir(), 'own-model-stack-'));
    copyFileSync(
      path.join(serviceRoot, 'test-fixtures/three-features/model.ubj'),
      path.join(dir, 'pumps.ubj'),
    );
    const base = pipeline();
    const own: PipelineModel = {
      ...base,
      sourceFile: path.join(dir, 'pipeline.yaml'),
      datasets: {
        ...base.datasets,
        pumps: {
          source: { type: 's3', prefix: 'landing/pumps/' },
          columns: { pump_id: { type: 'string', unique: true }, temperature_c: { type: 'double' } },
          features: ['temperature_c', 'pressure_kpa', 'rpm'],
        },
      },
      stages: {
        ...base.stages,
        score_pumps: {
          ...base.stages.score!,
          id: 'score_pumps',
          attributes: { ...base.stages.score!.attributes, dataset: 'pumps', model: 'pumps.ubj' },
        },
        score_s3: {
          ...base.stages.score!,
          id: 'score_s3',
          attributes: { ...base.stages.score!.attributes, model: 's3://team-models/bench/model.tar.gz' },
        },
      },
    };

    // Act
    const stack = new SageMakerScoringStack(Testing.app(), 'sagemaker-scoring-dev', {
      config: testEnvConfig(),
      pipeline: own,
    });
    const json = synthJson(stack);
    const synthesized = Testing.synth(stack);
    const image = xgboostImageUri('eu-west-1');

    // Assert: the UBJSON model ships as JSON without feature names (the container scores header-less CSV)
    const uploaded = buildModelArtifact(sagemakerModelBytes(path.join(dir, 'pumps.ubj')));
    const key = `_artifacts/sagemaker-scoring/${uploaded.sha256.slice(0, 16)}/model.tar.gz`;
    const shipped = JSON.parse(sagemakerModelBytes(path.join(dir, 'pumps.ubj')).bytes.toString('utf8'));
    expect(shipped.learner.feature_names).toEqual([]);
    expect(shipped.learner.learner_model_param.num_feature).toBe('3');
    expect(synthesized).toHaveResourceWithProperties(SagemakerModel, {
      name: 'lakepipe-dev-model-score-pumps',
      primary_container: { image, mode: 'SingleModel', model_data_url: `s3://${BUCKET_NAME}/${key}` },
    });
    expect(synthesized).toHaveResourceWithProperties(SagemakerModel, {
      name: 'lakepipe-dev-model-score-s3',
      primary_container: {
        image,
        mode: 'SingleModel',
        model_data_url: 's3://team-models/bench/model.tar.gz',
      },
    });
    expect(Object.keys(stack.stageModels).sort()).toEqual(['score_pumps', 'score_s3']);
    const policy = resourceWhere(json, 'aws_iam_role_policy', { name: 'scoring-transform' }).config.policy;
    const read = statementWithSid(policy, 'ReadFeaturesAndModel');
    expect(read.Resource).toEqual(
      expect.arrayContaining([`${BUCKET_ARN}/${key}`, 'arn:aws:s3:::team-models/bench/model.tar.gz']),
    );
  });
});

describe('buildModelArtifact', () => {
  it('builds the same bytes every time and a tarball tar can read', () => {
    // Arrange
    const dir = mkdtempSync(path.join(os.tmpdir(), 'artifact-'));

    // Act
    const first = buildModelArtifact(DEFAULT_MODEL_FILE);
    const second = buildModelArtifact(DEFAULT_MODEL_FILE);
    writeFileSync(path.join(dir, 'model.tar.gz'), first.bytes);
    const listing = execFileSync('tar', ['-tvzf', 'model.tar.gz'], { cwd: dir, encoding: 'utf8' });
    execFileSync('tar', ['-xzf', 'model.tar.gz'], { cwd: dir });

    // Assert
    expect(second.sha256).toBe(first.sha256);
    expect(first.bytes.subarray(4, 8)).toEqual(Buffer.from([0, 0, 0, 0])); // gzip mtime
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 .* 1970-01-01 00:00 xgboost-model\n$/);
    expect(execFileSync('cmp', [path.join(dir, MODEL_ENTRY_NAME), DEFAULT_MODEL_FILE]).length).toBe(0);
  });

  it('changes its hash when the model changes', () => {
    // Act
    const shipped = buildModelArtifact(DEFAULT_MODEL_FILE);
    const other = buildModelArtifact(path.join(fixturesRoot, 'reg-logistic/xgboost-model.json'));

    // Assert
    expect(other.sha256).not.toBe(shipped.sha256);
  });
});
