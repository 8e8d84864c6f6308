import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newRunId } from '@lakepipe/lake';
import { createLedgerTable, LOCAL_CREDENTIALS, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import { describe, expect, it } from 'vitest';
import { createLedgerClient } from './client';
import { Ledger } from './ledger';
import { LedgerSeeder } from './test-support';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

async function newLedger(now?: () => Date): Promise<{ ledger: Ledger; seed: LedgerSeeder }> {
  const client = createLedgerClient({
    endpoint: dynamoDbEndpoint(),
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = uniqueTableName('ledger');
  await createLedgerTable(client, tableName);
  return {
    ledger: new Ledger({ client, tableName, now }),
    seed: new LedgerSeeder({ client, tableName, now }),
  };
}

function runIdAt(minute: number): string {
  return newRunId(new Date(Date.UTC(2026, 10, 26, 6, minute, 0)));
}

describe('Ledger source claims', () => {
  it('lets exactly one of many concurrent claims of the same file win', async () => {
    // Arrange
    const { ledger } = await newLedger();
    const runIds = Array.from({ length: 20 }, (_, i) => newRunId(new Date(Date.UTC(2026, 10, 26, 7, i))));

    // Act
    const results = await Promise.all(
      runIds.map((runId) =>
        ledger.claimSource({
          dataset: 'bench_tests',
          sha256: SHA_A,
          source: 'landing/bench_tests/a.csv',
          runId,
          rawKey: `raw/bench_tests/x/${runId}/a.csv`,
        }),
      ),
    );

    // Assert
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const winnerRunId = runIds[results.findIndex((r) => r.claimed)];
    for (const r of results) if (!r.claimed) expect(r.existing.runId).toBe(winnerRunId);
  });

  it('claims the same bytes again for another dataset, and other bytes for the same dataset', async () => {
    // Arrange
    const { ledger } = await newLedger();
    const runId = runIdAt(8);
    const claim = { source: 's', runId, rawKey: 'raw/x' };
    await ledger.claimSource({ dataset: 'bench_tests', sha256: SHA_A, ...claim });

    // Act
    const otherDataset = await ledger.claimSource({ dataset: 'other', sha256: SHA_A, ...claim });
    const otherBytes = await ledger.claimSource({ dataset: 'bench_tests', sha256: SHA_B, ...claim });
    const same = await ledger.claimSource({ dataset: 'bench_tests', sha256: SHA_A, ...claim });

    // Assert
    expect(otherDataset).toEqual({ claimed: true });
    expect(otherBytes).toEqual({ claimed: true });
    expect(same).toMatchObject({
      claimed: false,
      existing: { dataset: 'bench_tests', sha256: SHA_A, runId, rawKey: 'raw/x' },
    });
  });

  it('rejects a claim whose dataset name walks out of its prefix', async () => {
    // Arrange
    const { ledger } = await newLedger();

    // Act
    const claim = ledger.claimSource({
      dataset: '../raw',
      sha256: SHA_A,
      source: 's',
      runId: runIdAt(9),
      rawKey: 'k',
    });

    // Assert
    await expect(claim).rejects.toThrow('dataset name "../raw" is not allowed');
  });
});

describe('Ledger movements', () => {
  it('records movements in batches and returns the history of a key, under from and to', async () => {
    // Arrange
    const { ledger } = await newLedger(() => new Date('2026-11-26T07:00:00.000Z'));
    const runId = runIdAt(10);
    const movements = Array.from({ length: 60 }, (_, i) => ({
      runId,
      stageId: 'sourcing',
      from: `landing/bench_tests/f${i}.csv`,
      to: `raw/bench_tests/dt=2026-11-26/run=${runId}/f${i}.csv`,
      bytes: 100 + i,
      sha256: SHA_A,
    }));

    // Act
    await ledger.recordMovements(movements);
    const landed = await ledger.objectHistory(`raw/bench_tests/dt=2026-11-26/run=${runId}/f42.csv`);
    const left = await ledger.objectHistory('landing/bench_tests/f42.csv');

    // Assert
    const expected = { ...movements[42], at: '2026-11-26T07:00:00.000Z' };
    expect(landed).toEqual([expected]);
    expect(left).toEqual([expected]);
  });

  it("lists a run's movements by stage without mixing them into the run's stages", async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runId = runIdAt(14);
    await seed.startRun({ runId, pipeline: 'bench' });
    const files = Array.from({ length: 30 }, (_, i) => ({
      runId,
      stageId: 'sourcing',
      to: `raw/bench_tests/dt=2026-11-26/run=${runId}/f${i}.csv`,
      bytes: i,
      sha256: SHA_A,
    }));
    await ledger.recordMovements(files);

    // Act
    const page = await ledger.runMovements({ runId, stageId: 'sourcing', limit: 1000 });
    const otherStage = await ledger.runMovements({ runId, stageId: 'etl' });
    const run = await ledger.getRun(runId);

    // Assert
    expect(page.items.map((m) => m.to)).toEqual(files.map((f) => f.to));
    expect(page.nextCursor).toBeUndefined();
    expect(otherStage.items).toEqual([]);
    expect(run?.stages).toEqual([]);
    await expect(ledger.runMovements({ runId, cursor: 'eyJQSyI6IngifQ' })).rejects.toThrow('is not valid');
  });

  it('records a movement from a URL only under the lake key it landed at', async () => {
    // Arrange
    const { ledger } = await newLedger();
    const runId = runIdAt(11);

    // Act
    await ledger.recordMovements([
      {
        runId,
        stageId: 'sourcing',
        from: 'https://example.org/a.csv',
        to: 'raw/ds/a.csv',
        bytes: 1,
        sha256: SHA_A,
      },
    ]);

    // Assert
    expect(await ledger.objectHistory('raw/ds/a.csv')).toHaveLength(1);
    expect((await ledger.objectHistory('raw/ds/a.csv'))[0]?.from).toBe('https://example.org/a.csv');
  });

  it('keeps two movements of one key in the same millisecond, run and stage, oldest first', async () => {
    // Arrange
    let tick = 0;
    const { ledger } = await newLedger(() => new Date(Date.UTC(2026, 10, 26, 8, 0, 0, tick++ < 1 ? 0 : 5)));
    const runId = runIdAt(12);
    const move = { runId, stageId: 'etl', to: 'curated/ds/dt=2026-11-26/r-0.parquet', sha256: SHA_A };

    // Act
    await ledger.recordMovements([
      { ...move, bytes: 1 },
      { ...move, bytes: 2 },
    ]);
    await ledger.recordMovements([{ ...move, bytes: 3 }]);

    // Assert
    expect((await ledger.objectHistory(move.to)).map((m) => m.bytes)).toEqual([1, 2, 3]);
  });

  it('rejects a movement with a negative byte count, naming its index', async () => {
    // Arrange
    const { ledger } = await newLedger();

    // Act
    const record = ledger.recordMovements([
      { runId: runIdAt(13), stageId: 'etl', to: 'raw/ds/a', bytes: 1, sha256: SHA_A },
      { runId: runIdAt(13), stageId: 'etl', to: 'raw/ds/b', bytes: -1, sha256: SHA_A },
    ]);

    // Assert
    await expect(record).rejects.toThrow('movements[1].bytes must be a whole number of bytes >= 0 (got -1)');
  });

  it('rejects a malformed object key when reading a history', async () => {
    // Arrange
    const { ledger } = await newLedger();

    // Act / Assert
    await expect(ledger.objectHistory('raw/../../secrets')).rejects.toThrow(
      'object key "raw/../../secrets" is malformed: segment ".." would leave its prefix',
    );
  });
});

describe('Ledger listRuns', () => {
  it('pages through runs newest first with an opaque cursor', async () => {
    // Arrange
    const { ledger, seed } = await newLedger();
    const runIds = Array.from({ length: 7 }, (_, i) => runIdAt(20 + i));
    for (const runId of runIds) await seed.startRun({ runId, pipeline: 'bench' });

    // Act
    const first = await ledger.listRuns({ limit: 3 });
    const second = await ledger.listRuns({ limit: 3, cursor: first.nextCursor });
    const third = await ledger.listRuns({ limit: 3, cursor: second.nextCursor });

    // Assert
    const newestFirst = [...runIds].reverse();
    expect(first.items.map((r) => r.runId)).toEqual(newestFirst.slice(0, 3));
    expect(second.items.map((r) => r.runId)).toEqual(newestFirst.slice(3, 6));
    expect(third.items.map((r) => r.runId)).toEqual(newestFirst.slice(6));
    expect(third.nextCursor).toBeUndefined();
    expect(first.items[0]).not.toHaveProperty('PK');
  });

  it('rejects a cursor it did not issue and a limit out of range', async () => {
    // Arrange
    const { ledger } = await newLedger();
    const forged = Buffer.from(JSON.stringify({ PK: 'CLAIM#x', SK: 'CLAIM' })).toString('base64url');

    // Act / Assert
    await expect(ledger.listRuns({ cursor: forged })).rejects.toThrow(
      `cursor "${forged}" is not valid: pass back the nextCursor of the previous page unchanged`,
    );
    await expect(ledger.listRuns({ cursor: '%%%' })).rejects.toThrow('cursor "%%%" is not valid');
    await expect(ledger.listRuns({ limit: 0 })).rejects.toThrow(
      'limit must be a whole number from 1 to 100 (got 0)',
    );
  });
});

describe('Ledger under throttling', () => {
  it('retries a throttled request with backoff, then reports LedgerUnavailableError', async () => {
    // Arrange: an endpoint that answers every request as DynamoDB does when throttling
    let requests = 0;
    const throttling = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': `r${requests}`,
      });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      );
    });
    await new Promise<void>((resolve) => throttling.listen(0, '127.0.0.1', resolve));
    const { port } = throttling.address() as AddressInfo;
    const client = createLedgerClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-1',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 3,
    });
    const ledger = new Ledger({ client, tableName: 'lakepipe-dev-ledger' });

    try {
      // Act
      const listing = ledger.listRuns();

      // Assert
      await expect(listing).rejects.toThrow(
        "ledger table lakepipe-dev-ledger is unavailable: listRuns failed after 3 attempts with backoff (ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.); try again later or raise the table's capacity",
      );
      expect(requests).toBe(3);
    } finally {
      throttling.close();
    }
  });
});
