import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.ts');
const tsx = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../node_modules/.bin/tsx');

describe('datagen CLI', () => {
  it('writes the files and a summary line', async () => {
    // Arrange
    const out = await mkdtemp(path.join(tmpdir(), 'datagen-cli-'));

    // Act
    const { stdout } = await run(tsx, [
      cli,
      '--rows',
      '1000',
      '--files',
      '3',
      '--seed',
      '42',
      '--bad-fraction',
      '0.01',
      '--out',
      out,
    ]);

    // Assert
    expect(stdout).toContain('3 files, 1000 rows (10 bad:');
    expect((await readdir(out)).sort()).toEqual([
      '_generated.json',
      'bench_tests_2026-11-01.csv',
      'bench_tests_2026-11-02.csv',
      'bench_tests_2026-11-03.csv.gz',
    ]);
  });

  it('names the flag and the value when a flag is malformed', async () => {
    // Arrange
    const out = await mkdtemp(path.join(tmpdir(), 'datagen-cli-'));

    // Act
    const rows = await run(tsx, [cli, '--rows', '12k', '--out', out]).catch(
      (error: { stderr: string }) => error,
    );
    const fraction = await run(tsx, [cli, '--bad-fraction', '1.5', '--out', out]).catch(
      (error: { stderr: string }) => error,
    );

    // Assert
    expect(rows.stderr).toContain('--rows must be a whole number (got "12k")');
    expect(fraction.stderr).toContain('--bad-fraction must be a number between 0 and 1 (got "1.5")');
  });
});
