import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { loadEnvConfig } from '@lakepipe/constructs';
import { policyDocument, resourcesOfType, statementWithSid, synthJson } from '@lakepipe/constructs/testing';
import type {} from '@lakepipe/constructs/vitest-setup';
import type { PipelineModel, StageModel } from '@lakepipe/workflow';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { benchTestsSpec } from '../src/test-support/pipeline';
import { SparkEtlCatalogStack } from './spark-etl-catalog-stack';
import { SparkEtlStack } from './spark-etl-stack';

const retry = { maxAttempts: 2, intervalSeconds: 10, backoffRate: 2 };
const stage = (id: string, attributes: Record<string, unknown>, timeoutSeconds: number): StageModel => ({
  id,
  type: 'spark-etl',
  attributes,
  retry,
  timeoutSeconds,
});
/** Two ETL stages over the same dataset, each with its own Spark capacity. */
const pipeline: PipelineModel = {
  name: 'bench-quality',
  defaults: { retry, timeoutSeconds: 3600 },
  trigger: {},
  datasets: { bench_tests: benchTestsSpec() },
  views: {},
  stages: {
    etl: stage('etl', { dataset: 'bench_tests', workers: { type: 'G.1X', count: 4 } }, 1800),
    backfill: stage(
      'backfill',
      { dataset: 'bench_tests', workers: { type: 'G.4X', count: 20 }, maxConcurrentRuns: 3 },
      7200,
    ),
    score: { ...stage('score', { dataset: 'bench_tests' }, 600), type: 'sagemaker-scoring' },
  },
  flow: [],
};
const ssm = (name: string) => `\${data.aws_ssm_parameter.${name}.value}`;

describe.each(['dev', 'prod'])('SparkEtlStack (%s)', (env) => {
  const config = loadEnvConfig(env);
  const stack = new SparkEtlStack(Testing.app(), `spark-etl-${env}`, { config, pipeline });
  const synthesized = Testing.synth(stack);
  const json = synthJson(stack);

  it('creates one Glue 5.0 job per spark-etl stage with the workers, timeout and concurrency of that stage', () => {
    expect(synthesized).toHaveResourceWithProperties(GlueJob, {
      name: `lakepipe-${env}-etl-etl`,
      glue_version: '5.0',
      worker_type: 'G.1X',
      number_of_workers: 4,
      timeout: 30,
      max_retries: 0,
      execution_property: { max_concurrent_runs: 10 },
      command: {
        name: 'glueetl',
        python_version: '3',
        script_location: `s3://${ssm('lake-bucket-name')}/_glue/etl/etl_job.py`,
      },
    });
    expect(synthesized).toHaveResourceWithProperties(GlueJob, {
      name: `lakepipe-${env}-etl-backfill`,
      worker_type: 'G.4X',
      number_of_workers: 20,
      timeout: 120,
      execution_property: { max_concurrent_runs: 3 },
    });
    expect(resourcesOfType(json, 'aws_glue_job')).toHaveLength(2);
  });

  it('turns on continuous logs, metrics and job insights and passes the generated spec', () => {
    const job = resourcesOfType(json, 'aws_glue_job').find(
      (j) => j.config.name === `lakepipe-${env}-etl-etl`,
    )!;
    expect(job.config.default_arguments).toMatchObject({
      '--enable-continuous-cloudwatch-log': 'true',
      '--enable-metrics': 'true',
      '--enable-job-insights': 'true',
      '--spec_s3_uri': `s3://${ssm('lake-bucket-name')}/_glue/etl/job-spec.generated.json`,
      '--extra-py-files': `s3://${ssm('lake-bucket-name')}/_glue/etl/lakepipe_etl_helpers.py`,
      '--lake_bucket': ssm('lake-bucket-name'),
      '--fs_scheme': 's3',
      '--ledger_table': ssm('ledger-table-name'),
      '--dataset': 'bench_tests',
      '--stage_id': 'etl',
    });
    expect(job.config.security_configuration).toBe(
      '${aws_glue_security_configuration.security-configuration.name}',
    );
  });

  it('encrypts S3 output, logs and bookmarks with the lake key', () => {
    expect(synthesized).toHaveResourceWithProperties(GlueSecurityConfiguration, {
      name: `lakepipe-${env}-etl`,
      encryption_configuration: {
        s3_encryption: { s3_encryption_mode: 'SSE-KMS', kms_key_arn: ssm('kms-key-arn') },
        cloudwatch_encryption: { cloudwatch_encryption_mode: 'SSE-KMS', kms_key_arn: ssm('kms-key-arn') },
        job_bookmarks_encryption: {
          job_bookmarks_encryption_mode: 'CSE-KMS',
          kms_key_arn: ssm('kms-key-arn'),
        },
      },
    });
  });

  it('uploads script, helpers and generated spec as objects whose hash follows their content', () => {
    const objects = resourcesOfType(json, 'aws_s3_object').filter((o) =>
      String(o.config.key).startsWith('_glue/etl/'),
    );
    expect(objects.map((o) => o.config.key).sort()).toEqual([
      '_glue/etl/bench_tests.generated.spark.sql',
      '_glue/etl/etl_job.py',
      '_glue/etl/job-spec.generated.json',
      '_glue/etl/lakepipe_etl_helpers.py',
    ]);
    const spec = objects.find((o) => o.config.key === '_glue/etl/job-spec.generated.json')!;
    expect(JSON.parse(String(spec.config.content))).toMatchObject({
      dataset: 'bench_tests',
      partitionBy: ['dt'],
      maxRejectRatio: 0.2,
    });
    expect(spec.config.source_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.config.kms_key_id).toBe(ssm('kms-key-arn'));
  });

  it('lets the job read only its raw prefix and write only its own outputs, manifest and ledger movements', () => {
    const policy = resourcesOfType(json, 'aws_iam_role_policy').find((p) => p.name === 'etl-policy')!.config
      .policy;
    const lake = ssm('lake-bucket-arn');
    expect(statementWithSid(policy, 'ReadRawAndArtifacts').Resource).toEqual([
      `${lake}/raw/bench_tests/*`,
      `${lake}/_glue/etl/*`,
    ]);
    expect(statementWithSid(policy, 'WriteOwnOutputs').Resource).toEqual([
      `${lake}/curated/bench_tests/*`,
      `${lake}/rejected/bench_tests/*`,
      `${lake}/features/bench_tests/*`,
      `${lake}/_manifests/run=*/etl.json`,
      `${lake}/_tmp/etl/*-etl-*`,
      `${lake}/_tmp/glue/etl/*`,
    ]);
    expect(statementWithSid(policy, 'LedgerMovements')).toMatchObject({
      Action: ['dynamodb:BatchWriteItem'],
      Resource: [ssm('ledger-table-arn')],
      Condition: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [
            'OBJ#curated/bench_tests/*',
            'OBJ#rejected/bench_tests/*',
            'OBJ#features/bench_tests/*',
            'OBJ#_manifests/run=*/etl.json',
          ],
        },
      },
    });
    expect(statementWithSid(policy, 'Logs')).toMatchObject({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
      Resource: ['output', 'error'].map(
        (group) =>
          `arn:aws:logs:${config.region}:${config.accountId}:log-group:/aws-glue/jobs/lakepipe-${env}-etl-etl/${group}:*`,
      ),
    });
    expect(policyDocument(policy).flatMap((s) => [s.Action].flat())).not.toContain('s3:*');
  });

  it('publishes each job name to SSM', () => {
    expect(synthesized).toHaveResourceWithProperties(SsmParameter, {
      name: `/lakepipe/${env}/spark-etl/etl/job-name`,
      type: 'String',
    });
  });
});

