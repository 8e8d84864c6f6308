import { newRunId } from '@lakepipe/lake';
import { createLedgerTable, LOCAL_CREDENTIALS, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLedgerClient } from '../client';
import { LedgerSeeder } from '../test-support';

/** The event API Gateway (HTTP API, payload 2.0) sends for a GET. */
function httpApiEvent(path: string, query = ''): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    requestContext: {
      accountId: '111111111111',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'curl' },
      requestId: 'r1',
      routeKey: `GET ${path}`,
      stage: '$default',
      time: '26/Nov/2026:07:00:00 +0000',
      timeEpoch: 1795676400000,
    },
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'r1', functionName: 'lakepipe-dev-ledger-api' } as Context;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('ledger API Lambda handler', () => {
  it('answers an API Gateway v2 event for one run from the table LEDGER_TABLE_NAME names', async () => {
    // Arrange
    const client = createLedgerClient({
      endpoint: dynamoDbEndpoint(),
      region: 'eu-west-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const tableName = uniqueTableName('lambda');
    await createLedgerTable(client, tableName);
    const runId = newRunId();
    await new LedgerSeeder({ client, tableName }).startRun({ runId, pipeline: 'bench' });
    vi.stubEnv('LEDGER_TABLE_NAME', tableName);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoDbEndpoint());
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { handler } = await import('./handler');

    // Act
    const result = await handler(httpApiEvent(`/runs/${runId}`), context);

    // Assert
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({
      runId,
      pipeline: 'bench',
      status: 'RUNNING',
      stages: [],
    });
  });

  it('answers 400 as JSON for a malformed object key', async () => {
    // Arrange
    vi.stubEnv('LEDGER_TABLE_NAME', 'lakepipe-dev-ledger');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { handler } = await import('./handler');

    // Act
    const result = await handler(httpApiEvent('/objects', 'key=%2Fetc%2Fpasswd'), context);

    // Assert
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '{}')).toEqual({
      error: 'InvalidObjectKeyError',
      message: 'object key "/etc/passwd" is malformed: it starts with /',
    });
  });
});
