import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  BENCH_IDS,
  BENCH_TESTS_COLUMNS,
  drawLabel,
  type Measurements,
  NUMERIC_COLUMNS,
  type NumericColumn,
  sampleMeasurements,
} from './bench-tests';
import { DatagenOptionsError } from './errors';
import { Prng } from './prng';

export interface GenerateBenchTestsOptions {
  /** Folder the files are written to (created if missing). */
  readonly outDir: string;
  /** Total rows over all files, bad rows included. */
  readonly rows: number;
  /** Number of files, one per day. */
  readonly files: number;
  /** PRNG seed (unsigned 32-bit integer): same options, byte-identical files. */
  readonly seed: number;
  /** Share of rows broken on purpose, 0..1; split evenly over the kinds of breakage. */
  readonly badFraction: number;
  /** The day of the first file, YYYY-MM-DD; file i is this day + i. @default '2026-11-01' */
  readonly startDate?: string;
  /** Writes the summary as `<outDir>/_generated.json` (a `_` name: sourcing skips it). @default true */
  readonly writeSummary?: boolean;
  /** Lists every bad row (file, line, kind) in the summary; for tests on small data sets. @default false */
  readonly listBadRows?: boolean;
}

export type BadRowKind =
  | 'missing_required'
  | 'text_in_number'
  | 'out_of_range'
  | 'wrong_column_count'
  | 'malformed_json'
  | 'duplicate_test_id';
export const BAD_ROW_KINDS: readonly BadRowKind[] = [
  'missing_required',
  'text_in_number',
  'out_of_range',
  'wrong_column_count',
  'malformed_json',
  'duplicate_test_id',
];

/** The `reason_rule` the ETL writes for a row (first failing rule wins; see the README). */
export type RejectRule = 'required' | 'type' | 'min' | 'max' | 'column_count' | 'json' | 'unique';
export const REJECT_RULES: readonly RejectRule[] = [
  'required',
  'type',
  'min',
  'max',
  'column_count',
  'json',
  'unique',
];

export type FileFormat = 'csv' | 'jsonl' | 'csv.gz';

export interface BadRow {
  /** 1-based line in the (decompressed) file; the CSV header is line 1. */
  readonly line: number;
  readonly kind: BadRowKind;
  readonly rule: RejectRule;
  /** The column the breakage is in (for wrong_column_count / malformed_json: the whole record). */
  readonly column?: string;
}

export interface GeneratedFile {
  readonly name: string;
  readonly format: FileFormat;
  /** The UTC day every started_at in the file falls on. */
  readonly date: string;
  readonly rows: number;
  readonly goodRows: number;
  /** good rows with failed_in_field = 1 */
  readonly failedInField: number;
  readonly badRows: Readonly<Record<BadRowKind, number>>;
  readonly rejectsByRule: Readonly<Record<RejectRule, number>>;
  /** size on disk (compressed for .csv.gz) */
  readonly bytes: number;
  /** hex sha256 of the bytes on disk */
  readonly sha256: string;
  /** only with `listBadRows` */
  readonly badRowList?: readonly BadRow[];
}

export interface GeneratedSummary {
  readonly dataset: 'bench_tests';
  readonly generator: string;
  readonly seed: number;
  readonly badFraction: number;
  readonly startDate: string;
  readonly columns: readonly string[];
  readonly files: readonly GeneratedFile[];
  readonly totals: {
    readonly files: number;
    readonly rows: number;
    readonly goodRows: number;
    readonly badRows: number;
    readonly failedInField: number;
    readonly badRowsByKind: Readonly<Record<BadRowKind, number>>;
    readonly rejectsByRule: Readonly<Record<RejectRule, number>>;
  };
}

export const SUMMARY_FILE = '_generated.json';
const GENERATOR_VERSION = 'bench_tests/v1';
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** Lines buffered before a write: big enough to be fast, small enough to keep memory flat. */
const LINES_PER_CHUNK = 2_000;
/** Devices come back to the benches: ids are drawn from a fixed pool. */
const DEVICE_POOL = 250_000;

