import { lakePrefixes, type ObjectStore, runIdDate } from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { SourceSpec } from '@lakepipe/workflow';
import { listAllCandidates } from './candidates';
import type { Fetch, HttpOptions } from './http';
import type { LandedThisRun } from './ingest/claim';
import { ingestOne } from './ingest/ingest-one';
import { writeSourcingManifest } from './ingest/manifest';
import { recordNotLanded } from './ingest/movements';
import { type FileOutcome, type IngestResult, summarize } from './ingest/outcome';
import { uniqueName } from './ingest/unique-name';

export { DEFAULT_MAX_BYTES, safeFileName } from './candidates';
export { EMPTY_SHA256 } from './ingest/movements';
export type { FileOrigin, FileOutcome, FileStatus, IngestResult } from './ingest/outcome';

export interface IngestSourcesInput {
  readonly runId: string;
  readonly stageId: string;
  /** Each dataset to land and where its files come from (pipeline.yaml `datasets.<name>.source`). */
  readonly sources: Readonly<Record<string, SourceSpec>>;
  /** The lake: raw/ is written here, and `s3` sources without a bucket are read from it. */
  readonly store: ObjectStore;
  readonly ledger: LedgerWriter;
  /**
   * The store of another bucket, for `s3` sources with `bucket:` (cross-account: see README).
   * @default such sources are a configuration error
   */
  readonly bucketStore?: (bucket: string) => ObjectStore;
  /**
   * Largest file accepted from `s3` and `directory` sources (`http` sources use their `maxBytes`).
   * @default 5 GiB
   */
  readonly maxBytes?: number;
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
  /** @default 30 s per attempt, 3 retries, backoff from 500 ms */
  readonly http?: HttpOptions;
  /**
   * Whether `directory` sources are allowed (a folder on this machine: the local twin only).
   * @default true
   */
  readonly allowDirectories?: boolean;
  /**
   * Writes the stage manifest (counts, the landed files, why others were not landed, under `details`)
   * to `_manifests/run=<runId>/<stageId>.json`.
   * @default true
   */
  readonly writeManifest?: boolean;
  /** Called after each file, for progress displays. @default nothing */
  readonly onFile?: (outcome: FileOutcome) => void;
}

/**
 * Lands every new source file of every dataset in `raw/<dataset>/dt=<date>/run=<runId>/<name>`,
 * byte for byte, exactly once per content (sha256) and dataset:
 *
 * 1. read the file once, hashing it and checking size, UTF-8 (text files) and gzip magic
 *    (`http` downloads go to a staging key under `raw/<dataset>/_incoming/`, invisible to readers
 *    of the run's prefix);
 * 2. claim (dataset, sha256) in the ledger; a claim held by a landed file means duplicate;
 * 3. copy into raw/ (server-side for lake keys; stores never expose half-written objects) and
 *    record the movement.
 *
 * A claim whose raw object does not exist (the copy failed after the claim) is taken over by
 * the next attempt, so a retry lands the file. One bad file never fails the stage; a source that
 * cannot be listed at all throws SourcingConfigurationError before anything is copied.
 */
export async function ingestSources(input: IngestSourcesInput): Promise<IngestResult> {
  const startedAt = new Date();
  const { runId, stageId, store, ledger } = input;
  const date = runIdDate(runId);
  const candidates = await listAllCandidates(input);
  const details: FileOutcome[] = [];
  const landedThisRun: LandedThisRun = new Map();
  const usedNames = new Set<string>();

  for (const candidate of candidates) {
    const name = uniqueName(candidate, usedNames);
    const rawKey = lakePrefixes.rawObject(candidate.dataset, date, runId, name);
    const outcome = await ingestOne({ input, candidate, name, rawKey, landedThisRun });
    details.push(outcome);
    input.onFile?.(outcome);
  }

  const result = summarize(details);
  await recordNotLanded(ledger, runId, stageId, details);
  if (input.writeManifest ?? true) await writeSourcingManifest(store, { runId, stageId, result, startedAt });
  return result;
}
