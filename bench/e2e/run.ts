/**
 * bench/e2e: the whole local pipeline at two sizes (1M and 10M rows by default), each in its own
 * process on a fresh lake. Prints per-stage wall time and rows per second, the pipeline process's
 * peak RSS (and each stage's own peak), and how the larger size compares with the smaller one
 * (1.0 = time per row the same; memory 1.0 = flat). DynamoDB Local's JVM, a separate process, is
 * shown beside it, not counted in it.
 *
 *   npx tsx bench/e2e/run.ts [--sizes 1000000,10000000] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLock } from '../../tools/cli/src/twin/file-lock';
import {
  type LedgerServerRecord,
  ledgerServerPaths,
  stopLedgerServer,
} from '../../tools/cli/src/twin/ledger-server';
import { BenchCommandError } from '../errors';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes =
  args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1_000_000, 10_000_000];
const keep = args.includes('--keep');
const MEMORY_GOAL_BYTES = 1024 ** 3;

interface StageRow {
  stageId: string;
  status: string;
  durationMs?: number;
  counts: Record<string, number>;
}
interface Report {
  ok: boolean;
  stages: StageRow[];
  /** the pipeline process, every thread (DuckDB's, the scorer's workers) */
  maxRssBytes: number;
  /** each stage's own peak (and `(outside stages)`: sample generation, start-up, summary) */
  peakRssByStage: Record<string, number>;
  /** false where the peak cannot be reset between stages: each is then the peak so far */
  peakRssPerStage: boolean;
}
interface Measured {
  rows: number;
  wallMs: number;
  report: Report;
  /** peak RSS of the lake's ledger server: its Node process and DynamoDB Local's JVM */
  ledgerServer?: { node?: number; java?: number };
  load: string;
}

/** Peak RSS (VmHWM) of a live process, in bytes. */
function peakRssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

async function measure(rows: number): Promise<Measured> {
  const loadBefore = loadAverage();
  const lake = path.join(root, '.tmp', 'bench-e2e', String(rows));
  rmSync(lake, { recursive: true, force: true });
  mkdirSync(lake, { recursive: true });
  const reportFile = path.join(lake, '..', `report-${rows}.json`);
  const started = Date.now();
  const child = spawnSync(
    path.join(root, 'node_modules/.bin/tsx'),
    ['tools/cli/src/bin.ts', 'run', '--rows', String(rows), '--lake', lake, '--report', reportFile],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: 'true' } },
  );
  const wallMs = Date.now() - started;
  if (child.status !== 0)
    throw new BenchCommandError(`lakepipe run --rows ${rows} --lake ${lake}`, child.status, '');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  // the run leaves the lake's ledger server up (it stops when idle): read its peaks, then stop it
  const { lockFile } = ledgerServerPaths(lake);
  const server = existsSync(lockFile) ? (readLock(lockFile) as LedgerServerRecord | undefined) : undefined;
  const ledgerServer = server && { node: peakRssOf(server.pid), java: peakRssOf(server.javaPid) };
  await stopLedgerServer(lake);
  if (!keep) rmSync(lake, { recursive: true, force: true });
  return { rows, wallMs, report, ledgerServer, load: `${loadBefore} -> ${loadAverage()}` };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const results: Measured[] = [];
for (const rows of sizes) results.push(await measure(rows));
const base = results[0]!;
const lines: string[] = [];
lines.push('| rows | stage | wall s | rows/s | time/row vs smallest |');
lines.push('|---:|---|---:|---:|---:|');
for (const r of results) {
  for (const s of r.report.stages) {
    if (s.durationMs === undefined) continue;
    const baseStage = base.report.stages.find((b) => b.stageId === s.stageId);
    const perRow = s.durationMs / r.rows;
    const basePerRow = (baseStage?.durationMs ?? Number.NaN) / base.rows;
    lines.push(
      `| ${fmt(r.rows)} | ${s.stageId} | ${(s.durationMs / 1000).toFixed(1)} | ${fmt(r.rows / (s.durationMs / 1000))} | ${(perRow / basePerRow).toFixed(2)} |`,
    );
  }
  lines.push(
    `| ${fmt(r.rows)} | **end to end** | ${(r.wallMs / 1000).toFixed(1)} | ${fmt(r.rows / (r.wallMs / 1000))} | ${(r.wallMs / r.rows / (base.wallMs / base.rows)).toFixed(2)} |`,
  );
}
const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : `${fmt(bytes / 1024 ** 2)} MiB`);
lines.push('');
lines.push(
  '| rows | peak RSS, pipeline process | vs smallest | goal <= 1 GiB | DynamoDB Local JVM (not counted) | ledger server Node (not counted) | load avg 1/5/15 min, before -> after |',
);
lines.push('|---:|---:|---:|---|---:|---:|---|');
for (const r of results) {
  lines.push(
    `| ${fmt(r.rows)} | ${mib(r.report.maxRssBytes)} | ${(r.report.maxRssBytes / base.report.maxRssBytes).toFixed(2)}x | ${r.report.maxRssBytes <= MEMORY_GOAL_BYTES ? 'met' : 'MISSED'} | ${mib(r.ledgerServer?.java)} | ${mib(r.ledgerServer?.node)} | ${r.load} |`,
  );
}
lines.push('');
lines.push(
  `| rows | stage | peak RSS while it ran${base.report.peakRssPerStage ? '' : ' (peak so far: this system cannot reset it)'} | vs smallest |`,
);
lines.push('|---:|---|---:|---:|');
for (const r of results) {
  for (const [stage, bytes] of Object.entries(r.report.peakRssByStage ?? {})) {
    const baseBytes = base.report.peakRssByStage?.[stage];
    lines.push(
      `| ${fmt(r.rows)} | ${stage} | ${mib(bytes)} | ${baseBytes ? (bytes / baseBytes).toFixed(2) : '?'}x |`,
    );
  }
}
console.log(
  '\nbench/e2e — whole local pipeline, fresh lake per size. Peak RSS is the pipeline process with all its threads\n' +
    "(DuckDB's, the scorer's workers); DynamoDB Local runs in the lake's ledger server, a separate process, shown beside it.\n",
);
console.log(lines.join('\n'));
