import type { DuckDBConnection } from '@duckdb/node-api';
import type { TransformModel } from '../../spec/model';
import { type Inputs, statementBatches } from './inputs';
import { dataColumnsOf } from './rows-table';
import { ident } from './sql';

/** The text path: parse, type and check every line of these files into etl_rows (the one pass that reads them). */
export async function readTextFiles(
  db: DuckDBConnection,
  model: TransformModel,
  inputs: Inputs,
  indices: readonly number[],
): Promise<void> {
  // a few files a statement: memory holds their read buffers, not every file's (a line's number is per file)
  for (const batch of statementBatches(indices)) {
    await db.run(`CREATE OR REPLACE TEMPORARY VIEW etl_lines AS ${inputs.linesOf(batch)}`);
    await db.run(
      `INSERT INTO etl_rows SELECT CAST(split_part(_source_file, '.', 1) AS INTEGER), _line_number, ${dataColumnsOf(model).map(ident).join(', ')}, _reject, CASE WHEN _reject IS NOT NULL THEN _line END FROM etl_checked`,
    );
  }
}
