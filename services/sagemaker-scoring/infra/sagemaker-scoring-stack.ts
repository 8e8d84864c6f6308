import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SagemakerModel } from '@cdktf/provider-aws/lib/sagemaker-model';
import {
  type EnvConfig,
  LakepipeNodeFunction,
  LakepipeStack,
  type PolicyStatement,
  policyDocumentOf,
  readParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import { type PipelineModel, stagesOfType } from '@lakepipe/workflow';
import type { Construct } from 'constructs';
import { ModelMismatchError } from '../src/errors';
import { parseModel } from '../src/scorer/model';
import { SHIPPED_MODEL_FILE } from '../src/shipped-model';
import {
  type SageMakerScoringAttributes,
  SCORING_COUNTER_COMPONENT,
  SCORING_COUNTER_TIMEOUT_SECONDS,
  sagemakerScoringStageType,
  scoringModelName,
} from '../src/stage-type';
import { buildModelArtifact } from './model-artifact';
import { xgboostImageUri, xgboostRepositoryArn } from './xgboost-images';

/** The model the service ships: the one file the twin scores with (src/shipped-model.ts). */
export const DEFAULT_MODEL_FILE = SHIPPED_MODEL_FILE;

/** The count Lambda's code: counts a run's scored rows and writes the stage manifest. */
const COUNTER_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/count-handler.ts');

/** Where model artifacts live in the lake bucket; outside every lake stage prefix. */
export const ARTIFACT_PREFIX = '_artifacts/sagemaker-scoring/';

export interface SageMakerScoringStackProps {
  readonly config: EnvConfig;
  /** the validated pipeline.yaml (the stack serves every `sagemaker-scoring` stage in it) */
  readonly pipeline: PipelineModel;
  /**
   * The XGBoost JSON model to deploy.
   * @default the shipped model, services/sagemaker-scoring/model/xgboost-model.json
   */
  readonly modelFile?: string;
  /**
   * The Terraform stack name.
   * @default the construct id
   */
  readonly stackName?: string;
}

/**
 * The scoring service's ephemeral compute: the model artifact (a reproducible model.tar.gz in
 * the lake bucket, KMS-encrypted), the SageMaker model on the built-in XGBoost 1.7-1 image, and
 * its execution role, which reads its datasets' `features/<ds>/` and the artifact and writes only
 * their `scored/<ds>/`.
 * Transform jobs are started per run by the state machine (the stage type), so nothing here
 * runs or costs anything between runs.
 */
export class SageMakerScoringStack extends LakepipeStack {
  readonly model: SagemakerModel;
  readonly executionRole: IamRole;
  readonly artifact: S3Object;
  /** counts scored and flagged rows after each transform job and writes the stage's manifest */
  readonly counter: LakepipeNodeFunction;

  constructor(scope: Construct, id: string, props: SageMakerScoringStackProps) {
    super(scope, id, { config: props.config, service: 'sagemaker-scoring', stackName: props.stackName });
    const { config } = props;
    const image = xgboostImageUri(config.region);

    const bucketName = readParameter(this, 'lake-bucket-name', {
      config,
      path: SHARED_PARAMETERS.lakeBucketName,
    });
    const bucketArn = readParameter(this, 'lake-bucket-arn', {
      config,
      path: SHARED_PARAMETERS.lakeBucketArn,
    });
    const keyArn = readParameter(this, 'kms-key-arn', { config, path: SHARED_PARAMETERS.kmsKeyArn });

    const modelFile = props.modelFile ?? DEFAULT_MODEL_FILE;
    checkModelFitsPipeline(modelFile, props.pipeline);
    const built = buildModelArtifact(modelFile);
    // The key carries the content hash: a new model is a new object and a new SageMaker model.
    const artifactKey = `${ARTIFACT_PREFIX}${built.sha256.slice(0, 16)}/model.tar.gz`;
    this.artifact = new S3Object(this, 'model-artifact', {
      bucket: bucketName,
      key: artifactKey,
      contentBase64: built.bytes.toString('base64'),
      contentType: 'application/gzip',
      serverSideEncryption: 'aws:kms',
      kmsKeyId: keyArn,
      metadata: { sha256: built.sha256 },
    });

    this.executionRole = new IamRole(this, 'execution-role', {
      name: this.name('scoring-sagemaker'),
      description: 'SageMaker batch transform of the scoring model: reads features/, writes scored/',
      assumeRolePolicy: JSON.stringify(trustPolicy(config)),
    });
    const policy = new IamRolePolicy(this, 'execution-policy', {
      name: 'scoring-transform',
      role: this.executionRole.id,
      policy: JSON.stringify(
        policyDocumentOf(
          executionStatements({
            config,
            bucketArn,
            keyArn,
            artifactKey,
            region: config.region,
            datasets: scoredDatasets(props.pipeline),
          }),
        ),
      ),
    });

    this.model = new SagemakerModel(this, 'model', {
      name: scoringModelName(this.compileTarget),
      executionRoleArn: this.executionRole.arn,
      enableNetworkIsolation: true,
      primaryContainer: {
        image,
        mode: 'SingleModel',
        modelDataUrl: `s3://${bucketName}/${artifactKey}`,
      },
      // CreateModel checks the role can read the artifact: the policy must exist first.
      dependsOn: [policy, this.artifact],
    });

    this.counter = new LakepipeNodeFunction(this, 'counter', {
      config,
      name: SCORING_COUNTER_COMPONENT,
      entry: COUNTER_ENTRY,
      description: 'lakepipe scoring: counts scored and flagged rows of a run and writes its manifest',
      memorySize: 512,
      timeoutSeconds: SCORING_COUNTER_TIMEOUT_SECONDS,
      environment: {
        LAKE_BUCKET: bucketName,
        KMS_KEY_ARN: keyArn,
        POWERTOOLS_SERVICE_NAME: 'sagemaker-scoring',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      onFailureDestinationArn: this.compileTarget.errorTopicArn,
      kmsKeyArn: keyArn,
      policyStatements: counterStatements({ bucketArn, keyArn, pipeline: props.pipeline }),
    });
  }
}

/**
 * The count Lambda reads only its datasets' scored/ and writes only its stages' manifests.
 * The state machine invokes it after the transform job (the stage type's `count` step).
 */
export function counterStatements(input: {
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly pipeline: PipelineModel;
}): PolicyStatement[] {
  const { bucketArn, keyArn, pipeline } = input;
  const stages = stagesOfType<SageMakerScoringAttributes>(pipeline, sagemakerScoringStageType.type);
  if (stages.length === 0) return [];
  const datasets = scoredDatasets(pipeline);
  return [
    {
      sid: 'ListScored',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': datasets.map((ds) => `scored/${ds}/*`) } },
    },
    {
      sid: 'ReadScored',
      actions: ['s3:GetObject'],
      resources: datasets.map((ds) => `${bucketArn}/scored/${ds}/*`),
    },
    {
      sid: 'WriteManifests',
      actions: ['s3:PutObject'],
      resources: stages.map((stage) => `${bucketArn}/_manifests/run=*/${stage.id}.json`),
    },
    {
      // read scored/ and write the manifest, both encrypted with the lake key
      sid: 'UseLakeKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [keyArn],
    },
  ];
}

/**
 * Fails synth when a scoring stage's dataset declares a different number of features than the
 * model reads, or the model has several outputs (the transform keeps only the last column).
 */
export function checkModelFitsPipeline(modelFile: string, pipeline: PipelineModel): void {
  const model = parseModel(readFileSync(modelFile, 'utf8'), modelFile);
  const problems: string[] = [];
  if (model.numOutputs !== 1)
    problems.push(
      `the model has ${model.numOutputs} outputs (${model.objective}); the transform's OutputFilter $[0,-1] keeps one`,
    );
  const stages = stagesOfType<SageMakerScoringAttributes>(pipeline, sagemakerScoringStageType.type);
  for (const stage of stages) {
    const features = pipeline.datasets[stage.attributes.dataset]?.features ?? [];
    if (features.length !== model.numFeature)
      problems.push(
        `stage ${stage.id} scores dataset ${stage.attributes.dataset}, which declares ${features.length} features; the model reads ${model.numFeature}`,
      );
  }
  if (problems.length > 0) throw new ModelMismatchError(modelFile, problems);
}

/** The trust policy: SageMaker acting for resources of this account and region only. */
function trustPolicy(config: EnvConfig): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': config.accountId },
          ArnLike: { 'aws:SourceArn': `arn:aws:sagemaker:${config.region}:${config.accountId}:*` },
        },
      },
    ],
  };
}

