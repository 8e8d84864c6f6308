import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lakePrefixes, runIdDate } from '@lakepipe/lake';
import { decompress } from 'fzstd';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { fixturesDir } from './pipeline';

/** A fresh lake folder for one test. */
export function tempLake(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'spark-etl-lake-'));
}

/** Copies fixture files into the run's raw prefix, as sourcing would have landed them. */
export function landRaw(lakeRoot: string, dataset: string, runId: string, files: readonly string[]): void {
  const dir = path.join(lakeRoot, lakePrefixes.raw(dataset, runIdDate(runId), runId));
  mkdirSync(dir, { recursive: true });
  for (const f of files) cpSync(path.join(fixturesDir, 'raw', f), path.join(dir, path.basename(f)));
}

/** Every Parquet row under a lake prefix, read by hyparquet (an independent reader), with its key. */
export async function readParquetRows(lakeRoot: string, prefix: string): Promise<Record<string, unknown>[]> {
  const root = path.join(lakeRoot, prefix);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const rows: Record<string, unknown>[] = [];
  for (const e of entries
    .filter((x) => x.isFile() && x.name.endsWith('.parquet'))
    .sort((a, b) => (a.parentPath + a.name).localeCompare(b.parentPath + b.name))) {
    const file = path.join(e.parentPath, e.name);
    const objects = await parquetReadObjects({
      file: await asyncBufferFromFile(file),
      compressors: {
        ZSTD: (input: Uint8Array, outputLength: number) => decompress(input, new Uint8Array(outputLength)),
      },
    });
    for (const o of objects) rows.push({ ...o, _key: path.relative(lakeRoot, file) });
  }
  return rows;
}

export async function listKeys(lakeRoot: string, prefix: string): Promise<string[]> {
  const entries = await readdir(path.join(lakeRoot, prefix), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(lakeRoot, path.join(e.parentPath, e.name)))
    .sort();
}

export function readText(lakeRoot: string, key: string): string {
  return readFileSync(path.join(lakeRoot, key), 'utf8');
}
