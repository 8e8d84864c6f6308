import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { lakePrefixes, readAll, runIdDate } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import { s3ClientFor } from '@lakepipe/testing';
import { s3Endpoint } from '@lakepipe/testing/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { SourcingConfigurationError } from './errors';
import { ingestSources } from './ingest';
import { freshFolderLake, freshLedger, nextRunId } from './test-support/fixtures';

type Route = (request: IncomingMessage, response: ServerResponse, hit: number) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** A loopback server answering each path with its route; counts requests per path. */
async function serve(
  routes: Record<string, Route>,
): Promise<{ url: (p: string) => string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    const route = routes[path];
    if (!route) {
      response.writeHead(404, 'Not Found').end();
      return;
    }
    route(request, response, hit);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: (p) => `http://127.0.0.1:${port}${p}`, hits };
}

const CSV = 'test_id,device_id\nT-000000001,D-000001\n';
const csv: Route = (_q, r) => r.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(CSV);
const FAST = { timeoutMs: 400, retries: 2, retryBaseMs: 10 };

async function run(urls: string[], extra: { maxBytes?: number; contentTypes?: string[] } = {}) {
  const { store } = await freshFolderLake();
  const ledger = await freshLedger();
  const runId = nextRunId();
  const result = await ingestSources({
    runId,
    stageId: 'source',
    sources: { bench_tests: { type: 'http', urls, ...extra } },
    store,
    ledger,
    http: FAST,
  });
  const keys: string[] = [];
  for await (const o of store.listAll('raw/')) keys.push(o.key);
  return { result, store, ledger, runId, keys };
}