describe.each(['dev', 'prod'])('SparkEtlCatalogStack (%s)', (env) => {
  const config = loadEnvConfig(env);
  const stack = new SparkEtlCatalogStack(Testing.app(), `spark-etl-catalog-${env}`, { config, pipeline });
  const synthesized = Testing.synth(stack);
  const json = synthJson(stack);
  const tableNamed = (name: string) =>
    resourcesOfType(json, 'aws_glue_catalog_table').find((t) => t.config.name === name)!;

  it("declares each job's output and error log groups with the retention and the lake key", () => {
    expect(
      resourcesOfType(json, 'aws_cloudwatch_log_group').map((g) => [
        g.config.name,
        g.config.retention_in_days,
        g.config.kms_key_id,
      ]),
    ).toEqual(
      // one job per spark-etl stage (etl, backfill); synth orders resources by id
      ['backfill/error', 'backfill/output', 'etl/error', 'etl/output'].map((group) => [
        `/aws-glue/jobs/lakepipe-${env}-etl-${group}`,
        config.logRetentionDays,
        ssm('kms-key-arn'),
      ]),
    );
  });

  it('declares raw, curated, rejected and features tables once per dataset in the environment database', () => {
    expect(
      resourcesOfType(json, 'aws_glue_catalog_table')
        .map((t) => t.config.name)
        .sort(),
    ).toEqual(['curated_bench_tests', 'features_bench_tests', 'raw_bench_tests', 'rejected_bench_tests']);
    expect(tableNamed('curated_bench_tests').config.database_name).toBe(ssm('glue-database-name'));
  });

  it('projects the dt partition of curated so Athena needs no crawler', () => {
    expect(synthesized).toHaveResourceWithProperties(GlueCatalogTable, {
      name: 'curated_bench_tests',
      parameters: expect.objectContaining({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.range': '2020-01-01,NOW',
        'projection.dt.format': 'yyyy-MM-dd',
        'storage.location.template': `s3://${ssm('lake-bucket-name')}/curated/bench_tests/dt=\${dt}/`,
      }),
      partition_keys: [{ name: 'dt', type: 'date' }],
    });
  });

  it('types curated columns from the spec and adds the lineage columns', () => {
    const columns = tableNamed('curated_bench_tests').config.storage_descriptor as {
      columns: { name: string; type: string }[];
    };
    expect(columns.columns.slice(0, 5)).toEqual([
      { name: 'test_id', type: 'string' },
      { name: 'device_id', type: 'string' },
      { name: 'bench_id', type: 'string' },
      { name: 'firmware', type: 'string' },
      { name: 'started_at', type: 'timestamp' },
    ]);
    expect(columns.columns.slice(-4)).toEqual([
      { name: 'error_count', type: 'int' },
      { name: 'failed_in_field', type: 'int' },
      { name: 'run_id', type: 'string' },
      { name: 'source_file', type: 'string' },
    ]);
  });

  it('reads features as headerless CSV with the id first', () => {
    const sd = tableNamed('features_bench_tests').config.storage_descriptor as {
      columns: { name: string }[];
    };
    expect(sd.columns.map((c) => c.name)).toEqual([
      'test_id',
      'duration_s',
      'temperature_c',
      'voltage_v',
      'current_a',
      'vibration_mm_s',
      'pressure_kpa',
      'error_count',
    ]);
  });
});
