/**
 * bench/ledger: recording object movements in the ledger, batched (Ledger.recordMovements:
 * BatchWriteItem of 25, a few requests in flight) against one PutItem at a time, on the same
 * DynamoDB Local in one run. Goal: batched at least 10x faster.
 *
 *   npx tsx bench/ledger/run.ts [--movements 10000]
 */
import os from 'node:os';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newRunId } from '@lakepipe/lake';
import {
  createLedgerClient,
  DEFAULT_WRITE_CONCURRENCY as DEFAULT_CONCURRENCY,
  Ledger,
  ledgerKeys,
} from '@lakepipe/ledger';
import { createLedgerTable, LOCAL_CREDENTIALS, startDynamoDbLocal } from '@lakepipe/testing';
import { BenchResultError } from '../errors';

const args = process.argv.slice(2);
const movementsArg = args[args.indexOf('--movements') + 1];
const count = args.includes('--movements') && movementsArg ? Number(movementsArg) : 10_000;
const GOAL = 10;

const runId = newRunId();
const sha256 = 'e'.repeat(64);
// No `from`: each movement is two items (under its key and under its run), the same items
// whichever way they are written.
const movements = Array.from({ length: count }, (_, i) => ({
  runId,
  stageId: 'sourcing',
  to: `raw/bench_tests/dt=2026-11-26/run=${runId}/part-${String(i).padStart(6, '0')}.csv`,
  bytes: 1000 + i,
  sha256,
}));

/** The items recordMovements writes for one movement (see packages/ledger keys.ts). */
function itemsOf(m: (typeof movements)[number], at: string, index: number): Record<string, unknown>[] {
  return [
    { ...ledgerKeys.objectMovement(m.to, at, m.runId, m.stageId), type: 'MOVE', key: m.to, ...m, at },
    { ...ledgerKeys.runMovement(m.runId, m.stageId, at, 'baseline', index), type: 'RUNMOVE', ...m, at },
  ];
}

const server = await startDynamoDbLocal();
try {
  const client = createLedgerClient({
    endpoint: server.endpoint,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  await createLedgerTable(client, 'bench-one-by-one');
  // Warm the JVM (JIT) and the connection pool on both paths so neither pays for it in the timing.
  await createLedgerTable(client, 'bench-warmup');
  const warm = new Ledger({ client, tableName: 'bench-warmup' });
  const warmup = movements.slice(0, 2000).map((m) => ({ ...m, stageId: 'warmup' }));
  for (let round = 0; round < 3; round++) await warm.recordMovements(warmup);
  const warmAt = new Date().toISOString();
  for (const [i, m] of warmup.slice(0, 500).entries())
    for (const Item of itemsOf(m, warmAt, i))
      await client.send(new PutCommand({ TableName: 'bench-warmup', Item }));
  for (const concurrency of [DEFAULT_CONCURRENCY, 1, 16])
    await createLedgerTable(client, `bench-batched-${concurrency}`);

  const oneByOneStarted = performance.now();
  const at = new Date().toISOString();
  for (const [i, m] of movements.entries())
    for (const Item of itemsOf(m, at, i))
      await client.send(new PutCommand({ TableName: 'bench-one-by-one', Item }));
  const oneByOneMs = performance.now() - oneByOneStarted;

  // The library default first (that is what the goal is about), then other request concurrencies.
  const variants = [DEFAULT_CONCURRENCY, 1, 16];
  const batched: { concurrency: number; ms: number }[] = [];
  for (const concurrency of variants) {
    const tableName = `bench-batched-${concurrency}`;
    const ledger = new Ledger({ client, tableName, writeConcurrency: concurrency });
    const started = performance.now();
    await ledger.recordMovements(movements);
    batched.push({ concurrency, ms: performance.now() - started });
    // Every movement landed: check the last key's history.
    const sample = await ledger.objectHistory(movements[count - 1]!.to);
    if (sample.length !== 1) throw new BenchResultError('movements of the last key', 1, sample.length);
  }

  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  console.log(
    `\nledger: record ${fmt(count)} object movements on DynamoDB Local (${server.endpoint}), load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores\n`,
  );
  console.log(
    '| way | requests | in flight | wall ms | ms per item | movements/s | speed-up vs one at a time |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| one PutItem at a time (baseline) | ${fmt(2 * count)} | 1 | ${fmt(oneByOneMs)} | ${(oneByOneMs / (2 * count)).toFixed(3)} | ${fmt((count / oneByOneMs) * 1000)} | 1.0x |`,
  );
  for (const b of batched)
    console.log(
      `| recordMovements, BatchWrite 25${b.concurrency === DEFAULT_CONCURRENCY ? ' (default)' : ''} | ${fmt(Math.ceil((2 * count) / 25))} | ${b.concurrency} | ${fmt(b.ms)} | ${(b.ms / (2 * count)).toFixed(3)} | ${fmt((count / b.ms) * 1000)} | ${(oneByOneMs / b.ms).toFixed(1)}x |`,
    );
  const ratio = oneByOneMs / batched[0]!.ms;
  console.log(
    `\ngoal: batched (library default) >= ${GOAL}x faster: ${ratio >= GOAL ? 'met' : 'NOT met'} (${ratio.toFixed(1)}x)`,
  );
  client.destroy();
  process.exitCode = ratio >= GOAL ? 0 : 1;
} finally {
  await server.stop();
}
