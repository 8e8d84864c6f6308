import { newRunId } from '@lakepipe/lake';
import { createLedgerTable, LOCAL_CREDENTIALS, uniqueTableName } from '@lakepipe/testing';
import { dynamoDbEndpoint } from '@lakepipe/testing/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { createLedgerClient } from '../client';
import { Ledger } from '../ledger';
import { LedgerSeeder } from '../test-support';
import { jsonResponse } from './router';
import { type RunningLedgerApi, serveLedgerApi } from './serve';

const SHA = 'c'.repeat(64);
const running: RunningLedgerApi[] = [];
afterEach(async () => {
  for (const api of running.splice(0)) await api.close();
});

async function startApi(extraRoutes?: Parameters<typeof serveLedgerApi>[0]['extraRoutes']) {
  const client = createLedgerClient({
    endpoint: dynamoDbEndpoint(),
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = uniqueTableName('api');
  await createLedgerTable(client, tableName);
  const ledger = new Ledger({ client, tableName });
  const seed = new LedgerSeeder({ client, tableName });
  const api = await serveLedgerApi({ ledger, extraRoutes });
  running.push(api);
  const get = async (path: string) => {
    const response = await fetch(`${api.url}${path}`);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API returns
      body: (await response.json()) as any,
    };
  };
  return { ledger, seed, api, get };
}

describe('ledger HTTP API on loopback', () => {
  it('answers GET /health', async () => {
    // Arrange
    const { api, get } = await startApi();

    // Act
    const health = await get('/health');

    // Assert
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(health).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: { status: 'ok' } });
  });

  it('lists runs newest first, page by page with the cursor', async () => {
    // Arrange
    const { seed, get } = await startApi();
    const runIds = [1, 2, 3].map((m) => newRunId(new Date(Date.UTC(2026, 10, 26, 6, m))));
    for (const runId of runIds) await seed.startRun({ runId, pipeline: 'bench' });

    // Act
    const first = await get('/runs?limit=2');
    const second = await get(`/runs?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);

    // Assert
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { runId: string }) => r.runId)).toEqual([runIds[2], runIds[1]]);
    expect(second.body.items.map((r: { runId: string }) => r.runId)).toEqual([runIds[0]]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('returns one run with its stages', async () => {
    // Arrange
    const { seed, get } = await startApi();
    const runId = newRunId();
    await seed.startRun({ runId, pipeline: 'bench' });
    const attempt = await seed.startStage({ runId, stageId: 'etl' });
    await seed.finishStage({
      runId,
      stageId: 'etl',
      attempt: attempt.attempt,
      status: 'SUCCEEDED',
      counts: { curatedRows: 9 },
    });

    // Act
    const run = await get(`/runs/${runId}`);

    // Assert
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({
      runId,
      counters: { curatedRows: 9 },
      stages: [{ stageId: 'etl', attempt: 1, status: 'SUCCEEDED' }],
    });
  });

  it('answers 404 with a JSON message for an unknown run', async () => {
    // Arrange
    const { get } = await startApi();

    // Act
    const missing = await get('/runs/20261126T064500Z-000000');

    // Assert
    expect(missing).toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: {
        error: 'RunNotFoundError',
        message: 'run 20261126T064500Z-000000 is not in the ledger: list runs with GET /runs',
      },
    });
  });

  it('answers 400 for a malformed run id, cursor or limit', async () => {
    // Arrange
    const { get } = await startApi();

    // Act
    const badRun = await get('/runs/yesterday');
    const badCursor = await get('/runs?cursor=abc');
    const badLimit = await get('/runs?limit=ten');
    const badEscape = await get('/runs/%E0%A4%A');

    // Assert
    expect(badRun).toMatchObject({
      status: 400,
      body: {
        error: 'InvalidRunIdError',
        message:
          'run id "yesterday" is malformed: expected YYYYMMDDTHHMMSSZ-xxxxxx, e.g. 20261126T064500Z-a1b2c3',
      },
    });
    expect(badCursor).toMatchObject({ status: 400, body: { error: 'InvalidCursorError' } });
    expect(badEscape).toMatchObject({
      status: 400,
      body: {
        error: 'MalformedPathError',
        message: '/runs/%E0%A4%A has a malformed %-escape: encode path and query with encodeURIComponent',
      },
    });
    expect(badLimit).toMatchObject({
      status: 400,
      body: {
        error: 'InvalidLedgerInputError',
        message: 'limit must be a whole number from 1 to 100 (got "ten")',
      },
    });
  });

  it("returns an object key's complete history from one request", async () => {
    // Arrange
    const { ledger, get } = await startApi();
    const runId = newRunId();
    const rawKey = `raw/bench_tests/dt=2026-11-26/run=${runId}/a b.csv`;
    await ledger.recordMovements([
      { runId, stageId: 'sourcing', from: 'landing/bench_tests/a b.csv', to: rawKey, bytes: 12, sha256: SHA },
    ]);

    // Act
    const history = await get(`/objects?key=${encodeURIComponent(rawKey)}`);

    // Assert
    expect(history.status).toBe(200);
    expect(history.body.key).toBe(rawKey);
    expect(history.body.movements).toMatchObject([
      { runId, stageId: 'sourcing', from: 'landing/bench_tests/a b.csv', to: rawKey, bytes: 12 },
    ]);
  });

  it('lists every file a stage moved in a run from one request, page by page', async () => {
    // Arrange
    const { ledger, get } = await startApi();
    const runId = newRunId();
    const sourced = [0, 1, 2].map((i) => ({
      runId,
      stageId: 'sourcing',
      from: `landing/bench_tests/f${i}.csv`,
      to: `raw/bench_tests/dt=2026-11-26/run=${runId}/f${i}.csv`,
      bytes: 10 + i,
      sha256: SHA,
    }));
    await ledger.recordMovements(sourced);
    await ledger.recordMovements([
      { runId, stageId: 'etl', to: 'curated/bench_tests/dt=2026-11-26/x.parquet', bytes: 5, sha256: SHA },
    ]);

    // Act
    const first = await get(`/runs/${runId}/movements?stage=sourcing&limit=2`);
    const second = await get(
      `/runs/${runId}/movements?stage=sourcing&limit=2&cursor=${first.body.nextCursor}`,
    );
    const everything = await get(`/runs/${runId}/movements`);

    // Assert
    expect(first.status).toBe(200);
    expect([...first.body.items, ...second.body.items].map((m: { to: string }) => m.to)).toEqual(
      sourced.map((m) => m.to),
    );
    expect(second.body.nextCursor).toBeUndefined();
    expect(everything.body.items.map((m: { stageId: string }) => m.stageId)).toEqual([
      'etl',
      'sourcing',
      'sourcing',
      'sourcing',
    ]);
  });

  it('answers 400 for a malformed or missing object key', async () => {
    // Arrange
    const { get } = await startApi();

    // Act
    const escaping = await get(`/objects?key=${encodeURIComponent('raw/../../etc/passwd')}`);
    const missing = await get('/objects');

    // Assert
    expect(escaping).toMatchObject({
      status: 400,
      body: {
        error: 'InvalidObjectKeyError',
        message: 'object key "raw/../../etc/passwd" is malformed: segment ".." would leave its prefix',
      },
    });
    expect(missing).toMatchObject({
      status: 400,
      body: {
        message:
          'object key "" is malformed: the key query parameter is missing: GET /objects?key=raw/<dataset>/...',
      },
    });
  });

  it('answers 404 as JSON for an unknown route', async () => {
    // Arrange
    const { get } = await startApi();

    // Act
    const nowhere = await get('/nowhere');

    // Assert
    expect(nowhere).toMatchObject({
      status: 404,
      body: {
        error: 'RouteNotFoundError',
        message:
          'no route GET /nowhere: try GET /health, /runs, /runs/{runId}, /runs/{runId}/movements or /objects?key=',
      },
    });
  });

  it('names the port and what to do when it is already taken', async () => {
    // Arrange
    const { ledger, api } = await startApi();

    // Act
    const second = serveLedgerApi({ ledger, port: api.port });

    // Assert
    await expect(second).rejects.toThrow(
      `cannot serve the ledger API on 127.0.0.1:${api.port}: the port is in use (another \`lakepipe serve\`?): pick another with --port, or 0 for any free port`,
    );
  });

  it('serves extra routes beside the ledger routes', async () => {
    // Arrange
    const { get } = await startApi((router) => {
      router.get('/api/summary.json', () => jsonResponse(200, { datasets: ['bench_tests'] }));
    });

    // Act
    const extra = await get('/api/summary.json');
    const health = await get('/health');

    // Assert
    expect(extra).toMatchObject({ status: 200, body: { datasets: ['bench_tests'] } });
    expect(health.status).toBe(200);
  });
});
