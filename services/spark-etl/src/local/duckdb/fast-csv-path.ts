import { createReadStream } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastCsvSql } from '../../spec/compile';
import type { TransformModel } from '../../spec/model';
import { CSV_LINE_LIMITS } from './inputs';
import { READABLE_FILE } from './lake-files';
import type { InputFile } from './normalize-input';
import { dataColumnsOf } from './rows-table';
import { ident, listLiteral, literal } from './sql';

/** A code no rule has: the line needs the text path (a field too many or too few). */
const NEEDS_TEXT_PATH = 0;

/** Clean CSV files with the same header, read by one scan of DuckDB's multi-file reader. */
interface HeaderGroup {
  /** the header's number of fields */
  readonly width: number;
  /** the header's positions row: `_width` and `_pos_<column>` */
  readonly positions: Record<string, unknown>;
  /** file indices */
  readonly files: number[];
}

/**
 * The fast path: CSV files that need no quote handling are split by DuckDB's own CSV reader
 * (quoting off, so a field is exactly the text between delimiters, as the text path splits it), then
 * typed and checked by the same expressions. A file qualifies when it has no quote, no CR and no
 * blank line (a byte scan that also counts its lines); after the read it must have given one row
 * per data line, on consecutive rowids (so the rowid gives the line number), with exactly the
 * header's number of fields each. A file that does not is deleted from etl_rows and read by the
 * text path instead, so both paths give the same rows, codes and line numbers. A rejected line is
 * rebuilt from its fields. Returns the files read this way: file index -> first rowid.
 */
export async function readCleanCsvFiles(args: {
  readonly db: DuckDBConnection;
  readonly model: TransformModel;
  readonly fast: FastCsvSql | undefined;
  /** absolute paths of the raw files, by file index */
  readonly paths: readonly string[];
  readonly inputFiles: readonly InputFile[];
  readonly enabled: boolean;
}): Promise<Map<number, number>> {
  const { db, model, fast, paths, inputFiles, enabled } = args;
  const { delimiter } = model.csv;
  // a one-byte delimiter other than a space (a line of spaces is blank to the text path, fields to the reader)
  if (!enabled || !fast || Buffer.byteLength(delimiter) !== 1 || delimiter === ' ') return new Map();
  const candidates = paths.flatMap((f, i) =>
    /\.(csv|txt)$/.test(f) && !inputFiles[i]!.normalized ? [i] : [],
  );
  if (candidates.length === 0) return new Map();
  const headerLines = model.csv.header ? 1 : 0;
  const { expected, groups } = await groupByHeader(db, fast, paths, candidates, headerLines);
  // The scan runs on every thread and keeps the files' order: a file's rows get consecutive rowids,
  // so a row's line number is its rowid's offset from the file's first (numberRows). WITH
  // ORDINALITY would number them too, but runs the whole pass on one thread.
  await db.run('SET preserve_insertion_order = true');
  for (const group of groups) await insertGroup(db, model, fast, paths, group, headerLines);
  await db.run('SET preserve_insertion_order = false');
  if (expected.size === 0) return new Map();
  return keepWholeFiles(db, expected);
}

/**
 * Scans each candidate for its data lines (a file with a quote, a CR or a blank line, or with no
 * data line, or fewer than two fields, is left to the text path) and groups the rest by header.
 */
async function groupByHeader(
  db: DuckDBConnection,
  fast: FastCsvSql,
  paths: readonly string[],
  candidates: readonly number[],
  headerLines: number,
): Promise<{ expected: Map<number, number>; groups: HeaderGroup[] }> {
  /** data lines of each file read, by its byte scan */
  const expected = new Map<number, number>();
  const positionsByAlias = new Map(
    (await db.runAndReadAll(fast.positions)).getRowObjectsJson().map((r) => [String(r._source_file), r]),
  );
  const groups = new Map<string, HeaderGroup>();
  for (const i of candidates) {
    const lines = await cleanCsvLines(paths[i]!);
    const { _source_file, ...positions } =
      positionsByAlias.get(`${i}${READABLE_FILE.exec(paths[i]!)?.[0] ?? ''}`) ?? {};
    const width = Number(positions._width ?? 0);
    if (lines === undefined || lines <= headerLines || width < 2) continue;
    expected.set(i, lines - headerLines);
    const signature = JSON.stringify(positions);
    const group = groups.get(signature) ?? { width, positions, files: [] };
    group.files.push(i);
    groups.set(signature, group);
  }
  return { expected, groups: [...groups.values()] };
}

