import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { fileKeyOf, type Inputs, statementBatches } from './inputs';
import { literal } from './sql';

/**
 * etl_lines narrowed to the rejected lines, for the views that give their reasons: the lines kept
 * in etl_rows, and for the few rejected after the first pass (unique duplicates) a read of only
 * the files that have them.
 */
export async function collectRejectedLines(
  db: DuckDBConnection,
  inputs: Inputs,
  runId: string,
): Promise<void> {
  await db.run(
    `INSERT INTO etl_reject_keys SELECT ${inputs.aliasOf('_file_index')} AS _source_file, _line_number, _reject AS _code FROM etl_numbered WHERE _reject IS NOT NULL`,
  );
  await db.run(
    `CREATE TEMPORARY TABLE etl_reject_lines AS SELECT ${literal(runId)} AS _run_id, ${inputs.aliasOf('_file_index')} AS _source_file, _line_number, _line FROM etl_numbered WHERE _reject IS NOT NULL AND _line IS NOT NULL`,
  );
  const missing = (
    await db.runAndReadAll(
      'SELECT DISTINCT _file_index FROM etl_numbered WHERE _reject IS NOT NULL AND _line IS NULL ORDER BY 1',
    )
  )
    .getRowObjectsJson()
    .map((r) => Number(r._file_index));
  for (const batch of statementBatches(missing))
    await db.run(
      `INSERT INTO etl_reject_lines SELECT l.* FROM (${inputs.linesOf(batch)}) l SEMI JOIN (SELECT ${inputs.aliasOf('_file_index')} AS _source_file, _line_number FROM etl_numbered WHERE _reject IS NOT NULL AND _line IS NULL AND _file_index IN (${batch.join(', ')})) k ON l._source_file = k._source_file AND l._line_number = k._line_number`,
    );
  await db.run('CREATE OR REPLACE TEMPORARY VIEW etl_lines AS SELECT * FROM etl_reject_lines');
}

/** Writes etl_rejected_rows, by file and line, to `<folder>/part-0.parquet`. */
export async function writeRejected(
  db: DuckDBConnection,
  inputs: Inputs,
  files: readonly string[],
  folder: string,
): Promise<void> {
  const part = path.join(folder, 'part-0.parquet');
  await mkdir(folder, { recursive: true });
  await db.run(
    `COPY (SELECT run_id, ${fileKeyOf(inputs.indexOf('source_file'), files)} AS source_file, line_number, reason_column, reason_rule, reason, raw_value, raw_record FROM etl_rejected_rows ORDER BY ${inputs.indexOf('source_file')}, line_number) TO ${literal(part)} (FORMAT parquet, COMPRESSION zstd)`,
  );
}
