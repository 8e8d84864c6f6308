// bench/etl: the local ETL stage (runLocalEtl) beside a hand-written single DuckDB statement doing
// the same casts, checks and partitioned write, on 1M and 10M generated rows, in one run.
//   npx tsx bench/etl/run.ts [--sizes 1000000,10000000]
// Data is generated once into .tmp/bench/etl/ and reused. Each measurement runs in its own
// process so its peak RSS (maxRSS) is its own.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const benchDir = path.join(root, '.tmp', 'bench', 'etl');
const RUN_ID = '20261126T020000Z-be0c11';
const HEADER =
  'test_id,device_id,bench_id,firmware,started_at,duration_s,temperature_c,voltage_v,current_a,vibration_mm_s,pressure_kpa,error_count,failed_in_field';
const FILES = 10;

/** Deterministic rows, 1% bad (a bad number, a bad bench id, an out-of-range value). */
async function generate(rows: number): Promise<string> {
  const lake = path.join(benchDir, `lake-${rows}`);
  const rawDir = path.join(lake, `raw/bench_tests/dt=2026-11-26/run=${RUN_ID}`);
  const done = path.join(lake, '.generated');
  if (existsSync(done)) return lake;
  rmSync(lake, { recursive: true, force: true });
  mkdirSync(rawDir, { recursive: true });
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const perFile = Math.ceil(rows / FILES);
  for (let f = 0; f < FILES; f++) {
    const out = createWriteStream(path.join(rawDir, `bench-${f}.csv`));
    const write = (s: string) =>
      out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
    await write(`${HEADER}\n`);
    let chunk = '';
    for (let i = f * perFile; i < Math.min(rows, (f + 1) * perFile); i++) {
      const day = 20 + (i % 7);
      const bad = i % 100 === 99 ? i % 3 : -1;
      chunk += `T-${String(i).padStart(9, '0')},D-${i % 5000},${bad === 1 ? 'B1' : `B${String(i % 40).padStart(2, '0')}`},1.${i % 9}.0,2026-11-${day}T${String(i % 24).padStart(2, '0')}:15:00Z,${(rand() * 600).toFixed(2)},${bad === 2 ? 160 : (rand() * 80).toFixed(2)},${(rand() * 48).toFixed(2)},${(rand() * 20).toFixed(3)},${(rand() * 5).toFixed(3)},${(50 + rand() * 150).toFixed(1)},${bad === 0 ? 'x' : Math.floor(rand() * 4)},${i % 13 === 0 ? 1 : 0}\n`;
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
    await new Promise<void>((r) => out.end(() => r()));
  }
  await new Promise<void>((r) => createWriteStream(done).end('ok', () => r()));
  return lake;
}

function measure(kind: 'stage' | 'baseline', lake: string): { seconds: number; rssMb: number; rows: number } {
  const out = execFileSync('npx', ['tsx', path.join(root, 'bench/etl/measure.ts'), kind, lake, RUN_ID], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000000,10000000' } } });
const sizes = values.sizes!.split(',').map(Number);
const table: Record<string, string | number>[] = [];
let firstRate: number | undefined;
for (const rows of sizes) {
  const lake = await generate(rows);
  const baseline = measure('baseline', lake);
  const stage = measure('stage', lake);
  const rate = rows / stage.seconds;
  firstRate ??= rate;
  table.push({
    rows,
    'baseline s': baseline.seconds.toFixed(2),
    'stage s': stage.seconds.toFixed(2),
    'time ratio (stage/baseline)': (stage.seconds / baseline.seconds).toFixed(2),
    'stage rows/s': Math.round(rate),
    'rows/s vs first size': (rate / firstRate).toFixed(2),
    'baseline peak RSS MB': baseline.rssMb,
    'stage peak RSS MB': stage.rssMb,
    'curated rows (stage)': stage.rows,
    'curated rows (baseline)': baseline.rows,
  });
}
console.table(table);
console.log('goal: time ratio <= 1.2, rows/s flat from 1M to 10M (linear), stage peak RSS < 2048 MB');
