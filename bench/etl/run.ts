// bench/etl: the local ETL stage (runLocalEtl) beside a hand-written single DuckDB statement doing
// the same casts, checks and partitioned write, on 1M and 10M generated rows, in one run.
//   npx tsx bench/etl/run.ts [--sizes 1000000,10000000] [--spark-sizes 1000000]
// and, for --spark-sizes, the Glue job itself on local Spark (spark-submit --master local[*]) on the
// same data, checked to write the same counts per file as the stage.
// Data is generated once into .tmp/bench/etl/ and reused. Each measurement runs in its own
// process so its peak RSS (maxRSS) is its own.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate, RUN_ID, root } from './generate';

interface Measurement {
  readonly seconds: number;
  /** user + system CPU of the whole process (every DuckDB thread): steadier than wall time on a busy machine */
  readonly cpuSeconds: number;
  readonly rssMb: number;
  readonly rows: number;
  readonly byFile: string;
}

function measure(kind: 'stage' | 'spark' | 'baseline' | 'baseline-outputs', lake: string): Measurement {
  const out = execFileSync('npx', ['tsx', path.join(root, 'bench/etl/measure.ts'), kind, lake, RUN_ID], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    'spark-sizes': { type: 'string', default: '1000000' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const sparkSizes = values['spark-sizes'] ? values['spark-sizes'].split(',').map(Number) : [];
const sparkTable: Record<string, string | number>[] = [];
const table: Record<string, string | number>[] = [];
let firstRate: number | undefined;
for (const rows of sizes) {
  const lake = await generate(rows);
  const baseline = measure('baseline', lake);
  const outputs = measure('baseline-outputs', lake);
  const stage = measure('stage', lake);
  if (sparkSizes.includes(rows)) {
    const spark = measure('spark', lake);
    sparkTable.push({
      rows,
      'stage (DuckDB) s': stage.seconds.toFixed(2),
      'Spark local s': spark.seconds.toFixed(2),
      'twin advantage (Spark s / stage s)': (spark.seconds / stage.seconds).toFixed(2),
      'stage rows/s': Math.round(rows / stage.seconds),
      'Spark rows/s': Math.round(rows / spark.seconds),
      'same counts per file': spark.byFile === stage.byFile ? 'yes' : 'NO',
    });
  }
  const rate = rows / stage.seconds;
  firstRate ??= rate;
  table.push({
    rows,
    'baseline s': baseline.seconds.toFixed(2),
    'stage s': stage.seconds.toFixed(2),
    'time ratio': (stage.seconds / baseline.seconds).toFixed(2),
    'baseline CPU s': baseline.cpuSeconds.toFixed(2),
    'stage CPU s': stage.cpuSeconds.toFixed(2),
    'CPU ratio': (stage.cpuSeconds / baseline.cpuSeconds).toFixed(2),
    'baseline+outputs s': outputs.seconds.toFixed(2),
    'time ratio vs +outputs': (stage.seconds / outputs.seconds).toFixed(2),
    'CPU ratio vs +outputs': (stage.cpuSeconds / outputs.cpuSeconds).toFixed(2),
    'stage rows/s': Math.round(rate),
    'rows/s vs first size': (rate / firstRate).toFixed(2),
    'baseline RSS MB': baseline.rssMb,
    'stage RSS MB': stage.rssMb,
    'curated rows (stage/baseline)': `${stage.rows}/${baseline.rows}`,
  });
}
console.table(table);
console.log('goal: time ratio <= 1.2, rows/s flat from 1M to 10M (linear), stage peak RSS < 2048 MB');
console.log(
  'ratios are stage / baseline. The stage does more than the baseline: per-row reasons and line numbers, the unique check,',
  'and the rejected and features outputs; "+outputs" is the baseline plus a features and a rejected statement (without reasons or line numbers).',
);
if (sparkTable.length) {
  console.table(sparkTable);
  console.log(
    'Spark local: the Glue job (etl_job.py) and its compiled Spark SQL by spark-submit --master local[*] on this machine, JVM start included; the ratio is how much faster the DuckDB twin is.',
  );
}
