import type { DuckDBConnection } from '@duckdb/node-api';
import type { TransformModel } from '../../spec/model';
import { ident } from './sql';

/**
 * etl_rows, empty: per data line the file index, line number, typed and derived columns, the reject
 * code and, for rejected lines only, the line itself (so reasons never need a second read of a file).
 */
export async function createRowsTable(db: DuckDBConnection, model: TransformModel): Promise<void> {
  await db.run(
    `CREATE TEMPORARY TABLE etl_rows AS SELECT CAST(split_part(_source_file, '.', 1) AS INTEGER) AS _file_index, _line_number, ${dataColumnsOf(model).map(ident).join(', ')}, _reject, _line FROM etl_checked WHERE false`,
  );
}

export function dataColumnsOf(model: TransformModel): string[] {
  return [...model.columns.map((c) => c.name), ...model.derived.map((x) => x.name)];
}

/**
 * etl_numbered: etl_rows with every line number (the fast path's rows have theirs from their rowid)
 * and `_rowid`; for the few rows that need one (unique candidates, rejected rows).
 */
export async function numberRows(
  db: DuckDBConnection,
  firstRowids: ReadonlyMap<number, number>,
  headerLines: number,
) {
  const offsets = [...firstRowids].map(([i, first]) => `WHEN ${i} THEN ${headerLines + 1 - first}`);
  await db.run(
    `CREATE OR REPLACE TEMPORARY VIEW etl_numbered AS SELECT * REPLACE (${offsets.length ? `coalesce(_line_number, rowid + CASE _file_index ${offsets.join(' ')} END)` : '_line_number'} AS _line_number), rowid AS _rowid FROM etl_rows`,
  );
}
