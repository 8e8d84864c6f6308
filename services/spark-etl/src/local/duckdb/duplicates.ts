import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from './sql';

/**
 * Marks the duplicates of each unique column in etl_rows with its code. A hash aggregate on the
 * value's hash among rows that passed every other rule finds candidates (no sort of every row, as
 * a window would do); only the few candidate rows are ranked by (file, line) to keep the first.
 */
export async function markDuplicates(
  db: DuckDBConnection,
  uniqueChecks: readonly { readonly column: string; readonly code: number }[],
): Promise<void> {
  if (uniqueChecks.length === 0) return;
  const losers = uniqueChecks.map(
    ({ column, code }) => `SELECT _rowid, ${code} AS _code FROM (
  SELECT _rowid, row_number() OVER (PARTITION BY ${ident(column)} ORDER BY _file_index, _line_number) AS _seen
  FROM etl_numbered
  WHERE _reject IS NULL AND hash(${ident(column)}) IN (
    SELECT hash(${ident(column)}) FROM etl_rows WHERE _reject IS NULL GROUP BY 1 HAVING count(*) > 1
  )
) WHERE _seen > 1`,
  );
  // several unique columns: the first in rule order names the reason, as coalesce does in Spark
  await db.run(
    `CREATE TEMPORARY TABLE etl_unique_losers AS SELECT _rowid, min(_code) AS _code FROM (${losers.join('\nUNION ALL\n')}) GROUP BY ALL`,
  );
  await db.run(
    'UPDATE etl_rows SET _reject = l._code FROM etl_unique_losers l WHERE etl_rows.rowid = l._rowid',
  );
}
