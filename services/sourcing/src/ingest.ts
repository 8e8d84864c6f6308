import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  lakePrefixes,
  type ObjectInfo,
  type ObjectStore,
  runIdDate,
  writeStageManifest,
} from '@lakepipe/lake';
import type { LedgerWriter, ObjectMovementItem } from '@lakepipe/ledger';
import type { SourceSpec } from '@lakepipe/workflow';
import { type Candidate, DEFAULT_MAX_BYTES, listAllCandidates } from './candidates';
import type { Fetch, HttpOptions } from './http';
import { FileInspector, QUARANTINE_REASONS, SkipFileError, type SkipReason } from './inspect';

export { DEFAULT_MAX_BYTES, safeFileName } from './candidates';

/** The sha256 of zero bytes: what a movement of a file that could not be read carries. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

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

export type FileStatus = 'ingested' | 'duplicate' | 'skipped' | 'quarantined';

export interface FileOutcome {
  readonly dataset: string;
  /** the file's name in raw/ */
  readonly name: string;
  /** where it came from: a lake key, `s3://bucket/key`, a URL or `file://` path */
  readonly source: string;
  readonly status: FileStatus;
  /** the raw/ key it is at (for a duplicate: where the first copy is) */
  readonly rawKey?: string;
  readonly bytes?: number;
  readonly sha256?: string;
  /** skipped and quarantined files only */
  readonly reason?: SkipReason;
  /** quarantined files only: where the file is now (its reason is beside it, `<key>.reason.json`) */
  readonly quarantineKey?: string;
  /** a sentence for people: why it was skipped, or which run already has it */
  readonly message?: string;
  /** duplicates only: the run that landed these bytes first */
  readonly firstRunId?: string;
  /** true when an earlier attempt of this same run already landed it (a retried stage) */
  readonly alreadyLanded?: boolean;
}

export interface IngestResult {
  /** files landed in raw/ by this run */
  readonly files: number;
  /** their total size */
  readonly bytes: number;
  /** files whose bytes the ledger already holds (an earlier run, or twice in this run) */
  readonly duplicates: number;
  /** files that could not be landed this time (unreachable, too large...; see details) */
  readonly skipped: number;
  /** files the pipeline can never read, moved to quarantine/ with their reason (see details) */
  readonly quarantined: number;
  readonly details: readonly FileOutcome[];
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
  const landedThisRun = new Map<string, string>(); // `${dataset}#${sha}` -> raw key
  const usedNames = new Set<string>();

  for (const candidate of candidates) {
    const name = uniqueName(candidate, usedNames);
    const rawKey = lakePrefixes.rawObject(candidate.dataset, date, runId, name);
    const outcome = await ingestOne({ input, candidate, name, rawKey, landedThisRun });
    details.push(outcome);
    input.onFile?.(outcome);
  }

  const ingested = details.filter((d) => d.status === 'ingested');
  const result: IngestResult = {
    files: ingested.length,
    bytes: ingested.reduce((sum, d) => sum + (d.bytes ?? 0), 0),
    duplicates: details.filter((d) => d.status === 'duplicate').length,
    skipped: details.filter((d) => d.status === 'skipped').length,
    quarantined: details.filter((d) => d.status === 'quarantined').length,
    details,
  };
  await recordNotLanded(ledger, runId, stageId, details);
  if (input.writeManifest ?? true)
    await writeStageManifest(store, {
      runId,
      stageId,
      stageType: 'sourcing',
      engine: store.kind === 's3' ? 'lambda' : 'local',
      counts: {
        files: result.files,
        bytes: result.bytes,
        duplicates: result.duplicates,
        skipped: result.skipped,
        quarantined: result.quarantined,
      },
      // raw/ files are copied byte for byte: their bytes and sha256 were measured while landing them
      outputs: ingested.map((d) => ({ key: d.rawKey!, bytes: d.bytes ?? 0, sha256: d.sha256 ?? '' })),
      startedAt,
      // the landed files are the outputs; the rest say why they were not landed
      details: { notLanded: details.filter((d) => d.status !== 'ingested') },
    });
  return result;
}

