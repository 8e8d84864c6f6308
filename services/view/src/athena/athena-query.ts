import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { QueryError, ViewValueError } from '../errors';

/** The part of AthenaClient these functions use (a real client, or one pointed at a test server). */
export type AthenaSender = Pick<AthenaClient, 'send'>;

export interface PollOptions {
  /** first wait between GetQueryExecution calls. @default 250 ms */
  readonly initialPollMs?: number;
  /** the wait doubles after each poll up to this. @default 5000 ms */
  readonly maxPollMs?: number;
  /** a statement still running after this long is stopped and reported. @default 300000 ms (5 min) */
  readonly timeoutMs?: number;
  /** @default setTimeout; tests pass a fake clock */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface AthenaStatement {
  readonly sql: string;
  readonly workgroup: string;
  readonly database: string;
}

/** How a statement ended: SUCCEEDED, FAILED or CANCELLED with Athena's reason, or still running at the deadline. */
export type AthenaOutcome =
  | { readonly state: 'SUCCEEDED'; readonly queryExecutionId: string; readonly execution: QueryExecution }
  | { readonly state: 'FAILED' | 'CANCELLED'; readonly queryExecutionId: string; readonly reason: string }
  | { readonly state: 'TIMED_OUT'; readonly queryExecutionId: string; readonly waitedMs: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * StartQueryExecution in the workgroup (which owns the result location and the scan limit),
 * then GetQueryExecution with exponential backoff until the statement ends or the bounded
 * wait runs out; a statement still running then is stopped (StopQueryExecution).
 */
export async function runAthenaStatement(
  athena: AthenaSender,
  statement: AthenaStatement,
  options: PollOptions = {},
): Promise<AthenaOutcome> {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: statement.sql,
      WorkGroup: statement.workgroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: statement.database },
    }),
  );
  const queryExecutionId = started.QueryExecutionId;
  if (!queryExecutionId)
    throw new ViewValueError(
      'Athena StartQueryExecution QueryExecutionId',
      queryExecutionId,
      'is missing from the response',
    );
  const begin = now();
  let wait = options.initialPollMs ?? 250;
  for (;;) {
    const { QueryExecution: execution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }),
    );
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED') return { state, queryExecutionId, execution: execution! };
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason =
        execution?.Status?.StateChangeReason ??
        execution?.Status?.AthenaError?.ErrorMessage ??
        'Athena gave no reason';
      return { state, queryExecutionId, reason };
    }
    const waited = now() - begin;
    if (waited >= timeoutMs) {
      await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId }));
      return { state: 'TIMED_OUT', queryExecutionId, waitedMs: waited };
    }
    await sleep(Math.min(wait, timeoutMs - waited));
    wait = Math.min(wait * 2, options.maxPollMs ?? 5000);
  }
}

export interface AthenaRows {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** values as Athena returns them: strings, null for a NULL */
  readonly rows: readonly (readonly (string | null)[])[];
}

/** Every row of a finished SELECT, page after page (the first row of the first page is the header). */
export async function fetchAthenaRows(athena: AthenaSender, queryExecutionId: string): Promise<AthenaRows> {
  let columns: { name: string; type: string }[] = [];
  const rows: (string | null)[][] = [];
  let nextToken: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: nextToken }),
    );
    if (first) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
        name: c.Name ?? '',
        type: c.Type ?? 'varchar',
      }));
    }
    const pageRows = (page.ResultSet?.Rows ?? []).map((r) =>
      (r.Data ?? []).map((d) => d.VarCharValue ?? null),
    );
    rows.push(...(first ? pageRows.slice(1) : pageRows));
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);
  return { columns, rows };
}

/** Athena's workgroup of an environment, as shared-infra names it: `lakepipe-<env>-analytics`. */
export const ATHENA_WORKGROUP_COMPONENT = 'analytics';

export interface AdHocQueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
}

/**
 * Runs one ad-hoc query on Athena and returns plain values like the local lake does: integers
 * and doubles as numbers, booleans as booleans, timestamps as ISO-8601, NULL as null.
 */
export async function queryAthena(
  athena: AthenaSender,
  statement: AthenaStatement,
  options: PollOptions = {},
): Promise<AdHocQueryResult> {
  const outcome = await runAthenaStatement(athena, statement, options);
  if (outcome.state === 'TIMED_OUT')
    throw new QueryError(
      'athena',
      `query ${outcome.queryExecutionId} did not finish within ${Math.round(outcome.waitedMs / 1000)} s; it was stopped`,
    );
  if (outcome.state !== 'SUCCEEDED')
    throw new QueryError('athena', `query ${outcome.queryExecutionId} ${outcome.state}: ${outcome.reason}`);
  const { columns, rows } = await fetchAthenaRows(athena, outcome.queryExecutionId);
  return {
    columns,
    rows: rows.map((row) => row.map((value, i) => athenaPlainValue(value, columns[i]!.type))),
  };
}

const ATHENA_NUMBERS = new Set([
  'tinyint',
  'smallint',
  'integer',
  'int',
  'bigint',
  'double',
  'real',
  'float',
  'decimal',
]);

function athenaPlainValue(value: string | null, type: string): string | number | boolean | null {
  if (value === null) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '');
  if (ATHENA_NUMBERS.has(base)) {
    const n = Number(value);
    return Number.isFinite(n) && (base !== 'bigint' || Number.isSafeInteger(n)) ? n : value;
  }
  if (base === 'boolean') return value === 'true';
  if (base === 'timestamp') return `${value.replace(' ', 'T')}Z`;
  return value;
}
