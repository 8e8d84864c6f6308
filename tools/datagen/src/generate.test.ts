import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BENCH_TESTS_COLUMNS } from './bench-tests';
import { DatagenOptionsError } from './errors';
import { type GeneratedSummary, generateBenchTests, SUMMARY_FILE } from './generate';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'datagen-'));

async function decompressedLines(dir: string, name: string): Promise<string[]> {
  const raw = await readFile(path.join(dir, name));
  const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text.replace(/\n$/, '').split('\n');
}

describe('generateBenchTests', () => {
  it('writes byte-identical files for the same options and different files for another seed', async () => {
    // Arrange
    const [a, b, c] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    const options = { rows: 3_000, files: 4, seed: 42, badFraction: 0.02 };

    // Act
    await generateBenchTests({ ...options, outDir: a });
    await generateBenchTests({ ...options, outDir: b });
    await generateBenchTests({ ...options, seed: 43, outDir: c });

    // Assert
    const names = (await readdir(a)).sort();
    expect(names).toEqual((await readdir(b)).sort());
    for (const name of names) {
      const [bytesA, bytesB] = await Promise.all([
        readFile(path.join(a, name)),
        readFile(path.join(b, name)),
      ]);
      expect(bytesA.equals(bytesB), name).toBe(true);
    }
    const first = 'bench_tests_2026-11-01.csv';
    expect((await readFile(path.join(a, first))).equals(await readFile(path.join(c, first)))).toBe(false);
  });

  it('writes one file per day: CSV, every third file JSON lines, the last one gzip', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    const summary = await generateBenchTests({
      outDir: dir,
      rows: 100,
      files: 7,
      seed: 1,
      badFraction: 0,
      startDate: '2026-12-30',
    });

    // Assert
    expect(summary.files.map((f) => f.name)).toEqual([
      'bench_tests_2026-12-30.csv',
      'bench_tests_2026-12-31.csv',
      'bench_tests_2027-01-01.jsonl',
      'bench_tests_2027-01-02.csv',
      'bench_tests_2027-01-03.csv',
      'bench_tests_2027-01-04.jsonl',
      'bench_tests_2027-01-05.csv.gz',
    ]);
    expect((await readdir(dir)).sort()).toEqual([...summary.files.map((f) => f.name), SUMMARY_FILE].sort());
    expect(summary.files.map((f) => f.rows)).toEqual([15, 15, 14, 14, 14, 14, 14]);
  });

  it('writes the columns in the documented order, CSV with a header and JSON keys in the same order', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    await generateBenchTests({ outDir: dir, rows: 400, files: 4, seed: 5, badFraction: 0 });

    // Assert
    const csv = await decompressedLines(dir, 'bench_tests_2026-11-01.csv');
    expect(csv[0]).toBe(
      'test_id,device_id,bench_id,firmware,started_at,duration_s,temperature_c,voltage_v,current_a,vibration_mm_s,pressure_kpa,error_count,failed_in_field',
    );
    expect(csv[1]).toMatch(
      /^T-000000001,D-\d{6},B(0[1-9]|1[0-2]),\d+\.\d+\.\d+,2026-11-01T\d{2}:\d{2}:\d{2}Z,[\d.]+,-?[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,\d+,[01]$/,
    );
    const json = (await decompressedLines(dir, 'bench_tests_2026-11-03.jsonl')).map((l) => JSON.parse(l));
    expect(json).toHaveLength(100);
    expect(Object.keys(json[0])).toEqual([...BENCH_TESTS_COLUMNS]);
    expect(json[0].test_id).toBe('T-000000201');
    expect(typeof json[0].temperature_c).toBe('number');
    expect(json.every((r) => r.started_at.startsWith('2026-11-03T'))).toBe(true);
  });

  it('keeps every good value inside the ranges pipeline.yaml declares and test_id unique', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    await generateBenchTests({ outDir: dir, rows: 5_000, files: 1, seed: 9, badFraction: 0 });

    // Assert
    const rows = (await decompressedLines(dir, 'bench_tests_2026-11-01.csv'))
      .slice(1)
      .map((l) => l.split(','));
    expect(rows).toHaveLength(5_000);
    expect(new Set(rows.map((r) => r[0])).size).toBe(5_000);
    for (const r of rows) {
      const [duration, temperature, voltage, current, vibration, pressure, errors, label] = r
        .slice(5)
        .map(Number);
      expect(duration).toBeGreaterThanOrEqual(0);
      expect(temperature).toBeGreaterThanOrEqual(-40);
      expect(temperature).toBeLessThanOrEqual(150);
      expect(voltage).toBeGreaterThanOrEqual(0);
      expect(voltage).toBeLessThanOrEqual(48);
      expect(current).toBeGreaterThanOrEqual(0);
      expect(current).toBeLessThanOrEqual(20);
      expect(vibration).toBeGreaterThanOrEqual(0);
      expect(pressure).toBeGreaterThanOrEqual(50);
      expect(pressure).toBeLessThanOrEqual(200);
      expect(Number.isInteger(errors) && errors! >= 0).toBe(true);
      expect([0, 1]).toContain(label);
    }
  });

  it('breaks exactly round(rows * badFraction) rows, split evenly over the kinds, and lists them by line', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    const summary = await generateBenchTests({
      outDir: dir,
      rows: 10_000,
      files: 10,
      seed: 42,
      badFraction: 0.05,
      listBadRows: true,
    });

    // Assert
    const t = summary.totals;
    expect(t.rows).toBe(10_000);
    expect(t.badRows).toBe(500);
    expect(t.goodRows).toBe(9_500);
    // 5 kinds in rotation; JSON-lines files (3 of 10) get malformed_json where CSV gets wrong_column_count.
    expect(t.badRowsByKind.missing_required).toBe(100);
    expect(t.badRowsByKind.text_in_number).toBe(100);
    expect(t.badRowsByKind.out_of_range).toBe(100);
    expect(t.badRowsByKind.duplicate_test_id).toBe(100);
    expect(t.badRowsByKind.wrong_column_count + t.badRowsByKind.malformed_json).toBe(100);
    expect(t.badRowsByKind.malformed_json).toBe(30);
    expect(Object.values(t.rejectsByRule).reduce((a, b) => a + b, 0)).toBe(500);
    expect(t.rejectsByRule.min + t.rejectsByRule.max).toBe(100);
    expect(summary).toEqual(
      JSON.parse(await readFile(path.join(dir, SUMMARY_FILE), 'utf8')) as GeneratedSummary,
    );
  });

  it('breaks each listed row the way its kind says', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    const summary = await generateBenchTests({
      outDir: dir,
      rows: 2_000,
      files: 3,
      seed: 3,
      badFraction: 0.1,
      listBadRows: true,
    });

    // Assert
    for (const file of summary.files) {
      const lines = await decompressedLines(dir, file.name);
      const jsonl = file.format === 'jsonl';
      const record = (line: string): Record<string, unknown> =>
        jsonl
          ? JSON.parse(line)
          : Object.fromEntries(BENCH_TESTS_COLUMNS.map((c, i) => [c, line.split(',')[i]]));
      const seenIds = new Map<unknown, number>();
      const badLines = new Set(file.badRowList!.map((b) => b.line));
      lines.forEach((line, i) => {
        if (!badLines.has(i + 1) && !(i === 0 && !jsonl)) seenIds.set(record(line).test_id, i + 1);
      });
      for (const bad of file.badRowList!) {
        const line = lines[bad.line - 1]!;
        switch (bad.kind) {
          case 'missing_required':
            expect([null, undefined, '']).toContain(record(line)[bad.column!]);
            break;
          case 'text_in_number':
            expect(Number.isNaN(Number(record(line)[bad.column!]))).toBe(true);
            break;
          case 'out_of_range': {
            const value = Number(record(line)[bad.column!]);
            expect(bad.rule === 'min' ? value < 0 || value < 50 || value < -40 : value > 20).toBe(true);
            break;
          }
          case 'wrong_column_count':
            expect(line.split(',').length).not.toBe(13);
            break;
          case 'malformed_json':
            expect(() => JSON.parse(line)).toThrow();
            break;
          case 'duplicate_test_id':
            expect(seenIds.get(record(line).test_id)).toBeLessThan(bad.line);
            break;
        }
      }
    }
  });

  it('writes a gzip file that decompresses to CSV with a header and reports the hash of its bytes', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    const summary = await generateBenchTests({ outDir: dir, rows: 400, files: 2, seed: 11, badFraction: 0 });

    // Assert
    const gz = summary.files[1]!;
    expect(gz.format).toBe('csv.gz');
    const bytes = await readFile(path.join(dir, gz.name));
    expect(gz.bytes).toBe(bytes.length);
    expect(gz.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
    expect(lines[0]!.split(',')).toEqual([...BENCH_TESTS_COLUMNS]);
    expect(lines).toHaveLength(201);
  });

  it('rejects bad options naming every field and value at once', async () => {
    // Arrange
    const options = { outDir: '', rows: -1, files: 0, seed: 1.5, badFraction: 2, startDate: '2026-13-45' };

    // Act
    const attempt = generateBenchTests(options);

    // Assert
    await expect(attempt).rejects.toThrow(DatagenOptionsError);
    await expect(attempt).rejects.toThrow(
      [
        'invalid bench_tests generator options:',
        '  - outDir must be a folder path (got "")',
        '  - rows must be an integer >= 0 (got -1)',
        '  - files must be an integer between 1 and 3660 (got 0)',
        '  - seed must be an integer between 0 and 4294967295 (got 1.5)',
        '  - badFraction must be a number between 0 and 1 (got 2)',
        '  - startDate must be a date YYYY-MM-DD (got "2026-13-45")',
      ].join('\n'),
    );
  });
});