/** The datasets the pipeline's scoring stages read and write, sorted. */
export function scoredDatasets(pipeline: PipelineModel): readonly string[] {
  const stages = stagesOfType<SageMakerScoringAttributes>(pipeline, sagemakerScoringStageType.type);
  return [...new Set(stages.map((stage) => stage.attributes.dataset))].sort();
}

/** Exactly what a transform job of the scoring model needs, nothing more. */
export function executionStatements(input: {
  readonly config: EnvConfig;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly artifactKey: string;
  readonly region: string;
  /** the datasets whose features/ are read and scored/ written */
  readonly datasets: readonly string[];
}): PolicyStatement[] {
  const { bucketArn, keyArn, artifactKey, region, config, datasets } = input;
  return [
    {
      sid: 'ReadFeaturesAndModel',
      actions: ['s3:GetObject'],
      resources: [...datasets.map((ds) => `${bucketArn}/features/${ds}/*`), `${bucketArn}/${artifactKey}`],
    },
    {
      sid: 'ListFeatures',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': datasets.map((ds) => `features/${ds}/*`) } },
    },
    {
      sid: 'WriteScored',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: datasets.map((ds) => `${bucketArn}/scored/${ds}/*`),
    },
    {
      sid: 'UseLakeKey',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [keyArn],
    },
    {
      // the transform's ML volumes: a grant only for the AWS resource SageMaker creates
      sid: 'GrantLakeKeyToTransformVolumes',
      actions: ['kms:CreateGrant'],
      resources: [keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    {
      sid: 'PullXgboostImage',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [xgboostRepositoryArn(region)],
    },
    { sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
    {
      // shared-infra declares the group (retention, key): the role cannot create groups
      sid: 'TransformLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [`arn:aws:logs:${region}:${config.accountId}:log-group:/aws/sagemaker/TransformJobs:*`],
    },
    {
      sid: 'TransformMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    },
  ];
}