/** Validates every option, collects every problem, throws once. */
export function validateGenerateOptions(options: GenerateBenchTestsOptions): void {
  const problems: string[] = [];
  const { rows, files, seed, badFraction, startDate, outDir } = options;
  if (typeof outDir !== 'string' || outDir.length === 0)
    problems.push(`outDir must be a folder path (got ${JSON.stringify(outDir)})`);
  if (!Number.isSafeInteger(rows) || rows < 0) problems.push(`rows must be an integer >= 0 (got ${rows})`);
  if (!Number.isSafeInteger(files) || files < 1 || files > 3660)
    problems.push(`files must be an integer between 1 and 3660 (got ${files})`);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    problems.push(`seed must be an integer between 0 and 4294967295 (got ${seed})`);
  if (typeof badFraction !== 'number' || !(badFraction >= 0 && badFraction <= 1))
    problems.push(`badFraction must be a number between 0 and 1 (got ${badFraction})`);
  if (Number.isSafeInteger(rows) && rows > 999_999_999)
    problems.push(`rows must be at most 999999999 so test_id fits T-<9 digits> (got ${rows})`);
  if (
    startDate !== undefined &&
    (!DATE_PATTERN.test(startDate) || Number.isNaN(Date.parse(`${startDate}T00:00:00Z`)))
  )
    problems.push(`startDate must be a date YYYY-MM-DD (got ${JSON.stringify(startDate)})`);
  if (problems.length > 0) throw new DatagenOptionsError(problems);
}

/** File i's format: one gzip (the last file), every third file JSON lines, the rest CSV. */
export function fileFormat(index: number, files: number): FileFormat {
  if (files >= 2 && index === files - 1) return 'csv.gz';
  return index % 3 === 2 ? 'jsonl' : 'csv';
}

/**
 * Writes the bench_tests sample data set: one file per day (CSV with a header, every third file
 * JSON lines, the last one gzip CSV), streamed with backpressure so 10 million rows run in
 * constant memory. Deterministic: the same options give byte-identical files.
 */
