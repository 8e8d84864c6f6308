import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readParquetRows, readText, tempLake } from '../test-support/lake';
import { benchTestsSpec } from '../test-support/pipeline';
import { runLocalEtl } from './run-local-etl';

const RUN = '20261126T020000Z-a1b2c3';
const RAW = `raw/bench_tests/dt=2026-11-26/run=${RUN}/`;
const spec = { ...benchTestsSpec(), maxRejectRatio: 1 };
const HEADER =
  'test_id,device_id,bench_id,firmware,started_at,duration_s,temperature_c,voltage_v,current_a,vibration_mm_s,pressure_kpa,error_count,failed_in_field';

function good(i: number): string {
  return `T-${String(i).padStart(9, '0')},D-${i % 50},B${String(i % 40).padStart(2, '0')},1.${i % 9}.0,2026-11-${20 + (i % 7)}T${String(i % 24).padStart(2, '0')}:15:00Z,${i % 600}.5,${i % 80},12,1.5,0.25,${50 + (i % 150)},${i % 4},${i % 2}`;
}

/** The bad line (one per rule the fast path can see) that replaces line `line` of a file, if any. */
function bad(line: number, i: number): string | undefined {
  const fields = good(i).split(',');
  const set = (at: number, value: string) => fields.map((f, k) => (k === at ? value : f)).join(',');
  switch (line) {
    case 3:
      return set(0, ''); // required
    case 4_000:
      return set(2, 'B1'); // pattern
    case 9_001:
      return set(6, '151'); // max
    case 33_333:
      return set(4, ' not-a-time '); // type, spaces trimmed in the reason
    case 77_777:
      return set(11, '1.5'); // type: ints reject 1.5
    case 50_000:
      return set(7, 'inf'); // type: TRY_CAST reads it, the double shape does not
    case 50_001:
      return set(8, '+-1'); // type: only number characters, still not a double
    case 99_998:
      return set(0, 'T-000000010'); // unique: a duplicate of line 12, which wins
    default:
      return undefined;
  }
}

/** A clean file (no quote, CR or blank line) of `rows` data rows from id `first` on; `edit` changes its lines. */
function cleanCsv(rows: number, first = 0, edit: (lines: string[]) => void = () => {}): string {
  const lines = [HEADER];
  for (let i = first; i < first + rows; i++) lines.push(bad(lines.length + 1, i) ?? good(i));
  edit(lines);
  return `${lines.join('\n')}\n`;
}

/** The same file with its first two columns swapped, header included. */
function swapFirstColumns(csv: string): string {
  return csv.replace(/^([^,\n]*),([^,\n]*)/gm, '$2,$1');
}

async function runBothWays(files: Record<string, string>) {
  const results = [];
  for (const fastCsv of [true, false]) {
    const lake = tempLake();
    mkdirSync(path.join(lake, RAW), { recursive: true });
    for (const [name, body] of Object.entries(files)) writeFileSync(path.join(lake, RAW, name), body);
    const messages: string[] = [];
    const { startedAt, finishedAt, ...manifest } = await runLocalEtl({
      lakeRoot: lake,
      dataset: 'bench_tests',
      spec,
      runId: RUN,
      stageId: 'etl',
      fastCsv,
      progress: ({ message }) => void (message && messages.push(message)),
    });
    const curated = (await readParquetRows(lake, 'curated/bench_tests/')).sort((a, b) =>
      String(a.test_id).localeCompare(String(b.test_id)),
    );
    results.push({
      manifest,
      curated,
      rejected: await readParquetRows(lake, `rejected/bench_tests/run=${RUN}/`),
      features: readText(lake, `features/bench_tests/run=${RUN}/part-0.csv`).split('\n').sort(),
      fastFiles: messages.find((m) => m.includes("read by DuckDB's CSV reader")),
    });
  }
  return { fast: results[0]!, text: results[1]! };
}

describe("runLocalEtl with DuckDB's CSV reader (fast path)", () => {
  it('reads clean CSV files with it and writes exactly what the line-by-line text path writes', async () => {
    // Arrange: 100,000 rows (12 MB, so DuckDB splits the scan) with bad rows spread over the file
    const files = { 'a.csv': cleanCsv(100_000), 'b.csv': swapFirstColumns(cleanCsv(2_000, 1_000_000)) };

    // Act
    const { fast, text } = await runBothWays(files);

    // Assert
    expect(fast.fastFiles).toContain("2 of 2 file(s) read by DuckDB's CSV reader");
    expect(text.fastFiles).toContain("0 of 2 file(s) read by DuckDB's CSV reader");
    expect(fast.manifest).toEqual(text.manifest);
    expect(fast.rejected).toEqual(text.rejected);
    expect(fast.curated).toEqual(text.curated);
    expect(fast.features).toEqual(text.features);
    const rejectedA = fast.rejected.filter((r) => String(r.source_file).endsWith('a.csv'));
    expect(rejectedA.map((r) => [r.line_number, r.reason_column, r.reason_rule, r.raw_value])).toEqual([
      [3n, 'test_id', 'required', null],
      [4_000n, 'bench_id', 'pattern', 'B1'],
      [9_001n, 'temperature_c', 'max', '151'],
      [33_333n, 'started_at', 'type', 'not-a-time'],
      [50_000n, 'voltage_v', 'type', 'inf'],
      [50_001n, 'current_a', 'type', '+-1'],
      [77_777n, 'error_count', 'type', '1.5'],
      [99_998n, 'test_id', 'unique', 'T-000000010'],
    ]);
    expect(rejectedA[3]!.raw_record).toBe(files['a.csv'].split('\n')[33_332]);
    // b.csv (columns in another order, mapped by header name) has its line 3 rejected
    expect(
      fast.rejected.filter((r) => String(r.source_file).endsWith('b.csv')).map((r) => r.line_number),
    ).toEqual([3n]);
    expect(fast.manifest).toMatchObject({ rowsRead: 102_000, rejectedRows: 9 });
  });

  it('hands a file with a missing or an extra field to the text path, with the same outcome', async () => {
    // Arrange: clean to the byte scan, but two lines need the column_count rule; no final newline.
    // z-clean.csv is read after the two files deleted from the fast path's rows: its line numbers still hold
    const short = cleanCsv(3_000, 0, (lines) => {
      lines[1_500] = lines[1_500]!.split(',').slice(0, 12).join(',');
    }).trimEnd();
    const long = cleanCsv(3_000, 10_000, (lines) => {
      lines[20] = `${lines[20]},extra,fields`;
    });
    const clean = cleanCsv(10, 20_000);

    // Act
    const { fast, text } = await runBothWays({ 'long.csv': long, 'short.csv': short, 'z-clean.csv': clean });

    // Assert
    expect(fast.fastFiles).toContain("1 of 3 file(s) read by DuckDB's CSV reader");
    expect(fast.manifest).toEqual(text.manifest);
    expect(fast.rejected).toEqual(text.rejected);
    expect(fast.curated).toEqual(text.curated);
    expect(fast.features).toEqual(text.features);
    expect(
      fast.rejected
        .filter((r) => r.reason_rule === 'column_count')
        .map((r) => [String(r.source_file).split('/').pop(), r.line_number, r.reason]),
    ).toEqual([
      ['long.csv', 21n, 'expected 13 fields, got 15'],
      ['short.csv', 1_501n, 'expected 13 fields, got 12'],
    ]);
  });
});
