import { existsSync } from 'node:fs';
import path from 'node:path';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import {
  dataSourcesOfType,
  policyDocument,
  resourcesOfType,
  resourceWhere,
  statementWithSid,
  synthJson,
  testEnvConfig,
} from '@lakepipe/constructs/testing';
// the cdktf matchers' types (the setup file itself runs from vitest.config.ts)
import type {} from '@lakepipe/constructs/vitest-setup';
import { Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_API_ROUTES, LedgerApiStack } from './ledger-api-stack';

const TABLE_NAME = `\${data.aws_ssm_parameter.ledger-table-name.value}`;
const TABLE_ARN = `\${data.aws_ssm_parameter.ledger-table-arn.value}`;
const KEY_ARN = `\${data.aws_ssm_parameter.kms-key-arn.value}`;

describe('LedgerApiStack', () => {
  let stack: LedgerApiStack;
  let json: ReturnType<typeof synthJson>;
  let synthesized: string;

  beforeAll(() => {
    stack = new LedgerApiStack(Testing.app(), 'ledger-api-dev', { config: testEnvConfig() });
    synthesized = Testing.synth(stack);
    json = synthJson(stack);
  });

  it('finds the ledger table and the key through the SSM parameters shared-infra publishes', () => {
    // Act
    const names = dataSourcesOfType(json, 'aws_ssm_parameter').map((d) => d.config.name);

    // Assert
    expect(names.sort()).toEqual([
      '/lakepipe/dev/ledger/table-arn',
      '/lakepipe/dev/ledger/table-name',
      '/lakepipe/dev/security/kms-key-arn',
    ]);
  });

  it('runs the ledger router on nodejs22.x, bundled, told its table by environment', () => {
    // Act
    const fn = resourceWhere(json, 'aws_lambda_function', { function_name: 'lakepipe-dev-ledger-api' });

    // Assert
    expect(fn.config).toMatchObject({
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      kms_key_arn: KEY_ARN,
      environment: { variables: { LEDGER_TABLE_NAME: TABLE_NAME, POWERTOOLS_SERVICE_NAME: 'ledger-api' } },
    });
    expect(existsSync(path.join(stack.function.bundleDir, 'index.mjs'))).toBe(true);
  });

  it('lets the function read the ledger table and its indexes, and nothing else', () => {
    // Arrange
    const policy = resourcesOfType(json, 'aws_iam_role_policy')[0]?.config.policy;

    // Act
    const read = statementWithSid(policy, 'ReadLedger');
    const decrypt = statementWithSid(policy, 'DecryptLedger');
    const actions = policyDocument(policy).flatMap((s) => s.Action);

    // Assert
    expect(read.Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']);
    expect(read.Resource).toEqual([TABLE_ARN, `${TABLE_ARN}/index/*`]);
    expect(decrypt).toMatchObject({ Action: ['kms:Decrypt'], Resource: [KEY_ARN] });
    expect([...new Set(actions)].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('puts every route behind AWS_IAM authorization, pointing at the Lambda integration', () => {
    // Act
    const routes = resourcesOfType(json, 'aws_apigatewayv2_route').map((r) => r.config);

    // Assert
    expect(routes.map((r) => r.route_key).sort()).toEqual([...LEDGER_API_ROUTES].sort());
    for (const route of routes) {
      expect(route.authorization_type).toBe('AWS_IAM');
      expect(route.target).toMatch(/^integrations\/\$\{aws_apigatewayv2_integration\..+\.id\}$/);
    }
    expect(synthesized).toHaveResourceWithProperties(Apigatewayv2Route, {
      route_key: 'GET /runs/{runId}',
      authorization_type: 'AWS_IAM',
    });
  });

  it('integrates the HTTP API with the function (payload v2) and lets only this API invoke it', () => {
    // Act
    const api = resourceWhere(json, 'aws_apigatewayv2_api', { name: 'lakepipe-dev-ledger-api' });
    const integration = resourcesOfType(json, 'aws_apigatewayv2_integration')[0]?.config;
    const permission = resourcesOfType(json, 'aws_lambda_permission')[0]?.config;

    // Assert
    expect(api.config.protocol_type).toBe('HTTP');
    expect(integration).toMatchObject({ integration_type: 'AWS_PROXY', payload_format_version: '2.0' });
    expect(String(integration?.integration_uri)).toMatch(/aws_lambda_function\..+\.invoke_arn/);
    expect(permission).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
    });
    expect(permission?.source_arn).toBe(`\${${'aws_apigatewayv2_api'}.${api.name}.execution_arn}/*/*`);
  });

  it('writes access logs to a KMS-encrypted log group with the environment retention', () => {
    // Act
    const stage = resourcesOfType(json, 'aws_apigatewayv2_stage')[0]?.config as {
      access_log_settings: { destination_arn: string; format: string };
    };
    const logs = resourceWhere(json, 'aws_cloudwatch_log_group', {
      name: '/aws/apigateway/lakepipe-dev-ledger-api',
    });

    // Assert
    expect(logs.config).toMatchObject({ retention_in_days: 14, kms_key_id: KEY_ARN });
    expect(stage.access_log_settings.destination_arn).toBe(`\${aws_cloudwatch_log_group.${logs.name}.arn}`);
    expect(JSON.parse(stage.access_log_settings.format)).toMatchObject({
      status: '$context.status',
      userArn: '$context.identity.userArn',
    });
  });

  it('publishes the API URL for the CLI under /lakepipe/<env>/ledger-api/url', () => {
    // Act
    const parameter = resourceWhere(json, 'aws_ssm_parameter', { name: '/lakepipe/dev/ledger-api/url' });

    // Assert
    expect(String(parameter.config.value)).toMatch(/aws_apigatewayv2_api\..+\.api_endpoint/);
  });

  it('keeps prod apart by name and retention', () => {
    // Arrange
    const prod = new LedgerApiStack(Testing.app(), 'ledger-api-prod', {
      config: testEnvConfig({ name: 'prod', logRetentionDays: 90 }),
    });

    // Act
    const prodJson = synthJson(prod);

    // Assert
    expect(
      resourceWhere(prodJson, 'aws_lambda_function', { function_name: 'lakepipe-prod-ledger-api' }),
    ).toBeDefined();
    expect(
      resourceWhere(prodJson, 'aws_cloudwatch_log_group', {
        name: '/aws/apigateway/lakepipe-prod-ledger-api',
      }).config.retention_in_days,
    ).toBe(90);
  });
});
