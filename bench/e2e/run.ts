/**
 * bench/e2e: the whole local pipeline at two sizes (1M and 10M rows by default), each in its own
 * process on a fresh lake. Prints per-stage wall time and rows per second, the process's peak
 * RSS, and how time per row at the larger size compares with the smaller one (1.0 = linear).
 *
 *   npx tsx bench/e2e/run.ts [--sizes 1000000,10000000] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  maxRssBytes: number;
}
interface Measured {
  rows: number;
  wallMs: number;
  report: Report;
}

function measure(rows: number): Measured {
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
  if (child.status !== 0) throw new Error(`the ${rows}-row run exited with ${child.status}`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  if (!keep) rmSync(lake, { recursive: true, force: true });
  return { rows, wallMs, report };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const results = sizes.map(measure);
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
lines.push('');
lines.push('| rows | peak RSS (pipeline process) | vs smallest | goal <= 1 GiB |');
lines.push('|---:|---:|---:|---|');
for (const r of results) {
  const mib = r.report.maxRssBytes / 1024 ** 2;
  lines.push(
    `| ${fmt(r.rows)} | ${fmt(mib)} MiB | ${(r.report.maxRssBytes / base.report.maxRssBytes).toFixed(2)}x | ${r.report.maxRssBytes <= MEMORY_GOAL_BYTES ? 'met' : 'MISSED'} |`,
  );
}
console.log(
  `\nbench/e2e — whole local pipeline, fresh lake per size (DynamoDB Local runs in its own JVM, not counted)\n`,
);
console.log(lines.join('\n'));
