import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { READABLE_FILE } from './lake-files';
import { CR_STAND_IN, type InputFile } from './normalize-input';
import { listLiteral, literal } from './sql';

/**
 * etl_files (one row per file with its first line) and `linesOf` (the SQL of every line of some
 * files, numbered per file), which the engine binds to etl_lines for the files it reads as text.
 * Files are named by a short alias, `<index><extension>` (e.g. `3.csv.gz`): it keeps the extension
 * the views read the format from, and stays inline in DuckDB's string vectors (no per-row copy of
 * a 100-character key); `fileKeyOf` maps the index back to the lake key on output.
 */
export async function defineInputs(
  db: DuckDBConnection,
  runId: string,
  files: readonly string[],
  inputFiles: readonly InputFile[],
) {
  const alias = (file: string, index: number) => `${index}${READABLE_FILE.exec(file)?.[0] ?? ''}`;
  const aliases = files.map(alias);
  // One read per file keeps WITH ORDINALITY a per-file line number. The delimiter is four control
  // bytes no text file contains, and quoting is off: each line arrives whole, as text.
  const readLines = (file: string) =>
    `read_csv(${literal(file)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, delim = E'\\x01\\x02\\x03\\x04', quote = '', escape = '', strict_mode = false, ${CSV_LINE_LIMITS}) WITH ORDINALITY`;
  await db.run('CREATE TABLE etl_files (_source_file VARCHAR, _header VARCHAR)');
  for (const i of files.keys())
    await db.run(
      `INSERT INTO etl_files VALUES (${literal(aliases[i]!)}, ${literal(await firstLine(inputFiles[i]!.path))})`,
    );
  const linesOf = (indices: readonly number[]) =>
    indices.length
      ? indices
          .map(
            // CR of CRLF files: drop it only on the lines that end with one (on every line it costs a second a million
            // lines); a normalized copy has its CRs as CR_STAND_IN: back to CR, then one CR at the end is dropped
            (i) =>
              `SELECT ${literal(runId)} AS _run_id, ${literal(aliases[i]!)} AS _source_file, CAST(ordinality AS BIGINT) AS _line_number, ${inputFiles[i]!.normalized ? `CASE WHEN suffix(line, chr(${CR_STAND_IN})) THEN replace(left(line, -1), chr(${CR_STAND_IN}), chr(13)) ELSE replace(line, chr(${CR_STAND_IN}), chr(13)) END` : 'CASE WHEN suffix(line, chr(13)) THEN left(line, -1) ELSE line END'} AS _line FROM ${readLines(inputFiles[i]!.path)}`,
          )
          .join('\nUNION ALL\n')
      : 'SELECT NULL::VARCHAR AS _run_id, NULL::VARCHAR AS _source_file, NULL::BIGINT AS _line_number, NULL::VARCHAR AS _line WHERE false';
  await db.run(`CREATE OR REPLACE TEMPORARY VIEW etl_lines AS ${linesOf([])}`);
  return {
    linesOf,
    /** SQL: the alias of a file index */
    aliasOf: (index: string) => (files.length ? `${listLiteral(aliases)}[${index} + 1]` : 'NULL::VARCHAR'),
    /** SQL: the file index of an alias */
    indexOf: (aliasColumn: string) => `CAST(split_part(${aliasColumn}, '.', 1) AS INTEGER)`,
  };
}

export type Inputs = Awaited<ReturnType<typeof defineInputs>>;

/**
 * read_csv's line and buffer sizes: lines up to 16 MiB, read through 32 MiB buffers (by default the
 * buffer is 16 lines' worth, 256 MiB a file, more than the memory limit the twin gives DuckDB).
 */
export const CSV_LINE_LIMITS = 'max_line_size = 16777216, buffer_size = 33554432';

/**
 * Files one statement reads as lines: every read_csv of a UNION ALL holds its file's buffer until
 * the statement ends, so one statement over every file held the whole input in memory at once.
 */
export const FILES_PER_STATEMENT = 4;

/** The file indices in consecutive groups of FILES_PER_STATEMENT. */
export function statementBatches(indices: readonly number[]): (readonly number[])[] {
  const batches: (readonly number[])[] = [];
  for (let at = 0; at < indices.length; at += FILES_PER_STATEMENT)
    batches.push(indices.slice(at, at + FILES_PER_STATEMENT));
  return batches;
}

/** SQL: the lake key of a file index. */
export function fileKeyOf(index: string, files: readonly string[]): string {
  return files.length ? `${listLiteral(files)}[${index} + 1]` : 'NULL::VARCHAR';
}

/** The first line of a (possibly gzipped) text file, without its line break. */
async function firstLine(file: string): Promise<string> {
  const source = createReadStream(file, { highWaterMark: 64 * 1024 });
  const stream = file.endsWith('.gz') ? source.pipe(createGunzip()) : source;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      if ((chunk as Buffer).includes(0x0a)) break;
    }
  } finally {
    source.destroy();
  }
  // as etl_lines reads it: a normalized copy's CR_STAND_IN is a CR, and one CR before the LF is dropped
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n', 1)[0]!
    .replaceAll(String.fromCharCode(CR_STAND_IN), '\r')
    .replace(/\r$/, '');
}
