/** The ledger's items (one DynamoDB table, single-table design). */
/** ABORTED: the run's process (local) or execution (cloud) ended without finishing it; `lakepipe redrive` resumes it. */
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
export type StageStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'ABORTED';

/** The error a failed run or stage attempt recorded (Step Functions' `Error` and `Cause`). */
export interface RecordedError {
  readonly name: string;
  readonly cause: string;
}

export interface RunItem {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** 'manual' | 'schedule' | 'objectCreated' | 'local' ... */
  readonly trigger?: string;
  readonly error?: RecordedError & { readonly stageId?: string };
  /** Sums of every succeeded attempt's counts, added in the transaction that closes it (e.g. curatedRows). */
  readonly counters: Readonly<Record<string, number>>;
}

export interface StageAttemptItem {
  readonly runId: string;
  readonly stageId: string;
  /** 1-based */
  readonly attempt: number;
  readonly status: StageStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly inputPrefixes: readonly string[];
  readonly outputPrefixes: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  /** what a SUCCEEDED attempt handed on: its manifest (or last step's result) as JSON text */
  readonly output?: string;
  readonly error?: RecordedError;
}

export interface ObjectMovementItem {
  readonly runId: string;
  readonly stageId: string;
  /** source key or URL; absent for objects a stage created */
  readonly from?: string;
  /** lake key */
  readonly to: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly at: string;
}

export interface SourceClaimItem {
  readonly dataset: string;
  /** content hash of the source file: the same bytes are ingested once per dataset */
  readonly sha256: string;
  readonly source: string;
  readonly runId: string;
  readonly rawKey: string;
  readonly claimedAt: string;
}

export interface RunWithStages extends RunItem {
  readonly stages: readonly StageAttemptItem[];
}

export interface Page<T> {
  readonly items: readonly T[];
  /** opaque cursor for the next page; absent on the last page */
  readonly nextCursor?: string;
}

export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly existing: SourceClaimItem };

/**
 * What a service writes to the ledger, and all its IAM allows: the objects it moved and the
 * source files it claims. Run and stage items are the state machine's (run-items.ts, sent by
 * packages/workflow ledger-tasks.ts); reading is LedgerQueries.
 */
export interface LedgerWriter {
  /** Batched writes (25 per request, unprocessed items retried). */
  recordMovements(movements: readonly Omit<ObjectMovementItem, 'at'>[]): Promise<void>;
  /** Conditional put: of two concurrent claims of the same (dataset, sha256), exactly one wins. */
  claimSource(claim: Omit<SourceClaimItem, 'claimedAt'>): Promise<ClaimResult>;
}

/** What the HTTP API and the CLI read: the query side of the ledger. */
export interface LedgerQueries {
  listRuns(input?: { limit?: number; cursor?: string }): Promise<Page<RunItem>>;
  getRun(runId: string): Promise<RunWithStages | undefined>;
  objectHistory(key: string): Promise<readonly ObjectMovementItem[]>;
  /** Every file a run moved (optionally one stage's), by stage then time, page by page (limit 1-1000). */
  runMovements(input: {
    runId: string;
    stageId?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ObjectMovementItem>>;
}
