import type { SkipReason } from '../inspect';

export type FileStatus = 'ingested' | 'duplicate' | 'skipped' | 'quarantined';

/** What every outcome of a file says about it: which dataset, its name in raw/, where it came from. */
export interface FileOrigin {
  readonly dataset: string;
  /** the file's name in raw/ */
  readonly name: string;
  /** where it came from: a lake key, `s3://bucket/key`, a URL or `file://` path */
  readonly source: string;
}

export interface FileOutcome extends FileOrigin {
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

/** The bytes of one file as read once: its size and hex sha256. */
export interface Measured {
  readonly bytes: number;
  readonly sha256: string;
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

/** The stage's counts from the outcome of every file. */
export function summarize(details: readonly FileOutcome[]): IngestResult {
  const ingested = details.filter((d) => d.status === 'ingested');
  return {
    files: ingested.length,
    bytes: ingested.reduce((sum, d) => sum + (d.bytes ?? 0), 0),
    duplicates: details.filter((d) => d.status === 'duplicate').length,
    skipped: details.filter((d) => d.status === 'skipped').length,
    quarantined: details.filter((d) => d.status === 'quarantined').length,
    details,
  };
}
