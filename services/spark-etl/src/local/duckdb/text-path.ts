import type { DuckDBConnection } from '@duckdb/node-api';
import type { TransformModel } from '../../spec/model';
import type { Inputs } from './inputs';
import { dataColumnsOf } from './rows-table';
import { ident } from './sql';

/** The text path: parse, type and check every line of these files into etl_rows (the one pass that reads them). */
export async function readTextFiles(
  db: DuckDBConnection,
  model: TransformModel,
  inputs: Inputs,
  indices: readonly number[],
): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMPORARY VIEW etl_lines AS ${inputs.linesOf(indices)}`);
  await db.run(
    `INSERT INTO etl_rows SELECT CAST(split_part(_source_file, '.', 1) AS INTEGER), _line_number, ${dataColumnsOf(model).map(ident).join(', ')}, _reject, CASE WHEN _reject IS NOT NULL THEN _line END FROM etl_checked`,
  );
}
