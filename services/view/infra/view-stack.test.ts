import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { loadEnvConfig } from '@lakepipe/constructs';
import {
  dataSourcesOfType,
  policyDocument,
  resourcesOfType,
  statementWithSid,
  synthJson,
} from '@lakepipe/constructs/testing';
import type {} from '@lakepipe/constructs/vitest-setup';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ViewSqlError } from '../src/errors';
import { repoPipeline } from '../src/test-support/pipeline';
import { ViewCatalogStack } from './view-catalog-stack';
import { ViewStack } from './view-stack';

const pipeline = repoPipeline();
const ssm = (name: string) => `\${data.aws_ssm_parameter.${name}.value}`;

describe.each(['dev', 'prod'])('ViewStack (%s)', (env) => {
  const config = loadEnvConfig(env);
  const stack = new ViewStack(Testing.app(), `view-${env}`, { config, pipeline });
  const json = synthJson(stack);
  const synthesized = Testing.synth(stack);
  const policy = resourcesOfType(json, 'aws_iam_role_policy').find((p) => p.config.name === 'inline')!.config
    .policy;

  it('deploys the view Lambda on nodejs22.x with the workgroup, database and bucket from SSM', () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunction, {
      function_name: `lakepipe-${env}-view`,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      timeout: 900,
      environment: {
        variables: {
          NODE_OPTIONS: '--enable-source-maps',
          ATHENA_WORKGROUP: ssm('athena-workgroup-name'),
          GLUE_DATABASE: ssm('glue-database-name'),
          LAKE_BUCKET: ssm('lake-bucket-name'),
          KMS_KEY_ARN: ssm('kms-key-arn'),
          STATEMENT_TIMEOUT_MS: '120000',
        },
      },
    });
    expect(
      dataSourcesOfType(json, 'aws_ssm_parameter')
        .map((d) => d.config.name)
        .sort(),
    ).toEqual(
      [
        'athena/results-bucket-arn',
        'athena/workgroup-name',
        'catalog/glue-database-name',
        'security/kms-key-arn',
        'storage/lake-bucket-arn',
        'storage/lake-bucket-name',
      ].map((p) => `/lakepipe/${env}/${p}`),
    );
  });

  it('lets the Lambda query only in the environment workgroup', () => {
    const statement = statementWithSid(policy, 'QueryInWorkgroup');
    expect(statement.Resource).toEqual([
      `arn:aws:athena:eu-west-1:${config.accountId}:workgroup/${ssm('athena-workgroup-name')}`,
    ]);
    expect(statement.Action).toEqual([
      'athena:StartQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
    ]);
  });

  it('lets the Lambda read every table but change only its own views and the scored_ partitions', () => {
    const glue = `arn:aws:glue:eu-west-1:${config.accountId}`;
    const database = ssm('glue-database-name');
    expect(statementWithSid(policy, 'ReadDatabaseTables')).toMatchObject({
      Action: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetTables',
        'glue:GetPartition',
        'glue:GetPartitions',
      ],
      Resource: [`${glue}:catalog`, `${glue}:database/${database}`, `${glue}:table/${database}/*`],
    });
    expect(statementWithSid(policy, 'ManageOwnViews')).toMatchObject({
      Action: ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
      Resource: [
        `${glue}:catalog`,
        `${glue}:database/${database}`,
        `${glue}:table/${database}/bench_tests_latest`,
        `${glue}:table/${database}/bench_tests_current`,
        `${glue}:table/${database}/bench_tests_rejects_summary`,
        `${glue}:table/${database}/daily_defect_rate`,
      ],
    });
    expect(statementWithSid(policy, 'AddScoredPartitions')).toMatchObject({
      Action: ['glue:CreatePartition', 'glue:BatchCreatePartition'],
      Resource: [
        `${glue}:catalog`,
        `${glue}:database/${database}`,
        `${glue}:table/${database}/scored_bench_tests`,
      ],
    });
    const tableWrites = policyDocument(policy).filter((s) => s.Action.some((a) => a === 'glue:DeleteTable'));
    expect(tableWrites.flatMap((s) => s.Resource)).not.toContain(`${glue}:table/${database}/*`);
  });

  it('reads only the stage prefixes of the lake and writes only its manifests and the Athena results bucket', () => {
    const lake = ssm('lake-bucket-arn');
    expect(statementWithSid(policy, 'ReadStagePrefixes')).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: ['raw', 'curated', 'rejected', 'features', 'scored'].map((s) => `${lake}/${s}/*`),
    });
    expect(statementWithSid(policy, 'WriteQueryResults').Resource).toEqual([
      `${ssm('athena-results-bucket-arn')}/*`,
    ]);
    const writes = policyDocument(policy).filter((s) => s.Action.some((a) => a === 's3:PutObject'));
    // in the lake, only the view stages' own manifests
    expect(writes.flatMap((s) => s.Resource)).toEqual([
      ...['views', 'report'].map((stage) => `${lake}/_manifests/run=*/${stage}.json`),
      `${ssm('athena-results-bucket-arn')}/*`,
    ]);
    expect(statementWithSid(policy, 'UseEnvironmentKey').Resource).toEqual([ssm('kms-key-arn')]);
  });

  it('publishes the function ARN to /lakepipe/<env>/view/function-arn', () => {
    expect(synthesized).toHaveResourceWithProperties(SsmParameter, {
      name: `/lakepipe/${env}/view/function-arn`,
      type: 'String',
    });
  });
});

describe.each(['dev', 'prod'])('ViewCatalogStack (%s)', (env) => {
  it('defines scored_<dataset> over scored/<dataset>/ as header-less CSV partitioned by run', () => {
    // Act
    const stack = new ViewCatalogStack(Testing.app(), `view-catalog-${env}`, {
      config: loadEnvConfig(env),
      pipeline,
    });
    const table = resourcesOfType(synthJson(stack), GlueCatalogTable.tfResourceType);
    // Assert
    expect(table).toHaveLength(1);
    expect(table[0]!.config).toEqual({
      name: 'scored_bench_tests',
      description: 'bench_tests: model scores (id, score) per run, as SageMaker batch transform writes them',
      parameters: { EXTERNAL: 'TRUE', classification: 'csv' },
      database_name: ssm('glue-database-name'),
      table_type: 'EXTERNAL_TABLE',
      partition_keys: [{ name: 'run', type: 'string' }],
      storage_descriptor: {
        location: `s3://${ssm('lake-bucket-name')}/scored/bench_tests/`,
        input_format: 'org.apache.hadoop.mapred.TextInputFormat',
        output_format: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        columns: [
          { name: 'id', type: 'string' },
          { name: 'score', type: 'double' },
        ],
        ser_de_info: {
          serialization_library: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
          parameters: { 'field.delim': ',', 'serialization.format': ',' },
        },
      },
    });
  });
});

describe('ViewStack synth checks', () => {
  it('fails synth when a declared view is outside the shared dialect', () => {
    // Arrange
    const broken = {
      ...pipeline,
      views: { bad: { sql: "SELECT strftime(started_at, '%Y') FROM curated_bench_tests" } },
    };
    // Act / Assert
    expect(
      () => new ViewStack(Testing.app(), 'view-dev', { config: loadEnvConfig('dev'), pipeline: broken }),
    ).toThrow(ViewSqlError);
  });
});
