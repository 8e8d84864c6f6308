import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  buildLakeCatalog,
  type CatalogSource,
  type LakeCatalog,
  quoteIdentifier,
  type ViewDefinition,
} from '../catalog';
import { QueryError, ViewExecutionError, ViewValueError } from '../errors';
import { duckdbType, type LakeColumn, type LakeTable } from '../tables';

export interface OpenLocalLakeOptions {
  /** absolute path of the local lake folder (the twin's `.lake/`) */
  readonly lakeRoot: string;
  /** the pipeline (datasets, views, stages) the tables and views come from */
  readonly pipeline: CatalogSource;
  /** the environment, for messages only; the local lake has one database. @default 'local' */
  readonly env?: string;
  /**
   * Which views to create, with what they read. @default every built-in and declared view
   */
  readonly views?: readonly ViewDefinition[];
  /** DuckDB's memory limit, e.g. '1GB'. @default DuckDB's own (80% of RAM) */
  readonly memoryLimit?: string;
  /**
   * Create only the tables and views this SQL names, with the ones those views read (a one-off
   * query need not list every prefix of the lake). @default every table and view
   */
  readonly onlyFor?: string;
}

export interface QueryColumn {
  readonly name: string;
  /** DuckDB's type name, e.g. BIGINT, TIMESTAMP, VARCHAR */
  readonly type: string;
}

/** Rows as plain values: numbers (BIGINT too, when it fits), strings, booleans, ISO timestamps, null. */
export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
}

/** A DuckDB session where every lake table and view exists under its Athena name. */
export interface LocalLake {
  readonly catalog: LakeCatalog;
  readonly connection: DuckDBConnection;
  /** the views created, in creation order */
  readonly views: readonly string[];
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

/**
 * Opens an in-memory DuckDB over the lake folder: one view per lake table (typed, empty when
 * its prefix has no files yet), then the built-in and declared views with the same SQL Athena runs.
 * A view DuckDB refuses is a ViewExecutionError naming it.
 */
export async function openLocalLake(options: OpenLocalLakeOptions): Promise<LocalLake> {
  const catalog = buildLakeCatalog(options.pipeline);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:', {
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
  });
  const connection = await instance.connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  const wanted = options.onlyFor === undefined ? undefined : namesNeededBy(options.onlyFor, catalog);
  try {
    for (const table of catalog.tables) {
      if (wanted && !wanted.has(table.name.toLowerCase())) continue;
      const files = await listFiles(options.lakeRoot, table);
      const select =
        table.stage === 'raw' && files.length > 0
          ? await rawSelect(options.lakeRoot, table, files)
          : tableSelect(options.lakeRoot, table, files.length > 0);
      await connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(table.name)} AS ${select}`);
    }
    const views = (options.views ?? catalog.views).filter((v) => !wanted || wanted.has(v.name.toLowerCase()));
    for (const view of views) await createView(connection, view);
    return {
      catalog,
      connection,
      views: views.map((v) => v.name),
      query: (sql) => runQuery(connection, sql),
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The catalog names (lower case) a SQL text mentions as a word, and every name the views among them
 * read, transitively. A word that only looks like a name costs one extra view, never a missing one.
 */
export function namesNeededBy(sql: string, catalog: LakeCatalog): Set<string> {
  const viewSql = new Map(catalog.views.map((v) => [v.name.toLowerCase(), v.sql]));
  const known = [...catalog.tables.map((t) => t.name.toLowerCase()), ...viewSql.keys()];
  const mentioned = (text: string) => {
    const words = new Set(text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
    return known.filter((name) => words.has(name));
  };
  const needed = new Set<string>();
  const pending = mentioned(sql);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    const body = viewSql.get(name);
    if (body !== undefined) pending.push(...mentioned(body));
  }
  return needed;
}

/** Creates (or replaces) one view; DuckDB's own error comes back prefixed with the view's name. */
export async function createView(
  connection: DuckDBConnection,
  view: Pick<ViewDefinition, 'name' | 'sql'>,
): Promise<void> {
  try {
    await connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(view.name)} AS\n${view.sql}`);
  } catch (error) {
    throw new ViewExecutionError(view.name, (error as Error).message);
  }
}

