import { compileDuckDbSql } from '../../spec/compile';
import type { TransformModel } from '../../spec/model';
import { markDuplicates } from './duplicates';
import { readCleanCsvFiles } from './fast-csv-path';
import { defineInputs, fileKeyOf, type Inputs } from './inputs';
import type { InputFile } from './normalize-input';
import { createRowsTable, numberRows } from './rows-table';
import type { EtlSession } from './session';
import { literal } from './sql';
import { readTextFiles } from './text-path';

/**
 * Reads, types and checks every line of the raw files into etl_rows (DuckDB's CSV reader for clean
 * CSV files, the line-by-line text path for the rest), marks unique duplicates, and defines the
 * views the outputs and counts are read from (etl_out, then the compiled output SQL).
 */
export async function loadRows(args: {
  readonly session: EtlSession;
  readonly model: TransformModel;
  readonly runId: string;
  /** lake keys of the raw files */
  readonly files: readonly string[];
  /** what DuckDB reads for each raw file (the file itself, or a normalized copy) */
  readonly inputFiles: readonly InputFile[];
  /** absolute paths of the raw files */
  readonly paths: readonly string[];
  readonly fastCsv: boolean;
}): Promise<{ readonly inputs: Inputs; readonly fastFiles: ReadonlyMap<number, number> }> {
  const { session, model, runId, files, inputFiles, paths } = args;
  const { db, step } = session;
  const inputs = await defineInputs(db, runId, files, inputFiles);
  const sql = compileDuckDbSql(model);
  await db.run(
    'CREATE TEMPORARY TABLE etl_reject_keys (_source_file VARCHAR, _line_number BIGINT, _code INTEGER)',
  );
  for (const statement of sql.transform) await db.run(statement);
  await createRowsTable(db, model);
  const fastFiles = await step("read clean CSV files with DuckDB's CSV reader", () =>
    readCleanCsvFiles({ db, model, fast: sql.fastCsv, paths, inputFiles, enabled: args.fastCsv }),
  );
  const textFiles = files.map((_, i) => i).filter((i) => !fastFiles.has(i));
  await numberRows(db, fastFiles, model.csv.header ? 1 : 0);
  if (textFiles.length)
    await step(`parse, type and check the lines of ${textFiles.length} file(s)`, () =>
      readTextFiles(db, model, inputs, textFiles),
    );
  await step('mark unique duplicates', () => markDuplicates(db, sql.uniqueChecks));
  await db.run(
    `CREATE OR REPLACE TEMPORARY VIEW etl_out AS SELECT ${literal(runId)} AS _run_id, ${fileKeyOf('_file_index', files)} AS _source_file, * EXCLUDE (_file_index, _line) FROM etl_rows`,
  );
  for (const statement of sql.outputs) await db.run(statement);
  return { inputs, fastFiles };
}
