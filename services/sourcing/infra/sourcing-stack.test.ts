import { loadEnvConfig } from '@lakepipe/constructs';
import {
  policyDocument,
  resourcesOfType,
  resourceWhere,
  statementWithSid,
  synthJson,
} from '@lakepipe/constructs/testing';
import { createStageRegistry, parsePipeline } from '@lakepipe/workflow';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { sourcingStageType } from '../src/stage-type';
import { SourcingStack } from './sourcing-stack';

const registry = createStageRegistry([sourcingStageType as never]);

function pipeline(extra = '') {
  return parsePipeline(
    `
name: bench-quality
defaults: { timeoutSeconds: 3600 }
datasets:
  bench_tests:
    source: { type: s3, prefix: landing/bench_tests/ }
    columns: { test_id: { type: string } }
  partner_tests:
    source: { type: s3, bucket: partner-drop-bucket, prefix: exports/tests }
    columns: { test_id: { type: string } }
stages:
  source: { type: sourcing, datasets: [bench_tests], memoryMb: 1536, timeoutSeconds: 600 }
  partner: { type: sourcing, datasets: [partner_tests] }
${extra}
flow: [source, partner]
`,
    { registry },
  );
}

function synth(env: 'dev' | 'prod', model = pipeline()) {
  const app = Testing.app();
  const stack = new SourcingStack(app, `sourcing-${env}`, { config: loadEnvConfig(env), pipeline: model });
  return synthJson(stack);
}

/** A Terraform interpolation as synthesized, e.g. `${data.x.y.value}`. */
const tfRef = (expression: string) => `$${'{'}${expression}}`;
const LAKE_ARN = tfRef('data.aws_ssm_parameter.lake-bucket-arn.value');

describe('SourcingStack', () => {
  it("lets the function read exactly the source prefixes and write exactly its datasets' raw/ and its manifests", () => {
    // Arrange / Act
    const json = synth('dev');

    // Assert
    const policy = resourcesOfType(json, 'aws_iam_role_policy')[0]!.config.policy;
    const s3Statements = policyDocument(policy).filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3Statements.map((s) => [s.Sid, s.Action, s.Resource, s.Condition])).toEqual([
      [
        'ReadSources',
        ['s3:GetObject'],
        [`${LAKE_ARN}/landing/bench_tests/*`, 'arn:aws:s3:::partner-drop-bucket/exports/tests/*'],
        undefined,
      ],
      [
        'ListLake',
        ['s3:ListBucket'],
        [LAKE_ARN],
        {
          StringLike: { 's3:prefix': ['landing/bench_tests/*', 'raw/bench_tests/*', 'raw/partner_tests/*'] },
        },
      ],
      [
        'ListSourceBucket1',
        ['s3:ListBucket'],
        ['arn:aws:s3:::partner-drop-bucket'],
        { StringLike: { 's3:prefix': ['exports/tests/*'] } },
      ],
      [
        'WriteRaw',
        ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        [`${LAKE_ARN}/raw/bench_tests/*`, `${LAKE_ARN}/raw/partner_tests/*`],
        undefined,
      ],
      [
        'WriteManifests',
        ['s3:PutObject'],
        [`${LAKE_ARN}/_manifests/run=*/source.json`, `${LAKE_ARN}/_manifests/run=*/partner.json`],
        undefined,
      ],
    ]);
  });

  it("limits ledger writes to its datasets' claims and the movements of its own keys", () => {
    // Arrange / Act
    const json = synth('dev');

    // Assert
    const policy = resourcesOfType(json, 'aws_iam_role_policy')[0]!.config.policy;
    expect(statementWithSid(policy, 'ClaimSources')).toMatchObject({
      Action: ['dynamodb:PutItem', 'dynamodb:GetItem'],
      Resource: [tfRef('data.aws_ssm_parameter.ledger-table-arn.value')],
      Condition: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': ['CLAIM#bench_tests#*', 'CLAIM#partner_tests#*'],
        },
      },
    });
    expect(statementWithSid(policy, 'RecordMovements')).toMatchObject({
      Action: ['dynamodb:BatchWriteItem'],
      Condition: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [
            'OBJ#raw/bench_tests/*',
            'OBJ#raw/partner_tests/*',
            'OBJ#landing/bench_tests/*',
            'OBJ#_manifests/run=*/source.json',
            'OBJ#_manifests/run=*/partner.json',
            'RUNMOVE#*',
          ],
        },
      },
    });
    expect(statementWithSid(policy, 'UseLakeKey').Resource).toEqual([
      tfRef('data.aws_ssm_parameter.kms-key-arn.value'),
    ]);
    expect(statementWithSid(policy, 'DeliverFailedInvocations')).toMatchObject({
      Action: ['sns:Publish'],
      Resource: ['arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors'],
    });
  });

  it('sizes the arm64 nodejs22.x function from the largest sourcing stage, capped at the Lambda timeout', () => {
    // Arrange / Act
    const json = synth('dev');

    // Assert
    const fn = resourceWhere(json, 'aws_lambda_function', { function_name: 'lakepipe-dev-sourcing' }).config;
    expect(fn).toMatchObject({
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      memory_size: 1536,
      timeout: 900,
      environment: {
        variables: expect.objectContaining({
          LAKE_BUCKET: tfRef('data.aws_ssm_parameter.lake-bucket-name.value'),
          LEDGER_TABLE: tfRef('data.aws_ssm_parameter.ledger-table-name.value'),
        }),
      },
    });
    expect(resourcesOfType(json, 'aws_lambda_function_event_invoke_config')[0]!.config).toMatchObject({
      destination_config: {
        on_failure: { destination: 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors' },
      },
    });
    expect(resourcesOfType(json, 'aws_cloudwatch_log_group')[0]!.config).toMatchObject({
      name: '/aws/lambda/lakepipe-dev-sourcing',
      retention_in_days: loadEnvConfig('dev').logRetentionDays,
    });
  });

  it('publishes the function ARN in SSM for dev and prod', () => {
    // Arrange / Act
    const dev = synth('dev');
    const prod = synth('prod');

    // Assert
    for (const [json, env] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      expect(resourcesOfType(json, 'aws_ssm_parameter').map((p) => p.config)).toEqual([
        expect.objectContaining({
          name: `/lakepipe/${env}/sourcing/function-arn`,
          type: 'String',
          value: `\${aws_lambda_function.${resourceWhere(json, 'aws_lambda_function', { function_name: `lakepipe-${env}-sourcing` }).name}.arn}`,
        }),
      ]);
    }
  });

  it('refuses a directory source, which only the local twin can read', () => {
    // Arrange
    const model = pipeline();
    const withFolder = {
      ...model,
      datasets: {
        ...model.datasets,
        bench_tests: {
          ...model.datasets.bench_tests!,
          source: { type: 'directory' as const, path: '/data' },
        },
      },
    };

    // Act
    const build = () =>
      new SourcingStack(Testing.app(), 'sourcing-dev', {
        config: loadEnvConfig('dev'),
        pipeline: withFolder,
      });

    // Assert
    expect(build).toThrow(
      'SourcingStack: stage source, dataset bench_tests: directory sources (/data) run only in the local twin',
    );
  });
});
