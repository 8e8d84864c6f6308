import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS } from '@lakepipe/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createLedgerClient } from './client';
import { Ledger } from './ledger';

const runId = '20261126T064500Z-a1b2c3';
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/**
 * A loopback endpoint speaking DynamoDB's JSON protocol for BatchWriteItem that hands back
 * the last `unprocessed` items of each request for the first `busyRounds` requests.
 */
async function startBusyDynamoDb(busyRounds: number, unprocessed = 3) {
  const batches: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = JSON.parse(body) as { RequestItems: Record<string, unknown[]> };
      const [table, items] = Object.entries(request.RequestItems)[0]!;
      batches.push(items.length);
      const busy = batches.length <= busyRounds;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ UnprocessedItems: busy ? { [table]: items.slice(-unprocessed) } : {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const client = createLedgerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  return { batches, client };
}

const movement = (i: number) => ({
  runId,
  stageId: 'etl',
  to: `curated/ds/p-${i}.parquet`,
  bytes: i,
  sha256: 'd'.repeat(64),
});

describe('Ledger.recordMovements under a busy table', () => {
  it('sends back the UnprocessedItems until DynamoDB takes them', async () => {
    // Arrange
    const { batches, client } = await startBusyDynamoDb(2);
    const ledger = new Ledger({ client, tableName: 'busy', writeConcurrency: 1 });

    // Act: 10 movements = 20 items, one BatchWrite
    await ledger.recordMovements(Array.from({ length: 10 }, (_, i) => movement(i)));

    // Assert: the 3 unprocessed items went back twice, then were taken
    expect(batches).toEqual([20, 3, 3]);
  });

  it('gives up with LedgerUnavailableError when the table stays busy', async () => {
    // Arrange
    const { batches, client } = await startBusyDynamoDb(Number.POSITIVE_INFINITY);
    const ledger = new Ledger({ client, tableName: 'busy', writeConcurrency: 1, maxUnprocessedRetries: 2 });

    // Act
    const record = ledger.recordMovements([movement(1)]);

    // Assert
    await expect(record).rejects.toThrow(
      'ledger table busy is unavailable: recordMovements failed after 3 attempts with backoff (Error: 2 items still unprocessed (the table is throttling writes))',
    );
    expect(batches).toEqual([2, 2, 2]);
  });
});
