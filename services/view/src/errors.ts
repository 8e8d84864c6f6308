/** The base of every error the view service throws. */
export class ViewError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ViewError';
  }
}

/** Where a token sits in a view's SQL: 1-based line and column, 0-based offset. */
export interface SqlPosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/**
 * SQL outside the dialect common to Athena (Trino) and DuckDB, or SQL that cannot parse:
 * names the view, the offending token and where it is.
 */
export class ViewSqlError extends ViewError {
  constructor(
    readonly view: string,
    readonly token: string,
    readonly position: SqlPosition,
    readonly reason: string,
  ) {
    super(
      `view ${view}: ${JSON.stringify(token)} at line ${position.line}, column ${position.column}: ${reason}`,
    );
    this.name = 'ViewSqlError';
  }
}

/** A view that reads a table or view that does not exist. */
export class UnknownRelationError extends ViewError {
  constructor(
    readonly view: string,
    readonly relation: string,
    readonly position: SqlPosition,
    readonly known: readonly string[],
  ) {
    super(
      `view ${view} references table ${JSON.stringify(relation)} (line ${position.line}, column ${position.column}), which does not exist; tables and views: ${known.join(', ')}`,
    );
    this.name = 'UnknownRelationError';
  }
}

/** The views of a pipeline do not form a valid set: cycles, name clashes, a view stage naming nothing. */
export class ViewConfigError extends ViewError {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `view configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ViewConfigError';
  }
}

/** The local engine (DuckDB) refused a view: its own message, prefixed with the view name. */
export class ViewExecutionError extends ViewError {
  constructor(
    readonly view: string,
    readonly engineMessage: string,
  ) {
    super(`view ${view}: DuckDB: ${engineMessage}`);
    this.name = 'ViewExecutionError';
  }
}

/** A view name reads "view <name>"; a longer subject (a partition) is used as written. */
function subjectOf(view: string): string {
  return view.includes(' ') ? view : `view ${view}`;
}

/** Athena ended a view's statement FAILED or CANCELLED: Athena's StateChangeReason, naming the view. */
export class ViewPublishError extends ViewError {
  constructor(
    readonly view: string,
    readonly queryExecutionId: string | undefined,
    readonly state: string,
    readonly reason: string,
  ) {
    super(`${subjectOf(view)}: Athena query ${queryExecutionId ?? '(not started)'} ${state}: ${reason}`);
    this.name = 'ViewPublishError';
  }
}

/** An Athena statement still running when the bounded wait ran out (it is then stopped). */
export class ViewPublishTimeoutError extends ViewError {
  constructor(
    readonly view: string,
    readonly queryExecutionId: string,
    readonly waitedMs: number,
  ) {
    super(
      `${subjectOf(view)}: Athena query ${queryExecutionId} did not finish within ${Math.round(waitedMs / 1000)} s; it was stopped`,
    );
    this.name = 'ViewPublishTimeoutError';
  }
}

/** An ad-hoc query that failed (locally or on Athena): the engine's message. */
export class QueryError extends ViewError {
  constructor(
    readonly engine: 'duckdb' | 'athena',
    readonly engineMessage: string,
  ) {
    super(`${engine === 'duckdb' ? 'DuckDB' : 'Athena'}: ${engineMessage}`);
    this.name = 'QueryError';
  }
}

/** A view Lambda event (or local step input) that is not what the compiled state machine sends. */
export class InvalidViewEventError extends ViewError {
  constructor(readonly problems: readonly string[]) {
    super(`view event is invalid: ${problems.join('; ')}`);
    this.name = 'InvalidViewEventError';
  }
}

/** A column type with no equivalent in an engine (DuckDB or Athena), or a bad value for a statement. */
export class ViewValueError extends ViewError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`${field} ${JSON.stringify(value)} ${problem}`);
    this.name = 'ViewValueError';
  }
}
