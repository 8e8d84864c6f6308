import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { generateBenchTests } from '@lakepipe/datagen';
import { lakePrefixes, type ObjectStore, readAll, runIdDate } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import { s3ClientFor } from '@lakepipe/testing';
import { s3Endpoint } from '@lakepipe/testing/vitest';
import { describe, expect, it } from 'vitest';
import { SourcingEventError } from './errors';
import { createSourcingHandler } from './handler';
import { ingestSources } from './ingest';
import { freshFolderLake, freshLedger, nextRunId } from './test-support/fixtures';

async function freshS3Lake(): Promise<S3ObjectStore> {
  const client = s3ClientFor(s3Endpoint());
  const bucket = `lake-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  // 5 MiB parts (the S3 minimum): the bigger files go up as multipart uploads
  return new S3ObjectStore({ client, bucket, partSizeBytes: 5 * 1024 * 1024 });
}

async function landAll(store: ObjectStore, dir: string): Promise<void> {
  for (const name of (await readdir(dir)).sort())
    await store.put(`landing/bench_tests/${name}`, await readFile(path.join(dir, name)));
}

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.listAll(prefix)) keys.push(o.key);
  return keys.sort();
}

const event = (runId: string) => ({
  runId,
  stageId: 'source',
  datasets: { bench_tests: { type: 's3', prefix: 'landing/bench_tests/' } },
});

describe('the sourcing Lambda handler', () => {
  it('lands the generated files in an S3-compatible lake with the same result as a folder lake, and nothing on a second run', async () => {
    // Arrange
    const dir = await mkdtemp(path.join(tmpdir(), 'sourcing-gen-'));
    await generateBenchTests({ outDir: dir, rows: 200_000, files: 2, seed: 42, badFraction: 0.01 });
    const s3 = await freshS3Lake();
    const folder = await freshFolderLake();
    await landAll(s3, dir);
    await landAll(folder.store, dir);
    const s3Ledger = await freshLedger();
    const handler = createSourcingHandler(() => ({ store: s3, ledger: s3Ledger, bucketStore: () => s3 }));
    const runId = nextRunId();

    // Act
    const inS3 = await handler(event(runId));
    const inFolder = await ingestSources({
      runId,
      stageId: 'source',
      sources: event(runId).datasets as never,
      store: folder.store,
      ledger: await freshLedger(),
    });
    const second = await handler(event(nextRunId()));

    // Assert
    expect(inS3).toEqual(inFolder);
    expect(inS3).toMatchObject({ files: 2, duplicates: 0, skipped: 0 });
    const prefix = lakePrefixes.raw('bench_tests', runIdDate(runId), runId);
    expect(await keysUnder(s3, prefix)).toEqual(await keysUnder(folder.store, prefix));
    for (const key of await keysUnder(s3, prefix)) {
      const [a, b] = await Promise.all([readAll(await s3.get(key)), readAll(await folder.store.get(key))]);
      expect(a.equals(b), key).toBe(true);
    }
    expect(second).toMatchObject({ files: 0, bytes: 0, duplicates: 2, skipped: 0 });
    expect(await keysUnder(s3, 'raw/')).toHaveLength(2);
    expect(await s3Ledger.objectHistory(`${prefix}bench_tests_2026-11-01.csv`)).toHaveLength(1);
  });

  it('rejects an event without a valid run id or sources, naming each field', async () => {
    // Arrange
    const s3 = await freshS3Lake();
    const ledger = await freshLedger();
    const handler = createSourcingHandler(() => ({ store: s3, ledger, bucketStore: () => s3 }));

    // Act
    const badRun = await handler({ runId: 'yesterday', stageId: 'source', datasets: {} }).catch(
      (e: Error) => e,
    );
    const badSource = await handler({
      runId: nextRunId(),
      stageId: 'source',
      datasets: { bench_tests: { type: 'ftp' } },
    }).catch((e: Error) => e);

    // Assert
    expect(badRun).toBeInstanceOf(SourcingEventError);
    expect((badRun as Error).message).toContain('run id "yesterday" is malformed');
    expect(badSource).toBeInstanceOf(SourcingEventError);
    expect((badSource as Error).message).toMatch(/datasets\.bench_tests\.type: /);
  });

  it('refuses directory sources in AWS with a configuration error', async () => {
    // Arrange
    const s3 = await freshS3Lake();
    const ledger = await freshLedger();
    const handler = createSourcingHandler(() => ({ store: s3, ledger, bucketStore: () => s3 }));

    // Act
    const attempt = handler({
      runId: nextRunId(),
      stageId: 'source',
      datasets: { bench_tests: { type: 'directory', path: '/tmp' } },
    });

    // Assert
    await expect(attempt).rejects.toThrow(
      'dataset bench_tests: directory sources (/tmp) run only in the local twin; use an s3 or http source in AWS',
    );
  });
});
