import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { lakePrefixes } from '@lakepipe/lake';

export const OLD_RUN = '20261125T020000Z-aaaaaa';
export const NEW_RUN = '20261126T020000Z-bbbbbb';

export function tempLake(): string {
  return mkdtempSync(path.join(tmpdir(), 'view-lake-'));
}

export interface CuratedRow {
  readonly test_id: string;
  readonly bench_id: string;
  readonly started_at: string;
  readonly run_id: string;
  readonly temperature_c?: number;
  readonly error_count?: number;
}

const sqlString = (v: string) => `'${v.replaceAll("'", "''")}'`;
const sqlValue = (v: unknown) =>
  v === undefined || v === null ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(String(v));

/**
 * Writes curated Parquet exactly as the ETL lays it out: `curated/<ds>/dt=<day>/<runId>-0.parquet`,
 * the bench_tests columns typed, dt only in the path.
 */
export async function writeCurated(
  lakeRoot: string,
  dataset: string,
  rows: readonly CuratedRow[],
): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const groups = new Map<string, CuratedRow[]>();
  for (const row of rows) {
    const key = `${row.started_at.slice(0, 10)}|${row.run_id}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, group] of groups) {
    const [dt, runId] = key.split('|') as [string, string];
    const folder = path.join(lakeRoot, lakePrefixes.curated(dataset, dt));
    mkdirSync(folder, { recursive: true });
    const values = group
      .map(
        (r) =>
          `(${sqlValue(r.test_id)}, 'D-1', ${sqlValue(r.bench_id)}, '1.2.3', TIMESTAMP ${sqlString(r.started_at)}, 12.5, ${sqlValue(r.temperature_c ?? 40)}, 12.0, 1.5, 0.3, 101.3, ${sqlValue(r.error_count ?? 0)}, 0, ${sqlString(r.run_id)}, ${sqlString(`raw/${dataset}/dt=${dt}/run=${r.run_id}/tests.csv`)})`,
      )
      .join(',\n');
    await connection.run(`COPY (
      SELECT test_id, device_id, bench_id, firmware, started_at,
             CAST(duration_s AS DOUBLE) AS duration_s, CAST(temperature_c AS DOUBLE) AS temperature_c,
             CAST(voltage_v AS DOUBLE) AS voltage_v, CAST(current_a AS DOUBLE) AS current_a,
             CAST(vibration_mm_s AS DOUBLE) AS vibration_mm_s, CAST(pressure_kpa AS DOUBLE) AS pressure_kpa,
             CAST(error_count AS INTEGER) AS error_count, CAST(failed_in_field AS INTEGER) AS failed_in_field,
             run_id, source_file
      FROM (VALUES ${values}) AS t(test_id, device_id, bench_id, firmware, started_at, duration_s, temperature_c,
        voltage_v, current_a, vibration_mm_s, pressure_kpa, error_count, failed_in_field, run_id, source_file)
    ) TO ${sqlString(path.join(folder, `${runId}-0.parquet`))} (FORMAT parquet, COMPRESSION zstd)`);
  }
  connection.closeSync();
  db.closeSync();
}

export interface RejectedRow {
  readonly run_id: string;
  readonly line_number: number;
  readonly reason_column: string;
  readonly reason_rule: string;
}

/** Writes `rejected/<ds>/run=<runId>/part-0.parquet` with the agreed columns. */
export async function writeRejected(
  lakeRoot: string,
  dataset: string,
  rows: readonly RejectedRow[],
): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  for (const runId of new Set(rows.map((r) => r.run_id))) {
    const folder = path.join(lakeRoot, lakePrefixes.rejected(dataset, runId));
    mkdirSync(folder, { recursive: true });
    const values = rows
      .filter((r) => r.run_id === runId)
      .map(
        (r) =>
          `(${sqlString(r.run_id)}, 'raw/x.csv', CAST(${r.line_number} AS BIGINT), ${sqlString(r.reason_column)}, ${sqlString(r.reason_rule)}, 'bad value', 'x', 'a,b,c')`,
      )
      .join(',\n');
    await connection.run(`COPY (SELECT * FROM (VALUES ${values}) AS t(run_id, source_file, line_number, reason_column,
      reason_rule, reason, raw_value, raw_record)) TO ${sqlString(path.join(folder, 'part-0.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
  }
  connection.closeSync();
  db.closeSync();
}

/** Writes `scored/<ds>/run=<runId>/part-0.csv.out`: `id,score` lines, no header. */
export function writeScored(
  lakeRoot: string,
  dataset: string,
  runId: string,
  scores: Record<string, number>,
): void {
  const folder = path.join(lakeRoot, lakePrefixes.scored(dataset, runId));
  mkdirSync(folder, { recursive: true });
  const lines = Object.entries(scores).map(([id, score]) => `${id},${score}\n`);
  writeFileSync(path.join(folder, 'part-0.csv.out'), lines.join(''));
}

/** Writes `features/<ds>/run=<runId>/part-0.csv`: id then the features, an empty field for a null. */
export function writeFeatures(
  lakeRoot: string,
  dataset: string,
  runId: string,
  lines: readonly string[],
): void {
  const folder = path.join(lakeRoot, lakePrefixes.features(dataset, runId));
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'part-0.csv'), lines.map((l) => `${l}\n`).join(''));
}

/** Writes a raw file byte for byte at `raw/<ds>/dt=<day>/run=<runId>/<file>`. */
export function writeRaw(
  lakeRoot: string,
  dataset: string,
  runId: string,
  day: string,
  file: string,
  text: string | Uint8Array,
): void {
  const folder = path.join(lakeRoot, lakePrefixes.raw(dataset, day, runId));
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, file), text);
}
