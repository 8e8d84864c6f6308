/** The base of every error of the ledger package (writes, queries, the HTTP API). */
export class LedgerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

/** A run id the ledger has no run for. */
export class RunNotFoundError extends LedgerError {
  constructor(
    readonly runId: string,
    readonly tableName: string,
  ) {
    super(`run ${runId} is not in the ledger (table ${tableName}): list runs with \`npx lakepipe status\``);
    this.name = 'RunNotFoundError';
  }
}

/** Start run for a run id that was already started (`attribute_not_exists(PK)` refused it). */
export class RunAlreadyExistsError extends LedgerError {
  constructor(
    readonly runId: string,
    readonly tableName: string,
  ) {
    super(
      `run ${runId} already exists in the ledger (table ${tableName}): mint a new run id with newRunId()`,
    );
    this.name = 'RunAlreadyExistsError';
  }
}

/** A run finished again: finishing is conditioned on RUNNING, so a finished run keeps its outcome. */
export class RunAlreadyFinishedError extends LedgerError {
  constructor(
    readonly runId: string,
    readonly status: string,
  ) {
    super(`run ${runId} already finished as ${status}: a finished run is not finished again`);
    this.name = 'RunAlreadyFinishedError';
  }
}

/** Attempt succeeded for an attempt that was never started (as LedgerSeeder reports the refused condition). */
export class StageAttemptNotFoundError extends LedgerError {
  constructor(
    readonly runId: string,
    readonly stageId: string,
    readonly attempt: number,
  ) {
    super(`stage ${stageId} of run ${runId} has no attempt ${attempt}: start it with startStage first`);
    this.name = 'StageAttemptNotFoundError';
  }
}

/** Attempt succeeded for an attempt that is already finished (its counts were already added once). */
export class StageAttemptAlreadyFinishedError extends LedgerError {
  constructor(
    readonly runId: string,
    readonly stageId: string,
    readonly attempt: number,
    readonly status: string,
  ) {
    super(
      `attempt ${attempt} of stage ${stageId} (run ${runId}) already finished as ${status}: its counts are not added twice`,
    );
    this.name = 'StageAttemptAlreadyFinishedError';
  }
}

/** A listRuns cursor that this ledger did not hand out (or that was altered). */
export class InvalidCursorError extends LedgerError {
  constructor(readonly cursor: string) {
    super(
      `cursor ${JSON.stringify(cursor)} is not valid: pass back the nextCursor of the previous page unchanged`,
    );
    this.name = 'InvalidCursorError';
  }
}

/** An argument the ledger cannot store: a negative byte count, a non-numeric count, a limit out of range... */
export class InvalidLedgerInputError extends LedgerError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(
      `${field} must be ${expected} (got ${typeof value === 'number' ? String(value) : JSON.stringify(value)})`,
    );
    this.name = 'InvalidLedgerInputError';
  }
}

/** DynamoDB kept throttling or failing after the SDK's retries (with backoff) ran out. */
export class LedgerUnavailableError extends LedgerError {
  constructor(
    readonly tableName: string,
    readonly operation: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      `ledger table ${tableName} is unavailable: ${operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} with backoff (${detail}); try again later or raise the table's capacity`,
      { cause },
    );
    this.name = 'LedgerUnavailableError';
  }
}

/** serveLedgerApi could not listen: the port is taken (another `lakepipe serve`?) or not allowed. */
export class LedgerApiListenError extends LedgerError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    const code = (cause as { code?: string })?.code;
    const hint =
      code === 'EADDRINUSE'
        ? 'the port is in use (another `lakepipe serve`?): pick another with --port, or 0 for any free port'
        : `${(cause as Error)?.message ?? String(cause)}`;
    super(`cannot serve the ledger API on ${host}:${port}: ${hint}`, { cause });
    this.name = 'LedgerApiListenError';
  }
}

/** A setting the ledger's Lambda function needs is missing from its environment. */
export class LedgerConfigurationError extends LedgerError {
  constructor(
    readonly variable: string,
    readonly where: string,
  ) {
    super(`${variable} is not set on ${where} (got ${JSON.stringify(process.env[variable] ?? null)})`);
    this.name = 'LedgerConfigurationError';
  }
}