export async function generateBenchTests(options: GenerateBenchTestsOptions): Promise<GeneratedSummary> {
  validateGenerateOptions(options);
  const { outDir, rows, files, seed, badFraction } = options;
  const startDate = options.startDate ?? '2026-11-01';
  await mkdir(outDir, { recursive: true });

  const start = Date.parse(`${startDate}T00:00:00Z`);
  const generated: GeneratedFile[] = [];
  let rowOffset = 0;
  let badOffset = 0;
  for (let index = 0; index < files; index++) {
    const fileRows = Math.floor(rows / files) + (index < rows % files ? 1 : 0);
    // Bad rows per file from the cumulative share, so the total is exactly round(rows * badFraction).
    const allocated = Math.round((rowOffset + fileRows) * badFraction) - Math.round(rowOffset * badFraction);
    const spec: FileSpec = {
      index,
      format: fileFormat(index, files),
      dayStart: start + index * DAY_MS,
      rows: fileRows,
      // Line 1 of the data (the first row) is never broken: a duplicate always has an earlier original.
      badRows: Math.min(allocated, Math.max(fileRows - 1, 0)),
      firstTestNumber: rowOffset + 1,
      firstBadKind: badOffset,
      listBadRows: options.listBadRows ?? false,
    };
    generated.push(await writeFile1(outDir, seed, spec));
    rowOffset += fileRows;
    badOffset += spec.badRows;
  }

  const summary: GeneratedSummary = {
    dataset: 'bench_tests',
    generator: GENERATOR_VERSION,
    seed,
    badFraction,
    startDate,
    columns: [...BENCH_TESTS_COLUMNS],
    files: generated,
    totals: {
      files: generated.length,
      rows: sum(generated, (f) => f.rows),
      goodRows: sum(generated, (f) => f.goodRows),
      badRows: sum(generated, (f) => f.rows - f.goodRows),
      failedInField: sum(generated, (f) => f.failedInField),
      badRowsByKind: countsOf(BAD_ROW_KINDS, (k) => sum(generated, (f) => f.badRows[k])),
      rejectsByRule: countsOf(REJECT_RULES, (r) => sum(generated, (f) => f.rejectsByRule[r])),
    },
  };
  if (options.writeSummary ?? true)
    await writeFile(path.join(outDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

interface FileSpec {
  readonly index: number;
  readonly format: FileFormat;
  readonly dayStart: number;
  readonly rows: number;
  readonly badRows: number;
  readonly firstTestNumber: number;
  readonly firstBadKind: number;
  readonly listBadRows: boolean;
}

/** Kinds in rotation; JSON lines cannot have a wrong column count, they get a malformed line instead. */
const ROTATION: readonly BadRowKind[] = [
  'missing_required',
  'text_in_number',
  'out_of_range',
  'wrong_column_count',
  'duplicate_test_id',
];
const REQUIRED_COLUMNS = ['device_id', 'started_at'] as const;
const NOT_A_NUMBER = ['n/a', 'ERR', 'high', 'twelve', '?', '1O.5', '--'];
/** Values outside each numeric column's min/max in pipeline.yaml. */
const OUT_OF_RANGE: ReadonlyArray<{ column: NumericColumn; value: string; rule: 'min' | 'max' }> = [
  { column: 'temperature_c', value: '-55.5', rule: 'min' },
  { column: 'temperature_c', value: '185.25', rule: 'max' },
  { column: 'voltage_v', value: '60.3', rule: 'max' },
  { column: 'voltage_v', value: '-1.2', rule: 'min' },
  { column: 'current_a', value: '31.5', rule: 'max' },
  { column: 'pressure_kpa', value: '12.5', rule: 'min' },
  { column: 'pressure_kpa', value: '250', rule: 'max' },
  { column: 'duration_s', value: '-3.5', rule: 'min' },
  { column: 'vibration_mm_s', value: '-0.7', rule: 'min' },
  { column: 'error_count', value: '-1', rule: 'min' },
];

async function writeFile1(outDir: string, seed: number, spec: FileSpec): Promise<GeneratedFile> {
  const date = new Date(spec.dayStart).toISOString().slice(0, 10);
  const name = `bench_tests_${date}.${spec.format}`;
  const prng = new Prng(seed, spec.index);
  const jsonl = spec.format === 'jsonl';

  const hash = createHash('sha256');
  let bytes = 0;
  const file = createWriteStream(path.join(outDir, name));
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const gzip = spec.format === 'csv.gz' ? createGzip({ level: 6 }) : undefined;
  const sink: Writable = gzip ?? counter;
  const written = gzip ? pipeline(gzip, counter, file) : pipeline(counter, file);

  const badRows = countsOf(BAD_ROW_KINDS, () => 0);
  const rejectsByRule = countsOf(REJECT_RULES, () => 0);
  const badRowList: BadRow[] = [];
  let failedInField = 0;
  let chunk: string[] = jsonl ? [] : [BENCH_TESTS_COLUMNS.join(',')];
  const headerLines = jsonl ? 0 : 1;
  let lastGoodTestId = '';
  let badLeft = spec.badRows;
  let badSeen = 0;

  for (let row = 0; row < spec.rows; row++) {
    const m = sampleMeasurements(prng);
    const label = drawLabel(prng, m);
    const testId = `T-${String(spec.firstTestNumber + row).padStart(9, '0')}`;
    // Evenly spread start times through the day, jittered, so rows sort by time within a file.
    const startedAt = isoSeconds(spec.dayStart + Math.floor(((row + prng.next()) * DAY_MS) / spec.rows));
    const deviceId = `D-${String(prng.int(DEVICE_POOL)).padStart(6, '0')}`;
    // Selection sampling: exactly badRows of the rows after the first are broken.
    const broken = row > 0 && badLeft > 0 && prng.next() * (spec.rows - row) < badLeft;
    const values: Record<string, string> = {
      test_id: testId,
      device_id: deviceId,
      bench_id: BENCH_IDS[m.benchIndex]!,
      firmware: m.firmware,
      started_at: startedAt,
      ...numericValues(m),
      failed_in_field: String(label),
    };
    let line: string;
    if (!broken) {
      line = jsonl ? jsonLine(values) : csvLine(values);
      lastGoodTestId = testId;
      failedInField += label;
    } else {
      badLeft--;
      let kind = ROTATION[(spec.firstBadKind + badSeen++) % ROTATION.length]!;
      if (kind === 'wrong_column_count' && jsonl) kind = 'malformed_json';
      const bad = breakRow(prng, kind, values, jsonl, lastGoodTestId);
      line = bad.line;
      badRows[kind]++;
      rejectsByRule[bad.rule]++;
      if (spec.listBadRows)
        badRowList.push({
          line: headerLines + row + 1,
          kind,
          rule: bad.rule,
          ...(bad.column ? { column: bad.column } : {}),
        });
    }
    chunk.push(line);
    if (chunk.length >= LINES_PER_CHUNK) {
      await write(sink, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(sink, `${chunk.join('\n')}\n`);
  sink.end();
  await written;

  const goodRows = spec.rows - spec.badRows;
  return {
    name,
    format: spec.format,
    date,
    rows: spec.rows,
    goodRows,
    failedInField,
    badRows,
    rejectsByRule,
    bytes,
    sha256: hash.digest('hex'),
    ...(spec.listBadRows ? { badRowList } : {}),
  };
}

function breakRow(
  prng: Prng,
  kind: BadRowKind,
  values: Record<string, string>,
  jsonl: boolean,
  originalTestId: string,
): { line: string; rule: RejectRule; column?: string } {
  const render = (v: Record<string, string | null | undefined>) => (jsonl ? jsonLine(v) : csvLine(v));
  switch (kind) {
    case 'missing_required': {
      const column = prng.pick(REQUIRED_COLUMNS);
      // JSON lines: alternate an explicit null and an absent key; CSV: an empty field.
      const missing = jsonl && prng.next() < 0.5 ? undefined : null;
      return { line: render({ ...values, [column]: missing }), rule: 'required', column };
    }
    case 'text_in_number': {
      const column = prng.pick(NUMERIC_COLUMNS);
      return { line: render({ ...values, [column]: `"${prng.pick(NOT_A_NUMBER)}` }), rule: 'type', column };
    }
    case 'out_of_range': {
      const { column, value, rule } = prng.pick(OUT_OF_RANGE);
      return { line: render({ ...values, [column]: value }), rule, column };
    }
    case 'wrong_column_count': {
      // Either the last field is lost, or an unquoted comma splits the firmware field in two.
      if (prng.next() < 0.5)
        return { line: csvLine({ ...values, failed_in_field: undefined }), rule: 'column_count' };
      return {
        line: csvLine({ ...values, firmware: values.firmware!.replace('.', ',') }),
        rule: 'column_count',
      };
    }
    case 'malformed_json': {
      const full = jsonLine(values);
      // A line cut short, as from a writer that died mid-record: never valid JSON (no closing brace).
      const cut = 10 + prng.int(full.length - 12);
      return { line: full.slice(0, cut), rule: 'json' };
    }
    case 'duplicate_test_id':
      return { line: render({ ...values, test_id: originalTestId }), rule: 'unique', column: 'test_id' };
  }
}

function numericValues(m: Measurements): Record<NumericColumn, string> {
  return {
    duration_s: String(m.durationS),
    temperature_c: String(m.temperatureC),
    voltage_v: String(m.voltageV),
    current_a: String(m.currentA),
    vibration_mm_s: String(m.vibrationMmS),
    pressure_kpa: String(m.pressureKpa),
    error_count: String(m.errorCount),
  };
}

/** A CSV line; `undefined` drops the field (wrong column count), `null` leaves it empty. */
function csvLine(values: Record<string, string | null | undefined>): string {
  const fields: string[] = [];
  for (const column of BENCH_TESTS_COLUMNS) {
    const v = values[column];
    if (v === undefined) continue;
    fields.push(v === null ? '' : v.startsWith('"') ? v.slice(1) : v);
  }
  return fields.join(',');
}

const STRING_COLUMNS = new Set(['test_id', 'device_id', 'bench_id', 'firmware', 'started_at']);

/**
 * A JSON line with keys in column order; numbers as JSON numbers. A value starting with `"` is a
 * forced string (text in a number column), `null` an explicit null, `undefined` an absent key.
 */
function jsonLine(values: Record<string, string | null | undefined>): string {
  const parts: string[] = [];
  for (const column of BENCH_TESTS_COLUMNS) {
    const v = values[column];
    if (v === undefined) continue;
    let rendered: string;
    if (v === null) rendered = 'null';
    else if (v.startsWith('"')) rendered = JSON.stringify(v.slice(1));
    else rendered = STRING_COLUMNS.has(column) ? JSON.stringify(v) : v;
    parts.push(`"${column}":${rendered}`);
  }
  return `{${parts.join(',')}}`;
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

async function write(stream: Writable, data: string): Promise<void> {
  if (stream.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}

function countsOf<K extends string>(keys: readonly K[], f: (key: K) => number): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, number>;
}