/** The SELECT behind one lake table: typed columns over its files, or a typed empty row set. */
export function tableSelect(lakeRoot: string, table: LakeTable, hasFiles: boolean): string {
  const columns = [...table.columns, ...table.partitionKeys];
  const nullOf = (c: LakeColumn) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${quoteIdentifier(c.name)}`;
  if (!hasFiles) return `SELECT ${columns.map(nullOf).join(', ')} WHERE false`;
  const cast = (c: LakeColumn) =>
    `CAST(${quoteIdentifier(c.name)} AS ${duckdbType(c.type)}) AS ${quoteIdentifier(c.name)}`;
  return `SELECT ${columns.map(cast).join(', ')} FROM ${readFunction(lakeRoot, table)}`;
}

function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function readFunction(lakeRoot: string, table: LakeTable): string {
  const root = path.join(lakeRoot, table.prefix);
  const hive = 'hive_partitioning = true, hive_types_autocast = false';
  const textColumns = (cols: readonly LakeColumn[], typed: boolean) =>
    `{${cols.map((c) => `${stringLiteral(c.name)}: ${stringLiteral(typed ? duckdbType(c.type) : 'VARCHAR')}`).join(', ')}}`;
  switch (table.stage) {
    case 'curated':
    case 'rejected':
      return `read_parquet(${stringLiteral(path.join(root, '**', '*.parquet'))}, ${hive}, union_by_name = true)`;
    case 'raw':
      throw new ViewValueError(
        'table stage',
        table.stage,
        'is read by rawSelect (raw files differ by extension)',
      );
    case 'features':
    case 'scored': {
      const pattern = table.stage === 'features' ? '*.csv' : '*.csv.out';
      return `read_csv(${stringLiteral(path.join(root, 'run=*', pattern))}, header = false, delim = ',', auto_detect = false, columns = ${textColumns(table.columns, true)}, ${hive})`;
    }
  }
}

/** Extensions of the raw files the pipeline reads (CSV or JSON lines, either gzipped); anything else is not data. */
const RAW_EXTENSION = /\.(csv|jsonl|ndjson|json)(\.gz)?$/i;

/**
 * The raw files' format, by extension (as the ETL reads them): CSV or JSON lines, either gzipped;
 * undefined for a file the pipeline cannot read (sourcing quarantines those; raw tables skip them).
 */
export function rawFileFormat(file: string): 'csv' | 'jsonl' | undefined {
  const match = RAW_EXTENSION.exec(file);
  if (!match) return undefined;
  return match[1]!.toLowerCase() === 'csv' ? 'csv' : 'jsonl';
}

/**
 * Raw files are the source as sent, CSV and JSON lines side by side, every declared column as text
 * (NULL where a file lacks it), `dt` and `run` from the path. Nothing is sniffed: each CSV file's
 * header is read here and the files are read by those names with DuckDB's lenient options, so a
 * malformed line (an unterminated quote, a byte that is not UTF-8, a ragged row) is left out of the
 * table instead of failing every query on the lake. rejected_<ds> says what the ETL made of it.
 */
async function rawSelect(lakeRoot: string, table: LakeTable, files: readonly string[]): Promise<string> {
  const root = path.join(lakeRoot, table.prefix);
  const hive = 'hive_partitioning = true, hive_types_autocast = false';
  const all = [...table.columns, ...table.partitionKeys];
  const cast = (expression: string, c: LakeColumn) =>
    `CAST(${expression} AS ${duckdbType(c.type)}) AS ${quoteIdentifier(c.name)}`;
  const selects: string[] = [];

  const csvFiles = files.filter((f) => rawFileFormat(f) === 'csv');
  const byHeader = new Map<string, string[]>();
  for (const file of csvFiles) {
    const header = table.header
      ? await csvHeader(path.join(root, file), table.delimiter)
      : table.columns.map((c) => c.name);
    const key = JSON.stringify(header);
    byHeader.set(key, [...(byHeader.get(key) ?? []), file]);
  }
  for (const [key, group] of byHeader) {
    const header = JSON.parse(key) as string[];
    if (header.length === 0) continue;
    const names = header.map((name, i) => name || `column${i}`);
    const list = `[${group.map((f) => stringLiteral(path.join(root, f))).join(', ')}]`;
    const columns = `{${names.map((n) => `${stringLiteral(n)}: 'VARCHAR'`).join(', ')}}`;
    const read = `read_csv(${list}, header = ${table.header}, columns = ${columns}, auto_detect = false, delim = ${stringLiteral(table.delimiter)}, quote = '"', escape = '"', strict_mode = false, null_padding = true, ignore_errors = true, ${hive})`;
    const present = new Set(names);
    const projection = [
      ...table.columns.map((c) =>
        present.has(c.name)
          ? cast(quoteIdentifier(c.name), c)
          : `CAST(NULL AS ${duckdbType(c.type)}) AS ${quoteIdentifier(c.name)}`,
      ),
      ...table.partitionKeys.map((c) => cast(quoteIdentifier(c.name), c)),
    ];
    selects.push(`SELECT ${projection.join(', ')} FROM ${read}`);
  }

  const jsonFiles = files.filter((f) => rawFileFormat(f) === 'jsonl');
  if (jsonFiles.length > 0) {
    const list = `[${jsonFiles.map((f) => stringLiteral(path.join(root, f))).join(', ')}]`;
    // One row per line, even a line that is not JSON (its columns are NULL; rejected_<ds> says why).
    const read = `read_csv(${list}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, delim = E'\\x01\\x02\\x03\\x04', quote = '', escape = '', ignore_errors = true, ${hive})`;
    const projection = [
      ...table.columns.map((c) =>
        cast(
          `CASE WHEN json_valid("line") THEN json_extract_string("line", ${stringLiteral(`$.${c.name}`)}) END`,
          c,
        ),
      ),
      ...table.partitionKeys.map((c) => cast(quoteIdentifier(c.name), c)),
    ];
    selects.push(`SELECT ${projection.join(', ')} FROM ${read}`);
  }
  if (selects.length === 0) return tableSelect(lakeRoot, table, false);
  return selects.join('\nUNION ALL\n');
}

/** The first line of a (possibly gzipped) CSV file, split into column names: BOM, quotes and CR removed. */
async function csvHeader(file: string, delimiter: string): Promise<string[]> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const raw = createReadStream(file, { highWaterMark: 64 * 1024 });
  const stream = file.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      if (text.includes('\n') || text.length > 1024 * 1024) break;
    }
  } catch {
    // a broken gzip: no header to read; the file contributes no rows
    return [];
  } finally {
    raw.destroy();
  }
  const line = (text.split('\n')[0] ?? '').replace(/^\uFEFF/, '').replace(/\r$/, '');
  if (line.trim() === '') return [];
  return line.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
}

/** The files a table would read, so an empty prefix gives an empty table instead of DuckDB's "No files found". */
async function listFiles(lakeRoot: string, table: LakeTable): Promise<string[]> {
  const root = path.join(lakeRoot, table.prefix);
  const suffix =
    table.stage === 'features'
      ? '.csv'
      : table.stage === 'scored'
        ? '.csv.out'
        : table.format === 'parquet'
          ? '.parquet'
          : '';
  const depth = table.stage === 'raw' ? 2 : table.stage === 'curated' ? undefined : 1;
  let entries: string[];
  try {
    entries = (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith(suffix))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return depth === undefined ? entries : entries.filter((rel) => rel.split(path.sep).length === depth + 1);
}

/** Runs one statement and returns plain values (see QueryResult); DuckDB's error becomes a QueryError. */
export async function runQuery(connection: DuckDBConnection, sql: string): Promise<QueryResult> {
  let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>;
  try {
    reader = await connection.runAndReadAll(sql);
  } catch (error) {
    throw new QueryError('duckdb', (error as Error).message);
  }
  const columns = reader
    .columnNames()
    .map((name, i) => ({ name, type: reader.columnTypes()[i]!.toString() }));
  const rows = (reader.getRowsJson() as unknown[][]).map((row) =>
    row.map((value, i) => plainValue(value, columns[i]!.type)),
  );
  return { columns, rows };
}

const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT']);

function plainValue(value: unknown, type: string): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (INTEGER_TYPES.has(type) || type.startsWith('DECIMAL')) {
    const n = Number(value);
    return Number.isSafeInteger(n) || (type.startsWith('DECIMAL') && Number.isFinite(n)) ? n : String(value);
  }
  if (type === 'TIMESTAMP' || type.startsWith('TIMESTAMP_')) return `${String(value).replace(' ', 'T')}Z`;
  if (type === 'TIMESTAMP WITH TIME ZONE') return new Date(String(value)).toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
