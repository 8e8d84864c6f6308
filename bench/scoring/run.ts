// bench/scoring: what a user waits for. Headline: the whole process, cold, `npx lakepipe score`
// against a Python XGBoost script doing the same work (read the CSV with pandas, predict, write
// the same id,score file), on two data sets x two models, best of N interleaved runs each.
// Below it, labelled: the warm kernels in memory (no process start, no CSV) against XGBoost's
// own predict on the same matrix.
//   npx tsx bench/scoring/run.ts [--rows 300000] [--runs 3] [--launcher bin|npx] [--twin-rows 1000000 (0: skip)] [--twin-runs 1]
//     [--warm-rows 1000000] [--repeat 3] [--rounds 2] [--no-warm]
// Needs /usr/bin/python3 with Debian's python3-xgboost (1.7.4), python3-pandas and python3-numpy:
// tools/setup/install-system-deps.sh --with-training (not part of npm test).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseFeaturesCsv, Scorer, scoreFeatures } from '@lakepipe/sagemaker-scoring/scorer';
import { BenchCommandError, BenchResultError } from '../errors';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const here = path.join(root, 'bench/scoring');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '300000' },
    runs: { type: 'string', default: '3' },
    'warm-rows': { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    'no-warm': { type: 'boolean', default: false },
    // the twin's score stage inside `lakepipe run --rows N` (0: skip)
    'twin-rows': { type: 'string', default: '1000000' },
    'twin-runs': { type: 'string', default: '1' },
    // `node tools/cli/bin/lakepipe.js` (the CLI entry npx runs, started from the bundle npm ci
    // builds) or `npx` (adds npm's own start, ~0.5-0.8 s of CPU, before the same entry)
    launcher: { type: 'string', default: 'npx' },
    'missing-fraction': { type: 'string', default: '0.03' },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const missingFraction = Number(values['missing-fraction']);
const threads = availableParallelism();
const workDir = path.join(root, '.tmp/bench-scoring');
mkdirSync(workDir, { recursive: true });
const python = '/usr/bin/python3';
const loadAtStart = loadavg()[0]!;

const shippedModel = path.join(root, 'services/sagemaker-scoring/model/xgboost-model.json');
const referenceFile = path.join(root, 'services/sagemaker-scoring/model/reference.csv');
// The deep model is trained here once (seeded, a few seconds) and kept under .tmp.
const deepModel = path.join(workDir, 'deep-400x8.json');
if (!existsSync(deepModel))
  execFileSync(python, [path.join(here, 'train_deep.py'), referenceFile, deepModel, '400', '8'], {
    stdio: 'inherit',
  });

// --- data: realistic rows (the reference rows of the tools/datagen features, jittered) and
// uniform random features over each feature's observed range (no branch predictor can guess).
const reference = readFileSync(referenceFile, 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(1, -1));
const nf = reference[0]!.length;
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const ranges = Array.from({ length: nf }, (_, k) => {
  const present = reference
    .map((r) => r[k]!)
    .filter((v) => v !== '')
    .map(Number);
  return [Math.min(...present), Math.max(...present)] as const;
});
type DataSet = 'realistic' | 'uniform';
function featureRow(kind: DataSet, r: number): string[] {
  if (kind === 'uniform')
    return ranges.map(([low, high]) =>
      random() < missingFraction ? '' : (low + (high - low) * random()).toFixed(3),
    );
  return reference[r % reference.length]!.map((v) =>
    v === '' || random() < missingFraction ? '' : (Number(v) * (0.9 + 0.2 * random())).toFixed(3),
  );
}
function dataFile(kind: DataSet, count: number): string {
  const file = path.join(workDir, `${kind}-${count}.csv`);
  if (existsSync(file)) return file;
  const lines: string[] = [];
  for (let r = 0; r < count; r++)
    lines.push(`T-${String(r).padStart(9, '0')},${featureRow(kind, r).join(',')}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

// --- the headline: whole processes, cold
interface ColdCase {
  readonly data: DataSet;
  readonly model: string;
  readonly modelLabel: string;
}
const coldCases: ColdCase[] = [];
for (const data of ['realistic', 'uniform'] as const)
  for (const [model, modelLabel] of [
    [shippedModel, 'shipped, 150 trees depth 6'],
    [deepModel, '400 trees depth 8'],
  ] as const)
    coldCases.push({ data, model, modelLabel });

function timed(command: string, args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    throw new BenchCommandError(`${command} ${args.join(' ')}`, child.status, child.stderr);
  return seconds;
}

const cold = coldCases.map((c) => ({
  ...c,
  input: dataFile(c.data, rows),
  lakepipeOut: path.join(workDir, `cold-${c.data}-${path.basename(c.model)}.lakepipe.csv`),
  xgboostOut: path.join(workDir, `cold-${c.data}-${path.basename(c.model)}.xgboost.csv`),
  lakepipe: Number.POSITIVE_INFINITY,
  xgboost: Number.POSITIVE_INFINITY,
}));
const launcher =
  values.launcher === 'npx'
    ? { command: 'npx', args: ['lakepipe'], label: '`npx lakepipe score`' }
    : {
        command: process.execPath,
        args: [path.join(root, 'tools/cli/bin/lakepipe.js')],
        label: '`lakepipe score` (tools/cli/bin/lakepipe.js)',
      };
const runLakepipe = (c: (typeof cold)[number]) =>
  timed(launcher.command, [
    ...launcher.args,
    'score',
    '--model',
    c.model,
    '--input',
    c.input,
    '--output',
    c.lakepipeOut,
  ]);
const runXgboost = (c: (typeof cold)[number]) =>
  timed(python, [path.join(here, 'xgb_score.py'), c.model, c.input, c.xgboostOut]);
// Interleaved: each run goes through every case, alternating which engine starts, so load from
// other processes hits both alike; each keeps its best.
for (let run = 0; run < runs; run++) {
  for (const c of cold) {
    if (run % 2 === 0) {
      c.xgboost = Math.min(c.xgboost, runXgboost(c));
      c.lakepipe = Math.min(c.lakepipe, runLakepipe(c));
    } else {
      c.lakepipe = Math.min(c.lakepipe, runLakepipe(c));
      c.xgboost = Math.min(c.xgboost, runXgboost(c));
    }
  }
}

/** Lines that differ byte for byte, and the largest difference between the two files' scores. */
function compareOutputs(a: string, b: string): { differentLines: number; maxDiff: number } {
  const linesA = readFileSync(a, 'utf8').trimEnd().split('\n');
  const linesB = readFileSync(b, 'utf8').trimEnd().split('\n');
  if (linesA.length !== linesB.length)
    throw new BenchResultError(`lines of ${b} (as many as ${a})`, linesA.length, linesB.length);
  let differentLines = 0;
  let maxDiff = 0;
  for (let i = 0; i < linesA.length; i++) {
    if (linesA[i] === linesB[i]) continue;
    differentLines++;
    const [idA, sA] = linesA[i]!.split(',');
    const [idB, sB] = linesB[i]!.split(',');
    if (idA !== idB) throw new BenchResultError(`id at ${b}:${i + 1} (as at ${a}:${i + 1})`, idA!, idB!);
    maxDiff = Math.max(maxDiff, Math.abs(Number(sA) - Number(sB)));
  }
  return { differentLines, maxDiff };
}

const loadAfterCold = loadavg()[0]!;
console.log(
  `bench/scoring: whole process, cold, ${rows.toLocaleString('en')} rows x ${nf} features, ${missingFraction} missing; ` +
    `best of ${runs} interleaved runs; ${threads} cores; load average ${loadAtStart.toFixed(1)} at the start, ${loadAfterCold.toFixed(1)} after\n`,
);
console.log(
  `| data | model | XGBoost 1.7.4 python (pandas read_csv, inplace_predict, to_csv) s | ${launcher.label} s | ratio (XGBoost s / lakepipe s) | lines differing | max abs diff |`,
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const c of cold) {
  const { differentLines, maxDiff } = compareOutputs(c.lakepipeOut, c.xgboostOut);
  console.log(
    `| ${c.data} | ${c.modelLabel} | ${c.xgboost.toFixed(2)} | ${c.lakepipe.toFixed(2)} | ${(c.xgboost / c.lakepipe).toFixed(2)}x | ${differentLines} | ${maxDiff.toExponential(1)} |`,
  );
}
const worst = Math.min(...cold.map((c) => c.xgboost / c.lakepipe));
console.log(
  `\ngoal >= 1.0x XGBoost on every row: ${worst >= 1 ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}x); 2x: ${worst >= 2 ? 'met' : 'not met'}`,
);

if (Number(values['twin-rows']) > 0) twinScoreStage(Number(values['twin-rows']), Number(values['twin-runs']));
if (!values['no-warm']) await warmKernels(Number(values['warm-rows']));

/**
 * The twin's score stage at `twinRows` rows: `lakepipe run --rows N` (the whole local pipeline,
 * the shipped model), the score stage's own time from its --report, against the XGBoost script
 * as a whole process on the same rows (the run's features files, joined into one CSV).
 */
function twinScoreStage(twinRows: number, twinRuns: number): void {
  const lake = path.join(workDir, `twin-${twinRows}`, 'lake');
  const report = path.join(workDir, `twin-${twinRows}`, 'report.json');
  let stageSeconds = Number.POSITIVE_INFINITY;
  let scoredRows = 0;
  let features = '';
  for (let run = 0; run < twinRuns; run++) {
    rmSync(path.dirname(lake), { recursive: true, force: true });
    timed(process.execPath, [
      path.join(root, 'tools/cli/bin/lakepipe.js'),
      'run',
      '--rows',
      String(twinRows),
      '--lake',
      lake,
      '--report',
      report,
    ]);
    const { runId, stages } = JSON.parse(readFileSync(report, 'utf8')) as {
      runId: string;
      stages: { stageId: string; type: string; durationMs: number; counts: { scoredRows?: number } }[];
    };
    const stage = stages.find((s) => s.type === 'sagemaker-scoring');
    if (!stage) throw new BenchResultError(`a sagemaker-scoring stage in ${report}`, 'one', 'none');
    stageSeconds = Math.min(stageSeconds, stage.durationMs / 1000);
    scoredRows = stage.counts.scoredRows ?? 0;
    const featuresRoot = path.join(lake, 'features');
    const files = readdirSync(featuresRoot, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.includes(`run=${runId}`) && f.endsWith('.csv'))
      .sort()
      .map((f) => path.join(featuresRoot, f));
    features = path.join(path.dirname(lake), 'features.csv');
    writeFileSync(features, Buffer.concat(files.map((f) => readFileSync(f))));
    // the lake's ledger server (DynamoDB Local's JVM) would stay up, idle, for minutes
    timed(process.execPath, [path.join(root, 'tools/cli/bin/lakepipe.js'), 'clean', '--lake', lake, '--yes']);
  }
  let xgboostSeconds = Number.POSITIVE_INFINITY;
  const xgboostOut = path.join(path.dirname(lake), 'scored.xgboost.csv');
  for (let run = 0; run < runs; run++)
    xgboostSeconds = Math.min(
      xgboostSeconds,
      timed(python, [path.join(here, 'xgb_score.py'), shippedModel, features, xgboostOut]),
    );
  console.log(
    `\nthe twin's score stage: \`lakepipe run --rows ${twinRows.toLocaleString('en')}\` (the whole local pipeline, best of ${twinRuns}), ` +
      `the score stage's own time from --report (in the running process: no process start; it lists the run's features, ` +
      `scores them and writes scored/, counts and records the files in the ledger), against the XGBoost script as a whole ` +
      `process (best of ${runs}) on the same ${scoredRows.toLocaleString('en')} rows, load average ${loadavg()[0]!.toFixed(1)}\n`,
  );
  console.log(
    '| rows | XGBoost 1.7.4 python, whole process s | twin score stage s | ratio (XGBoost s / lakepipe s) |',
  );
  console.log('| ---: | ---: | ---: | ---: |');
  console.log(
    `| ${scoredRows.toLocaleString('en')} | ${xgboostSeconds.toFixed(2)} | ${stageSeconds.toFixed(2)} | ${(xgboostSeconds / stageSeconds).toFixed(2)}x |`,
  );
}

