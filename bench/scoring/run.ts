// bench/scoring: the TypeScript scorer against XGBoost's own predict, same model, same rows, one run.
//   npx tsx bench/scoring/run.ts [--rows 1000000] [--repeat 3] [--rounds 2] [--model services/sagemaker-scoring/model/xgboost-model.json]
// Needs /usr/bin/python3 with Debian's python3-xgboost and python3-numpy (not part of npm test).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseFeaturesCsv, Scorer, scoreFeatures } from '@lakepipe/sagemaker-scoring';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    model: {
      type: 'string',
      default: path.join(root, 'services/sagemaker-scoring/model/xgboost-model.json'),
    },
    'missing-fraction': { type: 'string', default: '0.03' },
  },
});
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const rounds = Number(values.rounds);
const threads = availableParallelism();
const workDir = path.join(root, '.tmp/bench-scoring');
mkdirSync(workDir, { recursive: true });

// Rows drawn from the model's reference rows (realistic values), jittered, some values blanked.
const scorer = await Scorer.load(values.model);
const nf = scorer.numFeature;
const reference = readFileSync(path.join(path.dirname(values.model), 'reference.csv'), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(1, 1 + nf));
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const x = new Float32Array(rows * nf);
const csv: string[] = [];
for (let r = 0; r < rows; r++) {
  const base = reference[r % reference.length]!;
  const fields = base.map((v) => {
    if (v === '' || random() < Number(values['missing-fraction'])) return '';
    return (Number(v) * (0.9 + 0.2 * random())).toFixed(3);
  });
  fields.forEach((v, k) => {
    x[r * nf + k] = v === '' ? Number.NaN : Number(v);
  });
  csv.push(`T-${String(r).padStart(9, '0')},${fields.join(',')}`);
}
const matrixFile = path.join(workDir, 'features.f32');
writeFileSync(matrixFile, x);
const csvBytes = Buffer.from(`${csv.join('\n')}\n`);

async function best(fn: () => unknown): Promise<number> {
  await fn(); // warm-up: V8 optimises the generated tree functions, workers start and compile them
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    min = Math.min(min, (performance.now() - start) / 1000);
  }
  return min;
}

// Rounds alternate XGBoost and lakepipe, so load from other processes on the machine hits both;
// each engine keeps its best time.
type PythonTimes = { predict: number; inplace: number; single: number; xgboost: string };
const runPython = () =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [
        path.join(root, 'bench/scoring/xgb_predict.py'),
        values.model,
        matrixFile,
        String(rows),
        String(nf),
        String(threads),
        String(repeat),
      ],
      { encoding: 'utf8' },
    ),
  ) as PythonTimes;

let python: PythonTimes = {
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
  python = {
    predict: Math.min(python.predict, p.predict),
    inplace: Math.min(python.inplace, p.inplace),
    single: Math.min(python.single, p.single),
    xgboost: p.xgboost,
  };
  parallelS = Math.min(
    parallelS,
    await best(async () => {
      parallel = await scorer.predictParallel(x, rows, { threads });
    }),
  );
  singleS = Math.min(singleS, await best(() => scorer.predict(x, rows)));
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

const baseline = rows / python.predict;
const table = [
  [`XGBoost ${python.xgboost} Booster.predict(DMatrix), DMatrix excluded`, threads, python.predict],
  [`XGBoost ${python.xgboost} Booster.inplace_predict(numpy)`, threads, python.inplace],
  [`XGBoost ${python.xgboost} Booster.predict(DMatrix), DMatrix excluded`, 1, python.single],
  ['lakepipe Scorer.predictParallel (compiled trees, worker threads)', threads, parallelS],
  ['lakepipe Scorer.predict (compiled trees)', 1, singleS],
  ['lakepipe scoreFeatures: CSV bytes -> parse -> predict -> scored CSV', threads, endToEndS],
  ['  of which parseFeaturesCsv', 1, parseS],
] as const;
const model = scorer.model;
console.log(
  `bench/scoring: ${rows.toLocaleString('en')} rows x ${nf} features, ${model.trees.length} trees (${model.objective}), ` +
    `${values['missing-fraction']} missing, best of ${rounds} rounds x ${repeat}, ${threads} cores, load average ${loadavg()[0]!.toFixed(1)} at the end\n`,
);
console.log('| engine | threads | seconds | rows/s | ratio vs XGBoost predict |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, t, seconds] of table) {
  const rate = rows / seconds;
  console.log(
    `| ${name} | ${t} | ${seconds.toFixed(3)} | ${Math.round(rate).toLocaleString('en')} | ${(rate / baseline).toFixed(2)} |`,
  );
}
console.log(
  `\nmax |lakepipe - XGBoost| over ${parallel.length.toLocaleString('en')} predictions: ${maxDiff.toExponential(2)}`,
);
