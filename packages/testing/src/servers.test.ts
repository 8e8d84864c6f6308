import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoDocumentClientFor, s3ClientFor } from './clients';
import { startDynamoDbLocal } from './dynamodb-local';
import { createLedgerTable, uniqueTableName } from './ledger-table';
import { dynamoDbEndpoint, s3Endpoint } from './vitest';

describe('the shared DynamoDB Local (globalSetup)', () => {
  it('creates a ledger table with the shared-infra key schema, GSI1 and TTL', async () => {
    // Arrange
    const client = dynamoDocumentClientFor(dynamoDbEndpoint());
    const tableName = uniqueTableName('schema');

    // Act
    await createLedgerTable(client, tableName);

    // Assert
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual([
      [
        'GSI1',
        [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
      ],
    ]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });

  it('stores and returns an item through the document client', async () => {
    // Arrange
    const client = dynamoDocumentClientFor(dynamoDbEndpoint());
    const tableName = uniqueTableName('roundtrip');
    await createLedgerTable(client, tableName);

    // Act
    await client.send(
      new PutCommand({ TableName: tableName, Item: { PK: 'a', SK: 'b', n: 3, skip: undefined } }),
    );
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { PK: 'a', SK: 'b' } }));

    // Assert
    expect(Item).toEqual({ PK: 'a', SK: 'b', n: 3 });
  });
});

describe('startDynamoDbLocal', () => {
  // two JVM starts: slow on a loaded 2-core machine
  it('keeps tables in a data folder across a restart', { timeout: 240_000 }, async () => {
    // Arrange
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dbPath = await mkdtemp(`${tmpdir()}/ddb-`);
    const first = await startDynamoDbLocal({ dbPath });
    await createLedgerTable(dynamoDocumentClientFor(first.endpoint), 'kept');
    await first.stop();

    // Act
    const second = await startDynamoDbLocal({ dbPath });
    try {
      const { Table } = await dynamoDocumentClientFor(second.endpoint).send(
        new DescribeTableCommand({ TableName: 'kept' }),
      );

      // Assert
      expect(Table?.TableName).toBe('kept');
    } finally {
      await second.stop();
    }
  });
});

describe('the shared s3rver (globalSetup)', () => {
  it('round-trips an object with the local client settings', async () => {
    // Arrange
    const s3 = s3ClientFor(s3Endpoint());
    const bucket = `b-${Math.random().toString(36).slice(2, 10)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'raw/x.csv', Body: 'id\n1\n' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'raw/x.csv' }));

    // Assert
    expect(await got.Body?.transformToString()).toBe('id\n1\n');
  });
});

describe('startDynamoDbLocal failures', () => {
  it('names the port when another process already holds it', async () => {
    // Arrange
    const { createServer } = await import('node:http');
    const squatter = createServer((_req, res) => res.end('not dynamodb'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const address = squatter.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    try {
      // Act
      const started = startDynamoDbLocal({ port, startTimeoutMs: 20_000 });

      // Assert
      await expect(started).rejects.toThrow(new RegExp(`DynamoDB Local did not start: .*${port}`));
    } finally {
      squatter.close();
    }
  });
});

describe('startDynamoDbLocal clean-up', () => {
  it('takes DynamoDB Local down with the process that started it, even when it crashes', {
    timeout: 240_000,
  }, async () => {
    // Arrange: a script that starts DynamoDB Local, prints its endpoint, then crashes
    const { spawn } = await import('node:child_process');
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { fileURLToPath } = await import('node:url');
    const script = `${await mkdtemp(`${tmpdir()}/crash-`)}/crash.ts`;
    const module = JSON.stringify(fileURLToPath(new URL('./dynamodb-local.ts', import.meta.url)));
    await writeFile(
      script,
      `import { startDynamoDbLocal } from ${module};\nconsole.log((await startDynamoDbLocal()).endpoint);\nthrow new Error('crash');\n`,
    );
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const child = spawn(tsx, [script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });

    // Act
    const exitCode = await new Promise((resolve) => child.once('exit', resolve));

    // Assert
    const endpoint = stdout.trim();
    expect(exitCode).toBe(1);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await new Promise((r) => setTimeout(r, 1000));
    await expect(fetch(endpoint, { signal: AbortSignal.timeout(2000) })).rejects.toThrow('fetch failed');
  });
});