describe('http sources', () => {
  it('retries a server that answers 500 twice and lands the file on the third attempt', async () => {
    // Arrange
    const server = await serve({
      '/day1.csv': (q, r, hit) =>
        hit <= 2 ? r.writeHead(500, 'Internal Server Error').end() : csv(q, r, hit),
    });

    // Act
    const { result, store, runId, keys } = await run([server.url('/day1.csv')]);

    // Assert
    expect(server.hits.get('/day1.csv')).toBe(3);
    expect(result).toMatchObject({ files: 1, bytes: CSV.length, skipped: 0 });
    const rawKey = lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'day1.csv');
    expect(keys).toEqual([rawKey]);
    expect((await readAll(await store.get(rawKey))).toString()).toBe(CSV);
  });

  it('gives up on a server that never answers, after the retries, and leaves nothing under raw/', async () => {
    // Arrange
    const server = await serve({ '/hang.csv': () => undefined });

    // Act
    const { result, keys } = await run([server.url('/hang.csv')]);

    // Assert
    expect(server.hits.get('/hang.csv')).toBe(3);
    expect(result.details[0]).toMatchObject({
      status: 'skipped',
      reason: 'timeout',
      message: `GET ${server.url('/hang.csv')} timed out after 400 ms (gave up after 3 attempts)`,
    });
    expect(keys).toEqual([]);
  });

  it('does not retry a 404 and names the URL and status', async () => {
    // Arrange
    const server = await serve({});

    // Act
    const { result } = await run([server.url('/gone.csv')]);

    // Assert
    expect(server.hits.get('/gone.csv')).toBe(1);
    expect(result.details[0]).toMatchObject({
      reason: 'not_found',
      message: `GET ${server.url('/gone.csv')} answered 404 Not Found`,
    });
  });

  it('skips a body over maxBytes, declared or streamed, and leaves no partial object anywhere in the lake', async () => {
    // Arrange
    const body = 'x'.repeat(5000);
    const server = await serve({
      '/declared.csv': (_q, r) =>
        r.writeHead(200, { 'content-type': 'text/csv', 'content-length': body.length }).end(body),
      '/chunked.csv': (_q, r) => {
        r.writeHead(200, { 'content-type': 'text/csv' });
        r.write(body.slice(0, 2500));
        r.end(body.slice(2500));
      },
    });

    // Act
    const { result, store } = await run([server.url('/declared.csv'), server.url('/chunked.csv')], {
      maxBytes: 1000,
    });

    // Assert
    expect(result.details.map((d) => [d.reason, d.message])).toEqual([
      ['too_large', `GET ${server.url('/declared.csv')} declares 5000 bytes, over the limit of 1000 bytes`],
      ['too_large', `${server.url('/chunked.csv')} is larger than the limit of 1000 bytes`],
    ]);
    const everything: string[] = [];
    for await (const o of store.listAll('')) everything.push(o.key);
    expect(everything.filter((k) => !k.startsWith('_manifests/'))).toEqual([]);
  });

  it('skips a response whose content type is not accepted', async () => {
    // Arrange
    const server = await serve({
      '/page.csv': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
    });

    // Act
    const { result } = await run([server.url('/page.csv')]);

    // Assert
    expect(result.details[0]).toMatchObject({
      reason: 'content_type',
      message: `GET ${server.url('/page.csv')} returned content type text/html, not one of text/csv, application/x-ndjson, application/json, application/gzip, application/octet-stream, text/plain`,
    });
  });

  it('skips an unreachable host after retrying, naming the connection error', async () => {
    // Arrange
    const server = await serve({});
    const url = server.url('/x.csv');
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));

    // Act
    const { result } = await run([url]);

    // Assert
    expect(result.details[0]!.reason).toBe('unreachable');
    expect(result.details[0]!.message).toMatch(
      new RegExp(
        `^GET ${url.replaceAll('.', '\\.')} failed: .*ECONNREFUSED.* \\(gave up after 3 attempts\\)$`,
      ),
    );
  });

  it('reads an index of URLs, relative ones included, and lands each listed file (gzip byte for byte)', async () => {
    // Arrange
    const gz = gzipSync(Buffer.from(CSV));
    const server = await serve({
      '/files/index.txt': (_q, r) =>
        r
          .writeHead(200, { 'content-type': 'text/plain' })
          .end('# daily drops\nday1.csv\n/files/day2.csv.gz\n'),
      '/files/day1.csv': csv,
      '/files/day2.csv.gz': (_q, r) => r.writeHead(200, { 'content-type': 'application/gzip' }).end(gz),
    });
    const { store } = await freshFolderLake();
    const runId = nextRunId();

    // Act
    const result = await ingestSources({
      runId,
      stageId: 'source',
      sources: { bench_tests: { type: 'http', indexUrl: server.url('/files/index.txt') } },
      store,
      ledger: await freshLedger(),
      http: FAST,
    });

    // Assert
    expect(result.details.map((d) => [d.name, d.status])).toEqual([
      ['day1.csv', 'ingested'],
      ['day2.csv.gz', 'ingested'],
    ]);
    const landed = await readAll(
      await store.get(lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'day2.csv.gz')),
    );
    expect(landed.equals(gz)).toBe(true);
  });

  it('fails the stage with a configuration error when the index URL cannot be read', async () => {
    // Arrange
    const server = await serve({});
    const { store } = await freshFolderLake();

    // Act
    const attempt = ingestSources({
      runId: nextRunId(),
      stageId: 'source',
      sources: { bench_tests: { type: 'http', indexUrl: server.url('/index.txt') } },
      store,
      ledger: await freshLedger(),
      http: FAST,
    });

    // Assert
    await expect(attempt).rejects.toThrow(SourcingConfigurationError);
    await expect(attempt).rejects.toThrow(
      `dataset bench_tests: index ${server.url('/index.txt')} cannot be read: GET ${server.url('/index.txt')} answered 404 Not Found`,
    );
  });

  it('streams a body bigger than one part into an S3-compatible lake as a multipart upload, byte for byte', async () => {
    // Arrange
    const body = Buffer.alloc(7 * 1024 * 1024, 'id,value\n1,2\n');
    const server = await serve({
      '/big.csv': (_q, r) => {
        r.writeHead(200, { 'content-type': 'text/csv' });
        r.end(body);
      },
    });
    const client = s3ClientFor(s3Endpoint());
    const bucket = `lake-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = new S3ObjectStore({ client, bucket, partSizeBytes: 5 * 1024 * 1024 });
    const runId = nextRunId();

    // Act
    const result = await ingestSources({
      runId,
      stageId: 'source',
      sources: { bench_tests: { type: 'http', urls: [server.url('/big.csv')] } },
      store,
      ledger: await freshLedger(),
      // 7 MiB through s3rver: the 400 ms attempts of FAST are for small bodies, not a loaded machine
      http: { ...FAST, timeoutMs: 30_000 },
    });

    // Assert
    expect(result).toMatchObject({ files: 1, bytes: body.length });
    const rawKey = lakePrefixes.rawObject('bench_tests', runIdDate(runId), runId, 'big.csv');
    expect((await readAll(await store.get(rawKey))).equals(body)).toBe(true);
    const keys: string[] = [];
    for await (const o of store.listAll('')) keys.push(o.key);
    expect(keys).toEqual([lakePrefixes.manifest(runId, 'source'), rawKey]);
  });
});