/** In-process rows, below the headline: the kernels with a float32 matrix already in memory. */
async function warmKernels(warmRows: number): Promise<void> {
  const repeat = Number(values.repeat);
  const rounds = Number(values.rounds);
  const scorer = await Scorer.load(shippedModel);
  const x = new Float32Array(warmRows * nf);
  const csv: string[] = [];
  seed = 42;
  for (let r = 0; r < warmRows; r++) {
    const fields = featureRow('realistic', r);
    fields.forEach((v, k) => {
      x[r * nf + k] = v === '' ? Number.NaN : Number(v);
    });
    csv.push(`T-${String(r).padStart(9, '0')},${fields.join(',')}`);
  }
  const matrixFile = path.join(workDir, 'features.f32');
  writeFileSync(matrixFile, x);
  const csvBytes = Buffer.from(`${csv.join('\n')}\n`);

  async function best(fn: () => unknown): Promise<number> {
    await fn(); // warm-up: V8 optimises the kernel, workers start and build it
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < repeat; i++) {
      const start = performance.now();
      await fn();
      min = Math.min(min, (performance.now() - start) / 1000);
    }
    return min;
  }

  type PythonTimes = { predict: number; inplace: number; single: number; xgboost: string };
  const runPython = () =>
    JSON.parse(
      execFileSync(
        python,
        [
          path.join(here, 'xgb_predict.py'),
          shippedModel,
          matrixFile,
          String(warmRows),
          String(nf),
          String(threads),
          String(repeat),
        ],
        { encoding: 'utf8' },
      ),
    ) as PythonTimes;

  let xgboost: PythonTimes = {
    predict: Number.POSITIVE_INFINITY,
    inplace: Number.POSITIVE_INFINITY,
    single: Number.POSITIVE_INFINITY,
    xgboost: '',
  };
  let parallel: Float32Array = new Float32Array(0);
  let parallelS = Number.POSITIVE_INFINITY;
  let singleS = Number.POSITIVE_INFINITY;
  let endToEndS = Number.POSITIVE_INFINITY;
  let parseS = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const p = runPython();
    xgboost = {
      predict: Math.min(xgboost.predict, p.predict),
      inplace: Math.min(xgboost.inplace, p.inplace),
      single: Math.min(xgboost.single, p.single),
      xgboost: p.xgboost,
    };
    parallelS = Math.min(
      parallelS,
      await best(async () => {
        parallel = await scorer.predictParallel(x, warmRows, { threads });
      }),
    );
    singleS = Math.min(singleS, await best(() => scorer.predict(x, warmRows)));
    endToEndS = Math.min(
      endToEndS,
      await best(() => scoreFeatures(scorer, csvBytes, { file: 'bench.csv', threads })),
    );
    parseS = Math.min(parseS, await best(() => parseFeaturesCsv(csvBytes, nf, 'bench.csv')));
  }
  await scorer.close();

  const xgbPredictions = new Float32Array(readFileSync(`${matrixFile}.xgb.f32`).buffer.slice(0));
  let maxDiff = 0;
  for (let i = 0; i < parallel.length; i++)
    maxDiff = Math.max(maxDiff, Math.abs(parallel[i]! - xgbPredictions[i]!));

  const baseline = warmRows / xgboost.predict;
  const table = [
    [`XGBoost ${xgboost.xgboost} Booster.predict(DMatrix), DMatrix excluded`, threads, xgboost.predict],
    [`XGBoost ${xgboost.xgboost} Booster.inplace_predict(numpy)`, threads, xgboost.inplace],
    [`XGBoost ${xgboost.xgboost} Booster.predict(DMatrix), DMatrix excluded`, 1, xgboost.single],
    [`lakepipe Scorer.predictParallel (${scorer.kernelKind} kernel, worker threads)`, threads, parallelS],
    [`lakepipe Scorer.predict (${scorer.kernelKind} kernel)`, 1, singleS],
    ['lakepipe scoreFeatures: CSV bytes -> parse -> predict -> scored CSV', threads, endToEndS],
    ['  of which parseFeaturesCsv', 1, parseS],
  ] as const;
  console.log(
    `\nwarm kernels (in one process, first call discarded; not what a user waits for): ${warmRows.toLocaleString('en')} realistic rows, ` +
      `the shipped model (${scorer.model.trees.length} trees, ${scorer.model.objective}), best of ${rounds} rounds x ${repeat}, load average ${loadavg()[0]!.toFixed(1)} at the end\n`,
  );
  console.log('| engine (warm) | threads | seconds | rows/s | ratio vs XGBoost predict |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, t, seconds] of table) {
    const rate = warmRows / seconds;
    console.log(
      `| ${name} | ${t} | ${seconds.toFixed(3)} | ${Math.round(rate).toLocaleString('en')} | ${(rate / baseline).toFixed(2)} |`,
    );
  }
  console.log(
    `\nmax |lakepipe - XGBoost| over ${parallel.length.toLocaleString('en')} warm predictions: ${maxDiff.toExponential(2)}`,
  );
}