/** Reads one group's files with DuckDB's CSV reader, typed and checked, into etl_rows. */
async function insertGroup(
  db: DuckDBConnection,
  model: TransformModel,
  fast: FastCsvSql,
  paths: readonly string[],
  { width, positions, files }: HeaderGroup,
  headerLines: number,
): Promise<void> {
  const { delimiter } = model.csv;
  const field = (n: number) => `_lp_f${n}`;
  const fields = Array.from({ length: width }, (_, n) => field(n + 1));
  const source = `(SELECT CAST([${files.join(', ')}][CAST(file_index AS BIGINT) + 1] AS INTEGER) AS _lp_file, ${[...fields, '_lp_extra'].join(', ')} FROM read_csv(${listLiteral(files.map((i) => paths[i]!))}, columns = {${[...fields, '_lp_extra'].map((f) => `'${f}': 'VARCHAR'`).join(', ')}}, header = false, skip = ${headerLines}, auto_detect = false, hive_partitioning = false, union_by_name = false, delim = ${literal(delimiter)}, quote = '', escape = '', new_line = '\\n', null_padding = true, strict_mode = false, nullstr = E'\\x01\\x02\\x03\\x04', ${CSV_LINE_LIMITS}))`;
  const rows = fast.rows(source, (column) => {
    const at = Number(positions[`_pos_${column}`] ?? 0);
    return at > 0 ? field(at) : 'NULL::VARCHAR';
  });
  // empty fields arrive as '' (nullstr is a text no file has), so NULL is a field the line did not have
  await db.run(
    `INSERT INTO etl_rows SELECT _lp_file, NULL, ${dataColumnsOf(model).map(ident).join(', ')}, CASE WHEN _lp_extra IS NOT NULL OR ${field(width)} IS NULL THEN ${NEEDS_TEXT_PATH} ELSE _reject END, CASE WHEN _reject IS NOT NULL THEN concat_ws(${literal(delimiter)}, ${fields.join(', ')}) END FROM (${rows})`,
  );
}

/**
 * Keeps the files whose rows came out whole: one row per data line, none needing the text path, on
 * consecutive rowids. The others' rows are deleted from etl_rows (the text path reads them).
 * Returns the kept files: file index -> first rowid.
 */
async function keepWholeFiles(
  db: DuckDBConnection,
  expected: ReadonlyMap<number, number>,
): Promise<Map<number, number>> {
  const done = new Map<number, number>();
  const checks = (
    await db.runAndReadAll(
      `SELECT _file_index, count(*) AS n, count(*) FILTER (WHERE _reject = ${NEEDS_TEXT_PATH}) AS odd, min(rowid) AS first, max(rowid) AS last FROM etl_rows WHERE _file_index IN (${[...expected.keys()].join(', ')}) GROUP BY 1`,
    )
  ).getRowObjectsJson();
  for (const c of checks) {
    const [n, first, last] = [Number(c.n), Number(c.first), Number(c.last)];
    if (n === expected.get(Number(c._file_index)) && Number(c.odd) === 0 && last - first + 1 === n)
      done.set(Number(c._file_index), first);
  }
  const failed = [...expected.keys()].filter((i) => !done.has(i));
  if (failed.length) {
    await db.run(`DELETE FROM etl_rows WHERE _file_index IN (${failed.join(', ')})`);
    // rowids are stable across a delete; read the first ones again all the same (numbering depends on
    // them), and hand a file whose rows are no longer consecutive to the text path too
    const firsts = done.size
      ? (
          await db.runAndReadAll(
            `SELECT _file_index, min(rowid) AS first, max(rowid) AS last, count(*) AS n FROM etl_rows WHERE _file_index IN (${[...done.keys()].join(', ')}) GROUP BY 1`,
          )
        ).getRowObjectsJson()
      : [];
    for (const r of firsts) {
      const i = Number(r._file_index);
      if (Number(r.last) - Number(r.first) + 1 === Number(r.n)) done.set(i, Number(r.first));
      else {
        done.delete(i);
        await db.run(`DELETE FROM etl_rows WHERE _file_index = ${i}`);
      }
    }
  }
  return done;
}

/**
 * The line count of a CSV file the fast path can read, or undefined when it has a quote, a CR or a
 * blank line (those need the text path's handling).
 */
async function cleanCsvLines(file: string): Promise<number | undefined> {
  let newlines = 0;
  let last = -1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    if (b.length === 0) continue;
    if (b.indexOf(0x22) >= 0 || b.indexOf(0x0d) >= 0 || b.indexOf('\n\n') >= 0) return undefined;
    if (b[0] === 0x0a && (last === -1 || last === 0x0a)) return undefined;
    for (let at = b.indexOf(0x0a); at >= 0; at = b.indexOf(0x0a, at + 1)) newlines++;
    last = b[b.length - 1]!;
  }
  return newlines + (last !== -1 && last !== 0x0a ? 1 : 0);
}
