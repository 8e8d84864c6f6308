// Generates the bench_tests raw files for bench/etl once per size into .tmp/bench/etl/lake-<rows>/ (reused).
//   npx tsx bench/etl/generate.ts [--sizes 1000000,10000000]
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const benchDir = path.join(root, '.tmp', 'bench', 'etl');
export const RUN_ID = '20261126T020000Z-be0c11';
const HEADER =
  'test_id,device_id,bench_id,firmware,started_at,duration_s,temperature_c,voltage_v,current_a,vibration_mm_s,pressure_kpa,error_count,failed_in_field';
const FILES = 10;

/** Deterministic rows, 1% bad (a bad number, a bad bench id, an out-of-range value). */
export async function generate(rows: number): Promise<string> {
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000000,10000000' } } });
  for (const rows of values.sizes!.split(',').map(Number)) console.log(await generate(rows));
}
