import { FolderObjectStore, type ManifestOutput, type ObjectStore } from '@lakepipe/lake';
import { UnsupportedFileError } from '../../errors';

/** Extensions the ETL reads; anything else in the run's raw prefix fails the run (nothing is silently skipped). */
export const READABLE_FILE = /\.(csv|txt|jsonl|ndjson|json)(\.gz)?$/;

/** Lake keys of the run's raw files, in key order; throws UnsupportedFileError for a file the ETL cannot read. */
export async function listRawFiles(lake: ObjectStore, rawPrefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of lake.listAll(rawPrefix)) keys.push(key);
  for (const key of keys) if (!READABLE_FILE.test(key)) throw new UnsupportedFileError(key);
  return keys;
}

/**
 * Writes every file of a work folder under `prefix` of the lake (same relative paths) with the
 * store's put, which never exposes a half-written object and measures bytes and sha256 on the way.
 */
export async function publishFolder(
  lake: ObjectStore,
  folder: string,
  prefix: string,
): Promise<ManifestOutput[]> {
  const work = new FolderObjectStore(folder);
  const written: ManifestOutput[] = [];
  for await (const { key } of work.listAll('')) {
    const { bytes, sha256 } = await lake.put(`${prefix}${key}`, await work.get(key));
    written.push({ key: `${prefix}${key}`, bytes, sha256 });
  }
  return written;
}

/** Deletes `<runId>-*` files in every partition of a dataset's curated prefix: a re-run replaces, never duplicates. */
export async function deleteRunFiles(lake: ObjectStore, curatedPrefix: string, runId: string): Promise<void> {
  const runFiles: string[] = [];
  for await (const { key } of lake.listAll(curatedPrefix))
    if (key.slice(key.lastIndexOf('/') + 1).startsWith(`${runId}-`)) runFiles.push(key);
  for (const key of runFiles) await lake.delete(key);
}
