import { createRequire } from 'node:module';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import {
  DEPLOYED_PARAMETERS,
  type EnvConfig,
  LakepipeNodeFunction,
  LakepipeStack,
  publishParameter,
  readParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import type { PipelineModel } from '@lakepipe/workflow';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';

/** The routes the Lambda's router serves; each one is an API Gateway route with IAM auth. */
export const LEDGER_API_ROUTES = [
  'GET /health',
  'GET /runs',
  'GET /runs/{runId}',
  'GET /runs/{runId}/movements',
  'GET /objects',
] as const;

/** Where this stack publishes the API's URL for the CLI and other tools. */
export const LEDGER_API_URL_PARAMETER = DEPLOYED_PARAMETERS.ledgerApiUrl;

export interface LedgerApiStackProps {
  readonly config: EnvConfig;
  /** accepted for the uniform stack signature of infra/main.ts; the API does not depend on it @default unused */
  readonly pipeline?: PipelineModel;
  /**
   * Steady-state requests per second across the API.
   * @default 20
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Burst of requests above the rate.
   * @default 40
   */
  readonly burstLimit?: number;
}

const require = createRequire(import.meta.url);

/**
 * The ledger's HTTP API (ephemeral): an API Gateway HTTP API whose routes all require SigV4
 * (AWS_IAM) in front of one Lambda running the ledger router, with read-only access to the
 * ledger table and its indexes. Shared resources come from shared-infra's SSM parameters.
 */
export class LedgerApiStack extends LakepipeStack {
  readonly function: LakepipeNodeFunction;
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly accessLogs: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: LedgerApiStackProps) {
    super(scope, id, { config: props.config, service: 'ledger-api' });
    const { config } = props;
    const shared = (name: string, path: string) => readParameter(this, name, { config, path });
    const tableName = shared('ledger-table-name', SHARED_PARAMETERS.ledgerTableName);
    const tableArn = shared('ledger-table-arn', SHARED_PARAMETERS.ledgerTableArn);
    const kmsKeyArn = shared('kms-key-arn', SHARED_PARAMETERS.kmsKeyArn);

    this.function = new LakepipeNodeFunction(this, 'handler', {
      config,
      name: 'ledger-api',
      entry: require.resolve('@lakepipe/ledger/http/handler'),
      description: 'lakepipe ledger HTTP API: runs, stages and object histories (read-only)',
      memorySize: 256,
      timeoutSeconds: 10,
      kmsKeyArn,
      environment: { LEDGER_TABLE_NAME: tableName, POWERTOOLS_SERVICE_NAME: 'ledger-api' },
      policyStatements: [
        {
          sid: 'ReadLedger',
          actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
          resources: [tableArn, `${tableArn}/index/*`],
        },
        // The table is encrypted with the environment key: reading it needs Decrypt.
        { sid: 'DecryptLedger', actions: ['kms:Decrypt'], resources: [kmsKeyArn] },
      ],
    });

    this.accessLogs = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${this.name('ledger-api')}`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: kmsKeyArn,
    });

    this.api = new Apigatewayv2Api(this, 'api', {
      name: this.name('ledger-api'),
      protocolType: 'HTTP',
      description:
        'lakepipe ledger: GET /runs, /runs/{runId}, /runs/{runId}/movements, /objects?key=, /health (SigV4)',
    });

    const integration = new Apigatewayv2Integration(this, 'integration', {
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationMethod: 'POST',
      integrationUri: this.function.function.invokeArn,
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: 10_000,
    });

    for (const routeKey of LEDGER_API_ROUTES) {
      new Apigatewayv2Route(
        this,
        `route-${routeKey
          .replace(/[^a-zA-Z]+/g, '-')
          .replace(/-$/, '')
          .toLowerCase()}`,
        {
          apiId: this.api.id,
          routeKey,
          authorizationType: 'AWS_IAM',
          target: `integrations/${integration.id}`,
        },
      );
    }

    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.rateLimitPerSecond ?? 20,
        throttlingBurstLimit: props.burstLimit ?? 40,
      },
      accessLogSettings: {
        destinationArn: this.accessLogs.arn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          caller: '$context.identity.caller',
          userArn: '$context.identity.userArn',
          requestTime: '$context.requestTime',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          integrationError: '$context.integrationErrorMessage',
        }),
      },
    });

    new LambdaPermission(this, 'invoke-permission', {
      statementId: 'AllowLedgerHttpApi',
      action: 'lambda:InvokeFunction',
      functionName: this.function.function.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/*/*`,
    });

    publishParameter(this, 'url-parameter', {
      config,
      path: LEDGER_API_URL_PARAMETER,
      value: this.api.apiEndpoint,
      description: 'the ledger HTTP API base URL (SigV4, execute-api:Invoke)',
    });
    new TerraformOutput(this, 'url', {
      value: this.api.apiEndpoint,
      description: 'ledger HTTP API base URL',
    });
  }
}