async function ingestOne(args: {
  input: IngestSourcesInput;
  candidate: Candidate;
  name: string;
  rawKey: string;
  landedThisRun: Map<string, string>;
}): Promise<FileOutcome> {
  const { input, candidate, name, rawKey, landedThisRun } = args;
  const { store, ledger, runId, stageId } = input;
  const base = { dataset: candidate.dataset, name, source: candidate.source };
  const stagingKey = candidate.download
    ? `${lakePrefixes.raw(candidate.dataset)}_incoming/${runId}/${stageId}/${name}`
    : undefined;
  try {
    // 1. read once: hash, size, format checks
    const { bytes, sha256 } = candidate.download
      ? await candidate.download(stagingKey!)
      : await inspect(candidate, maxBytesOf(input));
    if (bytes === 0) throw new SkipFileError('empty', `${candidate.source} is empty (0 bytes)`);

    // 2. claim
    const claimKey = `${candidate.dataset}#${sha256}`;
    const sameRun = landedThisRun.get(claimKey);
    if (sameRun !== undefined)
      return {
        ...base,
        status: 'duplicate',
        rawKey: sameRun,
        bytes,
        sha256,
        firstRunId: runId,
        message: `same bytes as ${sameRun}, landed earlier in this run`,
      };
    const claim = await ledger.claimSource({
      dataset: candidate.dataset,
      sha256,
      source: candidate.source,
      runId,
      rawKey,
    });
    let target = rawKey;
    if (!claim.claimed) {
      const existing = claim.existing;
      const landed = (await store.head(existing.rawKey)) !== undefined;
      if (landed && existing.runId === runId && existing.rawKey === rawKey) {
        landedThisRun.set(claimKey, rawKey);
        return {
          ...base,
          status: 'ingested',
          rawKey,
          bytes,
          sha256,
          alreadyLanded: true,
          message: 'landed by an earlier attempt of this run',
        };
      }
      if (landed)
        return {
          ...base,
          status: 'duplicate',
          rawKey: existing.rawKey,
          bytes,
          sha256,
          firstRunId: existing.runId,
          message: `already ingested by run ${existing.runId} as ${existing.rawKey}`,
        };
      // The claim's copy never happened (an attempt died between claim and copy): take it over.
      // Same run: land at the claimed key. Another run: land in this run (the claim keeps its first key).
      if (existing.runId === runId) target = existing.rawKey;
    }

    // 3. copy into raw/ and record the movement
    try {
      if (stagingKey !== undefined) await store.copy(stagingKey, target);
      else if (candidate.lakeKey !== undefined) {
        await store.copy(candidate.lakeKey, target);
        // The hash was taken from the listed version: if a writer replaced it since, the copy may hold other bytes.
        const now = await store.head(candidate.lakeKey);
        if (candidate.listed !== undefined && !sameVersion(candidate.listed, now)) {
          await store.delete(target);
          throw new SkipFileError(
            'changed_while_reading',
            `${candidate.source} was replaced while it was being landed; the next run will pick it up`,
          );
        }
      } else {
        const put = await store.put(target, await candidate.read!());
        if (put.sha256 !== sha256) {
          await store.delete(target);
          throw new SkipFileError(
            'changed_while_reading',
            `${candidate.source} changed while it was being landed (sha256 ${sha256} then ${put.sha256}); the next run will pick it up`,
          );
        }
      }
    } catch (error) {
      if (error instanceof SkipFileError) throw error;
      throw new SkipFileError(
        'copy_failed',
        `copying ${candidate.source} to ${target} failed: ${(error as Error).message}; its claim is released to the next attempt`,
      );
    }
    const movement: Omit<ObjectMovementItem, 'at'> = {
      runId,
      stageId,
      from: candidate.source,
      to: target,
      bytes,
      sha256,
    };
    await ledger.recordMovements([movement]);
    landedThisRun.set(claimKey, target);
    return {
      ...base,
      status: 'ingested',
      rawKey: target,
      bytes,
      sha256,
      ...(claim.claimed
        ? {}
        : { message: `took over the claim of run ${claim.existing.runId}, whose copy never landed` }),
    };
  } catch (error) {
    if (!(error instanceof SkipFileError)) throw error;
    if (QUARANTINE_REASONS.has(error.reason) && candidate.read !== undefined)
      return quarantine({ input, candidate, base, reason: error.reason, message: error.message });
    return { ...base, status: 'skipped', reason: error.reason, message: error.message };
  } finally {
    if (stagingKey !== undefined) await store.delete(stagingKey).catch(() => undefined);
  }
}

