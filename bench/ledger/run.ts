/**
 * bench/ledger: recording object movements in the ledger, batched (Ledger.recordMovements:
 * BatchWriteItem of 25, a few requests in flight) against one PutItem at a time, on the same
 * DynamoDB Local in one run. Goal: batched at least 10x faster.
 *
 *   npx tsx bench/ledger/run.ts [--movements 10000]
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newRunId } from '@lakepipe/lake';
import { createLedgerClient, Ledger, ledgerKeys } from '@lakepipe/ledger';
import { createLedgerTable, LOCAL_CREDENTIALS, startDynamoDbLocal } from '@lakepipe/testing';

const args = process.argv.slice(2);
const movementsArg = args[args.indexOf('--movements') + 1];
const count = args.includes('--movements') && movementsArg ? Number(movementsArg) : 10_000;
const GOAL = 10;

const runId = newRunId();
const sha256 = 'e'.repeat(64);
// No `from`: each movement is exactly one item, the same for both ways of writing it.
const movements = Array.from({ length: count }, (_, i) => ({
  runId,
  stageId: 'sourcing',
  to: `raw/bench_tests/dt=2026-11-26/run=${runId}/part-${String(i).padStart(6, '0')}.csv`,
  bytes: 1000 + i,
  sha256,
}));

const server = await startDynamoDbLocal();
try {
  const client = createLedgerClient({
    endpoint: server.endpoint,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  await createLedgerTable(client, 'bench-one-by-one');
  await createLedgerTable(client, 'bench-batched');
  // Warm the JVM and the connection pool so neither side pays for it.
  const warm = new Ledger({ client, tableName: 'bench-batched' });
  await warm.recordMovements(movements.slice(0, 200).map((m) => ({ ...m, stageId: 'warmup' })));

  const oneByOneStarted = performance.now();
  const at = new Date().toISOString();
  for (const m of movements) {
    await client.send(
      new PutCommand({
        TableName: 'bench-one-by-one',
        Item: {
          ...ledgerKeys.objectMovement(m.to, at, m.runId, m.stageId),
          type: 'MOVE',
          key: m.to,
          ...m,
          at,
        },
      }),
    );
  }
  const oneByOneMs = performance.now() - oneByOneStarted;

  const ledger = new Ledger({ client, tableName: 'bench-batched' });
  const batchedStarted = performance.now();
  await ledger.recordMovements(movements);
  const batchedMs = performance.now() - batchedStarted;

  // Both tables hold every movement: check one key's history on the batched side.
  const sample = await ledger.objectHistory(movements[count - 1]!.to);
  if (sample.length !== 1) throw new Error(`expected 1 movement for the last key, found ${sample.length}`);

  const ratio = oneByOneMs / batchedMs;
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  console.log(`\nledger: record ${fmt(count)} object movements on DynamoDB Local (${server.endpoint})\n`);
  console.log('| way | requests | wall ms | movements/s | speed-up vs one at a time |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(
    `| one PutItem at a time (baseline) | ${fmt(count)} | ${fmt(oneByOneMs)} | ${fmt((count / oneByOneMs) * 1000)} | 1.0x |`,
  );
  console.log(
    `| recordMovements (BatchWrite 25, 4 in flight) | ${fmt(Math.ceil(count / 25))} | ${fmt(batchedMs)} | ${fmt((count / batchedMs) * 1000)} | ${ratio.toFixed(1)}x |`,
  );
  console.log(
    `\ngoal: batched >= ${GOAL}x faster: ${ratio >= GOAL ? 'met' : 'NOT met'} (${ratio.toFixed(1)}x)`,
  );
  client.destroy();
  process.exitCode = ratio >= GOAL ? 0 : 1;
} finally {
  await server.stop();
}
