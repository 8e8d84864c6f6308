// bench/cli: wall time of the `lakepipe` commands a user waits on, each a cold Node process as a
// user starts it (`node tools/cli/bin/lakepipe.js ...`), beside the floor of a bare `node -e 0`
// measured in the same rounds. Median of N interleaved rounds after one warm-up round.
// Goals (idle machine): --help and validate < 0.3 s; status and query on the sample lake < 1 s;
// graph < 0.5 s. status/query find the lake's ledger server up (it outlives commands and stops
// when idle); one extra row shows status when it must start DynamoDB Local (a cold JVM).
//   npx tsx bench/cli/run.ts [--runs 5] [--rows 20000]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchCommandError } from '../errors';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'tools/cli/bin/lakepipe.js');
const lake = path.join(root, '.tmp/bench-cli/lake');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, rows: { type: 'string', default: '20000' } },
});
const runs = Number(values.runs);
// The sample lake's server stays up through the bench; status/query are measured against it.
// LAKEPIPE_CLI_FROM=bundle: the build made at the start stays in use although others keep editing
// this tree (bin/lakepipe.js still checks every source, so that cost is measured).
const env = {
  ...process.env,
  LAKEPIPE_LEDGER_IDLE_SECONDS: '300',
  LAKEPIPE_DEBUG: '1',
  LAKEPIPE_CLI_FROM: 'bundle',
  CI: '1',
};

interface Case {
  readonly name: string;
  /** environment for this row only */
  readonly env?: Readonly<Record<string, string>>;
  /** @default node (this one) */
  readonly command?: string;
  readonly args: readonly string[];
  /** seconds; undefined for the floor and informational rows */
  readonly goal?: number;
  readonly floor?: boolean;
}

const query = 'SELECT COUNT(*) AS rows, AVG(CAST(score AS DOUBLE)) AS mean_score FROM bench_tests_latest';
const cases: readonly Case[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'], floor: true },
  { name: 'lakepipe --help', args: [cli, '--help'], goal: 0.3 },
  { name: 'lakepipe --version', args: [cli, '--version'] },
  { name: 'lakepipe validate', args: [cli, 'validate'], goal: 0.3 },
  { name: 'lakepipe graph', args: [cli, 'graph'], goal: 0.5 },
  { name: 'lakepipe status', args: [cli, 'status', '--lake', lake], goal: 1 },
  { name: 'lakepipe query', args: [cli, 'query', query, '--lake', lake], goal: 1 },
  // the same commands without the install-time build: what every start cost before it
  ...(['--help', 'validate', 'status'] as const).map((command) => ({
    name: `  ${command}, sources through tsx`,
    args: command === 'status' ? [cli, command, '--lake', lake] : [cli, command],
    env: { LAKEPIPE_CLI_FROM: 'sources' },
  })),
  // what `npx` itself adds (npm's own start-up) to any command started through it
  { name: 'npx lakepipe --version', command: 'npx', args: ['lakepipe', '--version'] },
];

interface Sample {
  readonly seconds: number;
  /** 'bundle' or 'sources (why)', from the CLI's LAKEPIPE_DEBUG line */
  readonly from: string;
}

function time(args: readonly string[], command = process.execPath, extraEnv = {}): Sample {
  const started = process.hrtime.bigint();
  const child = spawnSync(command, args, { cwd: root, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    throw new BenchCommandError(`node ${args.join(' ')}`, child.status, child.stderr || child.stdout);
  const line = /^lakepipe: from (.*)$/m.exec(child.stderr)?.[1] ?? '';
  return { seconds, from: line.startsWith('sources') ? 'sources' : line ? 'bundle' : '-' };
}

function cli_(...args: string[]): string {
  const child = spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: 'utf8' });
  if (child.status !== 0)
    throw new BenchCommandError(`lakepipe ${args.join(' ')}`, child.status, `${child.stderr}${child.stdout}`);
  return child.stdout;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// 1. The sample lake (not timed): one run of the generated sample.
mkdirSync(path.dirname(lake), { recursive: true });
if (!existsSync(path.join(lake, '.lakepipe-lake')) || !cli_('status', '--lake', lake).includes('SUCCEEDED')) {
  process.stderr.write(`bench/cli: building the sample lake (${values.rows} rows) in ${lake}\n`);
  cli_('run', '--rows', values.rows!, '--lake', lake);
}
// 2. The build a user has after `npm ci` (the bench runs it so a busy tree's edits are included).
spawnSync(process.execPath, [path.join(root, 'tools/cli/build.mjs'), '--quiet'], { cwd: root });

// 3. A cold ledger: stop the lake's server, time one status that must start it.
const { stopLedgerServer } = await import('../../tools/cli/src/twin/ledger-server');
await stopLedgerServer(lake);
const cold = time([cli, 'status', '--lake', lake]);

// 4. Interleaved rounds, the first one discarded.
const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
for (let round = 0; round <= runs; round++) {
  for (const testCase of cases) {
    const sample = time(testCase.args, testCase.command, testCase.env);
    if (round > 0) samples.get(testCase.name)!.push(sample);
  }
}

const floor = median(samples.get(cases[0]!.name)!.map((s) => s.seconds));
const rows = cases.map((testCase) => {
  const taken = samples.get(testCase.name)!;
  const m = median(taken.map((s) => s.seconds));
  const from = [...new Set(taken.map((s) => s.from))].join(', ');
  return [
    testCase.name,
    m.toFixed(3),
    Math.min(...taken.map((s) => s.seconds)).toFixed(3),
    (m / floor).toFixed(1),
    testCase.goal ? `< ${testCase.goal}` : '',
    testCase.goal ? (m < testCase.goal ? 'met' : 'NOT met') : '',
    from,
  ];
});
rows.push([
  'lakepipe status, ledger server cold',
  cold.seconds.toFixed(3),
  '',
  (cold.seconds / floor).toFixed(1),
  '',
  'starts DynamoDB Local',
  cold.from,
]);

const header = ['command', `median s (${runs})`, 'min s', 'x floor', 'goal s', 'goal', 'started from'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: readonly string[]) =>
  `| ${cells.map((c, i) => (i > 0 && i < 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
process.stdout.write(
  [
    `bench/cli: node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n'),
);
