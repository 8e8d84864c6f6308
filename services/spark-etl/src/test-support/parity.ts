import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { lakePrefixes } from '@lakepipe/lake';
import { decompress } from 'fzstd';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { EtlManifest } from '../manifest';

/** What one engine's run left in the lake, normalised so two engines compare with toEqual. */
export interface LakeSnapshot {
  /** the manifest without what differs by nature: engine and times */
  readonly manifest: Omit<EtlManifest, 'engine' | 'startedAt' | 'finishedAt'>;
  /** per raw file: its curated rows as canonical text (doubles as their 64 bits, timestamps as UTC micros), sorted */
  readonly curated: Readonly<Record<string, readonly string[]>>;
  /** per raw file: `line|column|rule|reason|raw value|raw record`, by line */
  readonly rejected: Readonly<Record<string, readonly string[]>>;
  /** features lines, sorted (row order is not part of the contract) */
  readonly features: readonly string[];
  /** column -> Parquet physical type and logical type, per area */
  readonly parquetTypes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** curated folder -> number of Parquet files in it */
  readonly filesPerPartition: Readonly<Record<string, number>>;
}

const compressors = {
  ZSTD: (input: Uint8Array, outputLength: number) => decompress(input, new Uint8Array(outputLength)),
};

/** A value as exact text: doubles by their bits (so -0, NaN and the last bit count), bigints and micros as integers. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    const bits = Buffer.alloc(8);
    bits.writeDoubleBE(value);
    return `f64:${bits.toString('hex')}(${value})`;
  }
  if (typeof value === 'bigint') return `i:${value}`;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  return JSON.stringify(value);
}

async function parquetFiles(lakeRoot: string, prefix: string): Promise<string[]> {
  const entries = await readdir(path.join(lakeRoot, prefix), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function readRows(file: string): Promise<Record<string, unknown>[]> {
  return (await parquetReadObjects({
    file: await asyncBufferFromFile(file),
    compressors,
    // keep microseconds: hyparquet's default turns them into a millisecond Date
    parsers: { timestampFromMicroseconds: (micros: bigint) => `micros:${micros}` },
  } as never)) as Record<string, unknown>[];
}

/**
 * Each column's physical and logical type. DuckDB annotates with the legacy converted types
 * (UTF8, INT_32), Spark with logical types (STRING, none): the same types, so both are named alike;
 * everything else (a timestamp's unit and isAdjustedToUTC, decimals) is compared as written.
 */
async function typesOf(file: string): Promise<Record<string, string>> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
  const logical = (s: (typeof metadata.schema)[number]) => {
    if (s.logical_type?.type === 'STRING' || s.converted_type === 'UTF8') return 'STRING';
    if (s.logical_type) return JSON.stringify(s.logical_type);
    if (s.converted_type === 'INT_32' || s.converted_type === 'INT_64') return '';
    return s.converted_type ?? '';
  };
  return Object.fromEntries(
    metadata.schema.slice(1).map((s) => [s.name, `${s.type ?? 'group'} ${logical(s)}`.trim()]),
  );
}

export async function lakeSnapshot(
  lakeRoot: string,
  manifest: EtlManifest,
  dataset: string,
  runId: string,
): Promise<LakeSnapshot> {
  const { engine: _engine, startedAt: _s, finishedAt: _f, ...rest } = manifest;
  const curated: Record<string, string[]> = {};
  const filesPerPartition: Record<string, number> = {};
  const parquetTypes: Record<string, Record<string, string>> = {};
  const curatedRoot = path.join(lakeRoot, lakePrefixes.curated(dataset));
  for (const file of await parquetFiles(lakeRoot, lakePrefixes.curated(dataset))) {
    const folder = path.relative(curatedRoot, path.dirname(file));
    filesPerPartition[folder] = (filesPerPartition[folder] ?? 0) + 1;
    parquetTypes.curated = { ...parquetTypes.curated, ...(await typesOf(file)) };
    for (const row of await readRows(file)) {
      const { source_file, ...values } = row;
      const text = Object.keys(values)
        .sort()
        .map((k) => `${k}=${canonical(values[k])}`)
        .join(' ');
      const key = String(source_file);
      curated[key] = [...(curated[key] ?? []), `${text} @${folder}`];
    }
  }
  for (const rows of Object.values(curated)) rows.sort();
  const rejected: Record<string, string[]> = {};
  for (const file of await parquetFiles(lakeRoot, lakePrefixes.rejected(dataset, runId))) {
    parquetTypes.rejected = await typesOf(file);
    const rows = (await readRows(file)).sort((a, b) => Number(a.line_number) - Number(b.line_number));
    for (const r of rows) {
      const key = String(r.source_file);
      const text = [r.line_number, r.reason_column, r.reason_rule, r.reason, r.raw_value, r.raw_record]
        .map(canonical)
        .join('|');
      rejected[key] = [...(rejected[key] ?? []), text];
    }
  }
  const featuresDir = path.join(lakeRoot, lakePrefixes.features(dataset, runId));
  const featureFiles = (await readdir(featuresDir).catch(() => [] as string[])).sort();
  const features = featureFiles
    .flatMap((f) => readFileSync(path.join(featuresDir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
    .sort();
  return {
    manifest: { ...rest, outputs: [...rest.outputs].sort() },
    curated,
    rejected,
    features: [`${featureFiles.length} file(s)`, ...features],
    parquetTypes,
    filesPerPartition,
  };
}
