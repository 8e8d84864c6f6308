/**
 * bench/sourcing: landing the generated bench_tests files from landing/ into raw/ with
 * ingestSources (read once to hash and check, claim in the ledger, copy, record the movement)
 * against a plain file copy of the same files, in the same run, on a folder lake and DynamoDB
 * Local. Goal: exactly-once landing costs at most 3x a plain copy; a re-run (all duplicates)
 * costs no more than the first run.
 *
 *   npx tsx bench/sourcing/run.ts [--rows 1000000] [--files 10]
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { generateBenchTests } from '@lakepipe/datagen';
import { FolderObjectStore, newRunId } from '@lakepipe/lake';
import { createLedgerClient, Ledger } from '@lakepipe/ledger';
import { ingestSources } from '@lakepipe/sourcing';
import { createLedgerTable, LOCAL_CREDENTIALS, startDynamoDbLocal } from '@lakepipe/testing';
import { BenchResultError } from '../errors';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const rows = flag('--rows', 1_000_000);
const files = flag('--files', 10);
const GOAL = 3;

const root = await mkdtemp(path.join(tmpdir(), 'bench-sourcing-'));
const landing = path.join(root, 'lake', 'landing', 'bench_tests');
const generateStarted = performance.now();
await generateBenchTests({ outDir: landing, rows, files, seed: 42, badFraction: 0.01, writeSummary: false });
const generateMs = performance.now() - generateStarted;
const server = await startDynamoDbLocal();
try {
  const names = (await readdir(landing)).sort();
  let totalBytes = 0;
  for (const name of names) totalBytes += (await stat(path.join(landing, name))).size;

  // Baseline: a plain copy of each file (no hash, no checks, no ledger).
  const copyDir = path.join(root, 'plain-copy');
  await mkdir(copyDir);
  const copyStarted = performance.now();
  for (const name of names) await copyFile(path.join(landing, name), path.join(copyDir, name));
  const copyMs = performance.now() - copyStarted;

  // Reading every byte once through sha256: the floor of any exactly-once scheme.
  const hashStarted = performance.now();
  for (const name of names) await pipeline(createReadStream(path.join(landing, name)), createHash('sha256'));
  const hashMs = performance.now() - hashStarted;

  const client = createLedgerClient({
    endpoint: server.endpoint,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  await createLedgerTable(client, 'bench-sourcing');
  const ledger = new Ledger({ client, tableName: 'bench-sourcing' });
  const store = new FolderObjectStore(path.join(root, 'lake'));
  const sources = { bench_tests: { type: 's3' as const, prefix: 'landing/bench_tests/' } };

  // Warm the JVM behind DynamoDB Local and the code paths so the first measured run does not pay for it.
  await store.put('landing/warmup/a.csv', 'test_id\nT-000000001\n');
  await ingestSources({
    runId: newRunId(new Date(Date.now() - 60_000)),
    stageId: 'warmup',
    sources: { warmup: { type: 's3', prefix: 'landing/warmup/' } },
    store,
    ledger,
  });

  const firstStarted = performance.now();
  const first = await ingestSources({ runId: newRunId(), stageId: 'source', sources, store, ledger });
  const firstMs = performance.now() - firstStarted;
  if (first.files !== names.length)
    throw new BenchResultError('files landed by the first run', names.length, first.files);

  const secondStarted = performance.now();
  const second = await ingestSources({
    runId: newRunId(new Date(Date.now() + 1000)),
    stageId: 'source',
    sources,
    store,
    ledger,
  });
  const secondMs = performance.now() - secondStarted;
  if (second.duplicates !== names.length)
    throw new BenchResultError('duplicates found by the second run', names.length, second.duplicates);

  const mb = totalBytes / 1024 ** 2;
  const line = (label: string, ms: number, note: string) =>
    `| ${label.padEnd(36)} | ${(ms / 1000).toFixed(2).padStart(7)} | ${(mb / (ms / 1000)).toFixed(0).padStart(6)} | ${(ms / copyMs).toFixed(2).padStart(8)}x | ${note}`;
  console.log(
    `bench/sourcing: ${names.length} files, ${rows.toLocaleString('en-US')} rows, ${mb.toFixed(1)} MiB\n`,
  );
  console.log(`| ${'step'.padEnd(36)} | seconds |  MiB/s | vs copy   | note`);
  console.log(`|${'-'.repeat(38)}|---------|--------|-----------|------`);
  console.log(line('plain copy (baseline)', copyMs, 'fs.copyFile, nothing else'));
  console.log(line('read + sha256 only', hashMs, 'the floor of reading once'));
  console.log(line('ingestSources, new files', firstMs, `${first.files} landed, claims + movements`));
  console.log(
    line('ingestSources, re-run (duplicates)', secondMs, `${second.duplicates} duplicates, nothing copied`),
  );
  console.log(
    line(
      'generate (datagen)',
      generateMs,
      `${Math.round(rows / (generateMs / 1000)).toLocaleString('en-US')} rows/s`,
    ),
  );
  const ratio = firstMs / copyMs;
  console.log(
    `\ngoal: new files <= ${GOAL}x a plain copy: ${ratio.toFixed(2)}x ${ratio <= GOAL ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `goal: a re-run <= the first run: ${(secondMs / firstMs).toFixed(2)}x ${secondMs <= firstMs ? 'MET' : 'NOT MET'}`,
  );
} finally {
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