/**
 * A file the pipeline can never read goes to `quarantine/<dataset>/run=<runId>/<name>`, byte for byte,
 * with `<name>.reason.json` beside it, a ledger movement, and a claim on its bytes: never into raw/
 * (where it would fail the ETL and the raw tables), and never looked at again by a later run.
 */
async function quarantine(args: {
  input: IngestSourcesInput;
  candidate: Candidate;
  base: { dataset: string; name: string; source: string };
  reason: SkipReason;
  message: string;
}): Promise<FileOutcome> {
  const { input, candidate, base, reason, message } = args;
  const { store, ledger, runId, stageId } = input;
  const key = lakePrefixes.quarantineObject(candidate.dataset, runId, base.name);
  const put = await store.put(key, await candidate.read!());
  const claim = await ledger.claimSource({
    dataset: candidate.dataset,
    sha256: put.sha256,
    source: candidate.source,
    runId,
    rawKey: key,
  });
  if (
    !claim.claimed &&
    claim.existing.rawKey !== key &&
    (await store.head(claim.existing.rawKey)) !== undefined
  ) {
    await store.delete(key);
    return {
      ...base,
      status: 'duplicate',
      rawKey: claim.existing.rawKey,
      bytes: put.bytes,
      sha256: put.sha256,
      firstRunId: claim.existing.runId,
      message: `already handled by run ${claim.existing.runId} as ${claim.existing.rawKey}`,
    };
  }
  await store.put(
    `${key}.reason.json`,
    `${JSON.stringify({ source: candidate.source, runId, stageId, reason, message, bytes: put.bytes, sha256: put.sha256 }, null, 2)}\n`,
    { contentType: 'application/json' },
  );
  await ledger.recordMovements([
    { runId, stageId, from: candidate.source, to: key, bytes: put.bytes, sha256: put.sha256 },
  ]);
  return {
    ...base,
    status: 'quarantined',
    quarantineKey: key,
    bytes: put.bytes,
    sha256: put.sha256,
    reason,
    message: `${message}; moved to ${key}`,
  };
}

/**
 * Duplicates and skipped files get a ledger entry too: a movement from the source to this
 * stage's manifest (where the reason is), so `objectHistory(<source key>)` shows every run that
 * looked at a file and what it decided.
 */
async function recordNotLanded(
  ledger: LedgerWriter,
  runId: string,
  stageId: string,
  details: readonly FileOutcome[],
): Promise<void> {
  const manifestKey = lakePrefixes.manifest(runId, stageId);
  const movements = details
    // quarantined files have their own movement, to quarantine/
    .filter((d) => d.status === 'duplicate' || d.status === 'skipped')
    .map((d) => ({
      runId,
      stageId,
      from: d.source,
      to: manifestKey,
      bytes: d.bytes ?? 0,
      sha256: d.sha256 ?? EMPTY_SHA256,
    }));
  if (movements.length > 0) await ledger.recordMovements(movements);
}

async function inspect(candidate: Candidate, maxBytes: number): Promise<{ bytes: number; sha256: string }> {
  const inspector = new FileInspector(candidate.source, maxBytes, true);
  try {
    await pipeline(await candidate.read!(), inspector, devNull());
  } catch (error) {
    if (inspector.failure) throw inspector.failure;
    throw error;
  }
  return { bytes: inspector.bytes, sha256: inspector.digest() };
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

function sameVersion(listed: ObjectInfo, now: ObjectInfo | undefined): boolean {
  return (
    now !== undefined &&
    now.bytes === listed.bytes &&
    now.lastModified.getTime() === listed.lastModified.getTime() &&
    now.etag === listed.etag
  );
}

function maxBytesOf(input: IngestSourcesInput): number {
  return input.maxBytes ?? DEFAULT_MAX_BYTES;
}

/** Two sources with the same file name in one dataset and run get `-2`, `-3`... before the extension. */
function uniqueName(candidate: Candidate, used: Set<string>): string {
  let name = candidate.name;
  for (let n = 2; used.has(`${candidate.dataset}/${name}`); n++) {
    const dot = candidate.name.indexOf('.');
    name =
      dot > 0 ? `${candidate.name.slice(0, dot)}-${n}${candidate.name.slice(dot)}` : `${candidate.name}-${n}`;
  }
  used.add(`${candidate.dataset}/${name}`);
  return name;
}
