// bench/synth: wall time and peak RSS of synthesizing every stack of every environment beside a
// one-bucket cdktf app (run with tsx, as a cdktf app is written and run) measured in the same run.
// Goal: within 1.5x. The headline row is what `npm run synth` runs: tools/cli/bin/synth.js, which
// starts infra/main.ts from the bundle npm ci built (tools/cli/build.mjs) while no source of it is
// newer; the rows below it are labelled: the same app from its TypeScript sources through tsx (what
// runs right after an edit, while the bundle is rebuilt), and with every Lambda bundle rebuilt
// (LAKEPIPE_BUNDLE_CACHE=off: a first synth, or one after a Lambda's code changed).
//   npx tsx bench/synth/run.ts [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchCommandError, BenchResultError } from '../errors';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

interface Case {
  readonly name: string;
  /** node's arguments before the outdir's */
  readonly node: readonly string[];
  readonly args: (outdir: string) => string[];
  readonly env?: Readonly<Record<string, string>>;
}

const tsx = ['--import', 'tsx'];
const synthLauncher = path.join(root, 'tools/cli/bin/synth.js');
const cases: readonly Case[] = [
  {
    name: 'one-bucket app (floor)',
    node: [...tsx, path.join(here, 'one-bucket-app.ts')],
    args: (out) => [out],
  },
  { name: 'npm run synth', node: [synthLauncher], args: (out) => ['--outdir', out] },
  {
    name: '  from sources (tsx)',
    node: [...tsx, path.join(root, 'infra/main.ts')],
    args: (out) => ['--outdir', out],
  },
  {
    name: '  cold Lambda bundles',
    node: [synthLauncher],
    args: (out) => ['--outdir', out],
    env: { LAKEPIPE_BUNDLE_CACHE: 'off' },
  },
];

interface Sample {
  readonly wallMs: number;
  readonly maxRssMb: number;
  readonly stacks: number;
}

function measure(testCase: Case): Sample {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const usageFile = path.join(work, 'usage.json');
  const outdir = path.join(work, 'out');
  const started = process.hrtime.bigint();
  // node itself (no npm or tsx CLI wrapper process) so the child's own maxRSS is the whole cost
  const child = spawnSync(
    process.execPath,
    ['--import', path.join(here, 'report-usage.mjs'), ...testCase.node, ...testCase.args(outdir)],
    {
      cwd: root,
      env: { ...process.env, ...testCase.env, BENCH_USAGE_FILE: usageFile, LAKEPIPE_DEBUG: '1' },
      encoding: 'utf8',
    },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0)
    throw new BenchCommandError(testCase.name, child.status, `${child.stderr}${child.stdout}`);
  // the launcher says where it started from: a row named after the bundle must have run it
  const from = /^synth: from (.*)$/m.exec(child.stderr)?.[1];
  if (testCase.node[0] === synthLauncher && !from?.includes(`${path.sep}dist${path.sep}`))
    throw new BenchResultError(
      `${testCase.name}: where tools/cli/bin/synth.js started from (run \`node tools/cli/build.mjs\` after an edit)`,
      'the bundle in tools/cli/dist',
      from ?? 'unknown',
    );
  const { maxRssBytes } = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssBytes: number };
  const stacks = readdirSync(path.join(outdir, 'stacks')).length;
  rmSync(work, { recursive: true, force: true });
  return { wallMs, maxRssMb: maxRssBytes / 2 ** 20, stacks };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

// warm the filesystem cache once, then alternate the cases so drift hits both alike
for (const testCase of cases) measure(testCase);
const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
for (let i = 0; i < runs; i++)
  for (const testCase of cases) samples.get(testCase.name)!.push(measure(testCase));

const rows = cases.map((testCase) => {
  const list = samples.get(testCase.name)!;
  return {
    name: testCase.name,
    stacks: list[0]!.stacks,
    wallMs: median(list.map((s) => s.wallMs)),
    rssMb: median(list.map((s) => s.maxRssMb)),
  };
});
const floor = rows[0]!;
const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number, width: number, digits = 0) => value.toFixed(digits).padStart(width);
console.log(`bench/synth: median of ${runs} runs, node ${process.version}, ${os.cpus().length} cores`);
console.log(`${pad('case', 24)} | stacks | wall ms | peak RSS MB | wall x floor | RSS x floor`);
console.log(`${'-'.repeat(24)}-|--------|---------|-------------|--------------|------------`);
for (const row of rows) {
  console.log(
    `${pad(row.name, 24)} | ${num(row.stacks, 6)} | ${num(row.wallMs, 7)} | ${num(row.rssMb, 11, 1)} | ${num(row.wallMs / floor.wallMs, 11, 2)}x | ${num(row.rssMb / floor.rssMb, 10, 2)}x`,
  );
}
const goalRow = rows[1]!;
const worst = Math.max(goalRow.wallMs / floor.wallMs, goalRow.rssMb / floor.rssMb);
console.log(
  `goal: within 1.50x of the floor -> ${worst <= 1.5 ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(2)}x)`,
);
