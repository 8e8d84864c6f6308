#!/usr/bin/env -S npx tsx
/**
 * `npx tsx tools/datagen/src/cli.ts --rows 100000 --files 10 --seed 42 --bad-fraction 0.01 --out DIR`
 * Writes the bench_tests sample data set and prints its summary.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DatagenOptionsError } from './errors';
import { generateBenchTests } from './generate';

function integer(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`${flag} must be a whole number (got "${value}")`);
    return Number(value);
  };
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`--bad-fraction must be a number between 0 and 1 (got "${value}")`);
  return n;
}

export function buildDatagenProgram(): Command {
  return new Command('datagen')
    .description('Generate the bench_tests sample data set (deterministic for a given seed)')
    .requiredOption('--out <dir>', 'folder to write the files to (created if missing)')
    .option('--rows <n>', 'total rows over all files', integer('--rows'), 100_000)
    .option('--files <n>', 'number of files, one per day', integer('--files'), 10)
    .option('--seed <n>', 'PRNG seed, 0..4294967295', integer('--seed'), 42)
    .option('--bad-fraction <f>', 'share of rows broken on purpose, 0..1', fraction, 0.01)
    .option('--start-date <YYYY-MM-DD>', 'day of the first file', '2026-11-01')
    .option('--no-summary', `do not write _generated.json beside the files`)
    .action(async (opts) => {
      const startedAt = performance.now();
      const summary = await generateBenchTests({
        outDir: opts.out,
        rows: opts.rows,
        files: opts.files,
        seed: opts.seed,
        badFraction: opts.badFraction,
        startDate: opts.startDate,
        writeSummary: opts.summary,
      });
      const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
      for (const f of summary.files)
        process.stdout.write(
          `${f.name.padEnd(32)} ${String(f.rows).padStart(10)} rows ${String(f.rows - f.goodRows).padStart(8)} bad ${String(f.bytes).padStart(12)} bytes\n`,
        );
      const t = summary.totals;
      process.stdout.write(
        `${t.files} files, ${t.rows} rows (${t.badRows} bad: ${Object.entries(t.badRowsByKind)
          .map(([k, n]) => `${k}=${n}`)
          .join(' ')}) in ${seconds}s -> ${opts.out}\n`,
      );
    });
}

export async function runDatagenCli(argv: readonly string[]): Promise<void> {
  try {
    await buildDatagenProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof DatagenOptionsError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runDatagenCli(process.argv);
