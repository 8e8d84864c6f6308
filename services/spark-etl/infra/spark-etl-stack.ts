import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import {
  type EnvConfig,
  LakepipeStack,
  publishParameter,
  readParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import { type PipelineModel, stagesOf } from '@lakepipe/workflow';
import type { Construct } from 'constructs';
import { DatasetNotDeclaredError } from '../src/errors';
import {
  DEFAULT_GLUE_MAX_CONCURRENT_RUNS,
  glueJobName,
  glueJobTimeoutMinutes,
  sparkEtlStageType,
} from '../src/stage-type';
import { glueJobArtifacts } from './glue-job-artifacts';

export interface SparkEtlStackProps {
  readonly config: EnvConfig;
  /** the validated pipeline.yaml: one Glue job per `spark-etl` stage, sized by the stage */
  readonly pipeline: PipelineModel;
  /**
   * The Terraform stack name.
   * @default the construct id
   */
  readonly stackName?: string;
}

/** Where a stage's script, helpers and generated spec live in the lake bucket. */
export function glueArtifactsPrefix(stageId: string): string {
  return `_glue/${stageId}/`;
}

/**
 * Where a job's driver and executor logs go (`--custom-logGroup-prefix`): `<prefix>/output` and
 * `<prefix>/error`, declared with retention and the lake key by SparkEtlCatalogStack, which
 * outlives the job, so logs survive the ephemeral stack.
 */
export function glueLogGroupPrefix(jobName: string): string {
  return `/aws-glue/jobs/${jobName}`;
}

/** The log groups a job writes to (see glueLogGroupPrefix). */
export function glueLogGroups(jobName: string): readonly string[] {
  return ['output', 'error'].map((stream) => `${glueLogGroupPrefix(jobName)}/${stream}`);
}

/** The SSM parameter (under /lakepipe/<env>/) holding a stage's Glue job name. */
export function jobNameParameterPath(stageId: string): string {
  return `spark-etl/${stageId}/job-name`;
}

/**
 * The ephemeral compute of spark-etl: per spark-etl stage a Glue 5.0 job with its own workers,
 * its script and generated spec as S3 objects, a role limited to its dataset's prefixes, and
 * a security configuration encrypting S3 output, logs and bookmarks with the lake key.
 * Step Functions owns retries, so the job itself never retries (max_retries = 0).
 */
export class SparkEtlStack extends LakepipeStack {
  readonly jobs: readonly GlueJob[];

  constructor(scope: Construct, id: string, props: SparkEtlStackProps) {
    super(scope, id, { config: props.config, service: 'spark-etl', stackName: props.stackName });
    const { config, pipeline } = props;
    const target = this.compileTarget;
    const bucket = readParameter(this, 'lake-bucket-name', {
      config,
      path: SHARED_PARAMETERS.lakeBucketName,
    });
    const bucketArn = readParameter(this, 'lake-bucket-arn', {
      config,
      path: SHARED_PARAMETERS.lakeBucketArn,
    });
    const keyArn = readParameter(this, 'kms-key-arn', { config, path: SHARED_PARAMETERS.kmsKeyArn });
    const ledgerName = readParameter(this, 'ledger-table-name', {
      config,
      path: SHARED_PARAMETERS.ledgerTableName,
    });
    const ledgerArn = readParameter(this, 'ledger-table-arn', {
      config,
      path: SHARED_PARAMETERS.ledgerTableArn,
    });

    const security = new GlueSecurityConfiguration(this, 'security-configuration', {
      name: this.name('etl'),
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: keyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: keyArn },
      },
    });

    this.jobs = stagesOf(pipeline, sparkEtlStageType).map((stage) => {
      const { dataset, workers, maxConcurrentRuns } = stage.attributes;
      const spec = pipeline.datasets[dataset];
      if (!spec) throw new DatasetNotDeclaredError(stage.id, dataset, Object.keys(pipeline.datasets));
      const jobName = glueJobName(target, stage.id);
      const prefix = glueArtifactsPrefix(stage.id);
      const artifacts = glueJobArtifacts(dataset, spec);
      const objects = Object.entries(artifacts).map(
        ([name, a]) =>
          new S3Object(this, `${stage.id}-${name}`, {
            bucket,
            key: `${prefix}${a.fileName}`,
            content: a.content,
            contentType: a.contentType,
            sourceHash: a.sha256,
            serverSideEncryption: 'aws:kms',
            kmsKeyId: keyArn,
          }),
      );

      const role = new IamRole(this, `${stage.id}-role`, {
        name: `${jobName}-glue`,
        description: `Glue job ${jobName}: reads raw/${dataset}/, writes curated/, rejected/, features/ of ${dataset}`,
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'glue.amazonaws.com' },
              Action: 'sts:AssumeRole',
              // confused deputy: Glue acting for this account only
              Condition: {
                StringEquals: { 'aws:SourceAccount': config.accountId },
                ArnLike: { 'aws:SourceArn': `arn:aws:glue:${config.region}:${config.accountId}:*` },
              },
            },
          ],
        }),
      });
      const outputs = [`curated/${dataset}/`, `rejected/${dataset}/`, `features/${dataset}/`];
      const manifest = `_manifests/run=*/${stage.id}.json`;
      // the job's staging folder: _tmp/etl/<runId>-<stageId>-<token>/ (lakepipe_etl_helpers.staging_prefix)
      const staging = `_tmp/etl/*-${stage.id}-*`;
      new IamRolePolicy(this, `${stage.id}-policy`, {
        name: 'inline',
        role: role.id,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReadRawAndArtifacts',
              Effect: 'Allow',
              Action: ['s3:GetObject'],
              Resource: [`${bucketArn}/raw/${dataset}/*`, `${bucketArn}/${prefix}*`],
            },
            {
              Sid: 'ListOwnPrefixes',
              Effect: 'Allow',
              Action: ['s3:ListBucket'],
              Resource: [bucketArn],
              Condition: {
                StringLike: {
                  's3:prefix': [
                    `raw/${dataset}/*`,
                    ...outputs.map((o) => `${o}*`),
                    staging,
                    `_tmp/glue/${stage.id}/*`,
                  ],
                },
              },
            },
            {
              Sid: 'WriteOwnOutputs',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
              Resource: [
                ...outputs.map((o) => `${bucketArn}/${o}*`),
                `${bucketArn}/${manifest}`,
                `${bucketArn}/${staging}`,
                `${bucketArn}/_tmp/glue/${stage.id}/*`,
              ],
            },
            {
              Sid: 'LakeKey',
              Effect: 'Allow',
              Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
              Resource: [keyArn],
            },
            {
              // movements of the objects this stage wrote, never a run, stage or claim item
              Sid: 'LedgerMovements',
              Effect: 'Allow',
              Action: ['dynamodb:BatchWriteItem'],
              Resource: [ledgerArn],
              Condition: {
                'ForAllValues:StringLike': {
                  'dynamodb:LeadingKeys': [...outputs.map((o) => `OBJ#${o}*`), `OBJ#${manifest}`],
                },
              },
            },
            {
              // the groups are declared (retention, key) by SparkEtlCatalogStack: no CreateLogGroup
              Sid: 'Logs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
              Resource: glueLogGroups(jobName).map(
                (group) => `arn:aws:logs:${config.region}:${config.accountId}:log-group:${group}:*`,
              ),
            },
            {
              Sid: 'Metrics',
              Effect: 'Allow',
              Action: ['cloudwatch:PutMetricData'],
              Resource: ['*'],
              Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
            },
          ],
        }),
      });

      const s3Uri = (fileName: string) => `s3://${bucket}/${prefix}${fileName}`;
      const job = new GlueJob(this, `${stage.id}-job`, {
        name: jobName,
        description: `spark-etl stage ${stage.id}: raw/${dataset}/ -> curated/, rejected/, features/ (generated from pipeline.yaml)`,
        roleArn: role.arn,
        glueVersion: '5.0',
        command: { name: 'glueetl', scriptLocation: s3Uri(artifacts.script.fileName), pythonVersion: '3' },
        workerType: workers.type,
        numberOfWorkers: workers.count,
        timeout: glueJobTimeoutMinutes(stage.timeoutSeconds),
        maxRetries: 0,
        executionProperty: { maxConcurrentRuns: maxConcurrentRuns ?? DEFAULT_GLUE_MAX_CONCURRENT_RUNS },
        securityConfiguration: security.name,
        defaultArguments: {
          '--job-language': 'python',
          '--extra-py-files': s3Uri(artifacts.helpers.fileName),
          '--spec_s3_uri': s3Uri(artifacts.jobSpec.fileName),
          '--lake_bucket': bucket,
          // Glue reads and writes the lake through EMRFS (s3://); the job's default, s3a://, is for other Sparks
          '--fs_scheme': 's3',
          '--ledger_table': ledgerName,
          '--dataset': dataset,
          '--stage_id': stage.id,
          '--TempDir': `s3://${bucket}/_tmp/glue/${stage.id}/`,
          '--enable-continuous-cloudwatch-log': 'true',
          '--custom-logGroup-prefix': glueLogGroupPrefix(jobName),
          '--enable-metrics': 'true',
          '--enable-job-insights': 'true',
          '--enable-observability-metrics': 'true',
          // changes with the generated spec, so a spec change is visible in the plan of the job too
          '--spec_sha256': artifacts.jobSpec.sha256,
        },
        dependsOn: objects,
      });
      publishParameter(this, `${stage.id}-job-name`, {
        config,
        path: jobNameParameterPath(stage.id),
        value: job.name,
        description: `Glue job of the spark-etl stage ${stage.id}`,
      });
      return job;
    });
  }
}
