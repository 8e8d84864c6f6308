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
import { type PipelineModel, stagesOf } from '@lakepipe/workflow';
import type { Construct } from 'constructs';
import { ModelMismatchError } from '../src/errors';
import { decodeUbjson, readModelFile, resolveModel } from '../src/model-file';
import { SHIPPED_MODEL_FILE } from '../src/shipped-model';
import {
  SCORING_COUNTER_COMPONENT,
  SCORING_COUNTER_TIMEOUT_SECONDS,
  sagemakerScoringStageType,
  scoringModelName,
  stageModelName,
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
  /** the shared model, `lakepipe-<env>-scoring-model`, for stages that name no `model:` */
  readonly model: SagemakerModel;
  /** the SageMaker model of each stage with its own `model:`, by stage id (`lakepipe-<env>-model-<stage>`) */
  readonly stageModels: Readonly<Record<string, SagemakerModel>>;
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
    const upload = (id: string, file: string) => {
      const built = buildModelArtifact(sagemakerModelBytes(file));
      // The key carries the content hash: a new model is a new object and a new SageMaker model.
      const key = `${ARTIFACT_PREFIX}${built.sha256.slice(0, 16)}/model.tar.gz`;
      const object = new S3Object(this, id, {
        bucket: bucketName,
        key,
        contentBase64: built.bytes.toString('base64'),
        contentType: 'application/gzip',
        serverSideEncryption: 'aws:kms',
        kmsKeyId: keyArn,
        metadata: { sha256: built.sha256 },
      });
      return { key, object };
    };
    const shared = upload('model-artifact', modelFile);
    this.artifact = shared.object;
    const artifactKey = shared.key;
    // stages with their own `model:`: a local file is uploaded like the shared one, an s3:// URI referenced
    const own = ownModels(props.pipeline, this.compileTarget).map((m) =>
      m.location.kind === 'file'
        ? { ...m, ...upload(`model-artifact-${m.stageId}`, m.location.file), uri: undefined }
        : { ...m, key: undefined, object: undefined, uri: m.location.uri },
    );

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
            ownArtifacts: own.map((m) =>
              m.uri === undefined ? `${bucketArn}/${m.key}` : `arn:aws:s3:::${m.uri.slice('s3://'.length)}`,
            ),
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
    this.stageModels = Object.fromEntries(
      own.map((m) => [
        m.stageId,
        new SagemakerModel(this, `model-${m.stageId}`, {
          name: m.name,
          executionRoleArn: this.executionRole.arn,
          enableNetworkIsolation: true,
          primaryContainer: {
            image,
            mode: 'SingleModel',
            modelDataUrl: m.uri ?? `s3://${bucketName}/${m.key}`,
          },
          dependsOn: m.object ? [policy, m.object] : [policy],
        }),
      ]),
    );

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
  const stages = stagesOf(pipeline, sagemakerScoringStageType);
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
 * Fails synth when a scoring stage that runs the shared model (no `model:` of its own) scores a
 * dataset that declares a different number of features than the model reads. Stages with their own
 * `model:` were checked by `lakepipe validate` (parsePipeline), which every stack's pipeline passed.
 */
export function checkModelFitsPipeline(modelFile: string, pipeline: PipelineModel): void {
  const model = readModelFile(modelFile).model;
  const problems: string[] = [];
  const stages = stagesOf(pipeline, sagemakerScoringStageType);
  for (const stage of stages) {
    if (stage.attributes.model !== undefined) continue;
    const features = pipeline.datasets[stage.attributes.dataset]?.features ?? [];
    if (features.length !== model.numFeature)
      problems.push(
        `stage ${stage.id} scores dataset ${stage.attributes.dataset}, which declares ${features.length} features; the model reads ${model.numFeature}`,
      );
  }
  if (problems.length > 0) throw new ModelMismatchError(modelFile, problems);
}

/** The scoring stages that name their own `model:`, with their SageMaker model's name and the model's place. */
export function ownModels(pipeline: PipelineModel, target: { resourceName(component: string): string }) {
  const stages = stagesOf(pipeline, sagemakerScoringStageType);
  return stages
    .filter((stage) => stage.attributes.model !== undefined)
    .map((stage) => ({
      stageId: stage.id,
      name: stageModelName(target, stage.id, stage.attributes),
      location: resolveModel(stage.attributes.model, pipeline.sourceFile),
    }));
}

/**
 * The model file as the SageMaker XGBoost container gets it: the file's own bytes when it is JSON
 * without feature names; else the same model as JSON with `feature_names`/`feature_types` emptied
 * (the container scores header-less CSV, and a model with feature names refuses it; lakepipe
 * validate checked the names against the dataset instead).
 */
export function sagemakerModelBytes(file: string): { readonly bytes: Buffer } {
  const read = readModelFile(file);
  const bytes = readFileSync(file);
  if (read.format === 'json' && read.featureNames === undefined) return { bytes };
  const json = (read.format === 'json' ? JSON.parse(bytes.toString('utf8')) : decodeUbjson(bytes, file)) as {
    learner: Record<string, unknown>;
  };
  json.learner.feature_names = [];
  json.learner.feature_types = [];
  return { bytes: Buffer.from(JSON.stringify(json)) };
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
  const stages = stagesOf(pipeline, sagemakerScoringStageType);
  return [...new Set(stages.map((stage) => stage.attributes.dataset))].sort();
}

/** Exactly what a transform job of the scoring model needs, nothing more. */
export function executionStatements(input: {
  readonly config: EnvConfig;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly artifactKey: string;
  /**
   * S3 object ARNs of the stages' own models (uploaded artifacts or the s3:// URIs pipeline.yaml names).
   * @default none
   */
  readonly ownArtifacts?: readonly string[];
  readonly region: string;
  /** the datasets whose features/ are read and scored/ written */
  readonly datasets: readonly string[];
}): PolicyStatement[] {
  const { bucketArn, keyArn, artifactKey, region, config, datasets, ownArtifacts = [] } = input;
  return [
    {
      sid: 'ReadFeaturesAndModel',
      actions: ['s3:GetObject'],
      resources: [
        ...datasets.map((ds) => `${bucketArn}/features/${ds}/*`),
        `${bucketArn}/${artifactKey}`,
        ...ownArtifacts,
      ],
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
