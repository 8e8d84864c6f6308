import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  FolderObjectStore,
  lakePrefixes,
  type ManifestOutput,
  measureObject,
  runIdDate,
  writeStageManifest,
} from '@lakepipe/lake';
import type { LedgerWriter, ObjectMovementItem } from '@lakepipe/ledger';
import type { DatasetSpec } from '@lakepipe/workflow';
import { RejectRatioExceededError, UnsupportedFileError } from '../errors';
import { type EtlManifest, etlStageManifestInput, type FileCounts, rejectedRatioOf } from '../manifest';
import { etlOutputSchema } from '../output-schema';
import { type CompiledSql, compileDuckDbSql } from '../spec/compile';
import { buildTransformModel, type Locate, type TransformModel } from '../spec/model';
import { CR_STAND_IN, type InputFile, inputFileFor } from './normalize-input';

export interface LocalEtlOptions {
  /** absolute path of the lake folder (the twin's `.lake/`) */
  readonly lakeRoot: string;
  readonly dataset: string;
  readonly spec: DatasetSpec;
  readonly runId: string;
  readonly stageId: string;
  /** @default no ledger: object movements are not recorded */
  readonly ledger?: LedgerWriter;
  /** @default no progress reports */
  readonly progress?: (update: {
    readonly rows?: number;
    readonly files?: number;
    readonly message?: string;
  }) => void;
  /** DuckDB memory_limit; DuckDB spills to a temp folder under the lake beyond it. @default '1GB' */
  readonly memoryLimit?: string;
  /** @default the number of CPU cores */
  readonly threads?: number;
  /** @default no line numbers in spec errors */
  readonly locate?: Locate;
  /** @default now */
  readonly clock?: () => Date;
  /**
   * Read CSV files that need no quote handling with DuckDB's own CSV reader (same rows, codes and
   * line numbers as the line-by-line text path, which reads every other file). @default true
   */
  readonly fastCsv?: boolean;
}

/** Extensions the ETL reads; anything else in the run's raw prefix fails the run (nothing is silently skipped). */
export const READABLE_FILE = /\.(csv|txt|jsonl|ndjson|json)(\.gz)?$/;

/**
 * Runs the ETL of one dataset for one run on DuckDB: raw/ -> curated/, rejected/, features/ and
 * the manifest. Outputs are written to a work folder under the lake and moved into place, so a
 * failed run publishes nothing and a re-run replaces exactly its own files.
 */
export async function runLocalEtl(options: LocalEtlOptions): Promise<EtlManifest> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock().toISOString();
  const { lakeRoot, dataset, runId, stageId } = options;
  const model = buildTransformModel(dataset, options.spec, options.locate ? { locate: options.locate } : {});
  const rawPrefix = lakePrefixes.raw(dataset, runIdDate(runId), runId);
  const files = await listFiles(lakeRoot, rawPrefix);
  for (const f of files) if (!READABLE_FILE.test(f)) throw new UnsupportedFileError(f);
  options.progress?.({ files: files.length, message: `reading ${files.length} file(s) of ${rawPrefix}` });

  const work = path.join(lakeRoot, '_tmp', 'etl', `${runId}-${stageId}-${randomBytes(3).toString('hex')}`);
  await mkdir(path.join(work, 'spill'), { recursive: true });
  const threads = options.threads ?? os.availableParallelism();
  const instance = await DuckDBInstance.create(path.join(work, 'etl.duckdb'), {
    memory_limit: options.memoryLimit ?? '1GB',
    threads: String(threads),
    temp_directory: path.join(work, 'spill'),
    preserve_insertion_order: 'false',
  });
  const db = await instance.connect();
  /** Runs one step and reports how long it took, in wall and CPU time (the twin shows it; bench/etl prints it). */
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const [started, cpu] = [performance.now(), process.cpuUsage()];
    const result = await work();
    const { user, system } = process.cpuUsage(cpu);
    const seconds = (performance.now() - started) / 1000;
    options.progress?.({
      message: `${name}: ${seconds.toFixed(2)} s (CPU ${((user + system) / 1e6).toFixed(2)} s)`,
    });
    return result;
  };
  try {
    // timestamps with an offset are converted to UTC, as Spark does with spark.sql.session.timeZone=UTC
    await db.run("SET TimeZone = 'UTC'");
    // a file with bytes that are not UTF-8 or a CR that does not end a line is read from a normalized copy
    const inputFiles = await Promise.all(
      files.map((f, i) => inputFileFor(path.join(lakeRoot, f), path.join(work, 'input'), i)),
    );
    const inputs = await defineInputs(db, runId, files, inputFiles);
    const sql = compileDuckDbSql(model);
    await db.run(
      'CREATE TEMPORARY TABLE etl_reject_keys (_source_file VARCHAR, _line_number BIGINT, _code INTEGER)',
    );
    for (const statement of sql.transform) await db.run(statement);
    await createRowsTable(db, model);
    const fastFiles = await step("read clean CSV files with DuckDB's CSV reader", () =>
      readCleanCsvFiles(db, model, sql, lakeRoot, files, inputFiles, options.fastCsv ?? true),
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

    const byFile = await step('count', () => fileCounts(db, files));
    const rowsRead = sum(byFile, 'rowsRead');
    const curatedRows = sum(byFile, 'curatedRows');
    const rejectedRows = sum(byFile, 'rejectedRows');
    options.progress?.({
      rows: rowsRead,
      message: `${curatedRows} curated, ${rejectedRows} rejected; ${fastFiles.size} of ${files.length} file(s) read by DuckDB's CSV reader`,
    });

    const rejectedPrefix = lakePrefixes.rejected(dataset, runId);
    const outputs: string[] = [];
    await rm(path.join(lakeRoot, rejectedPrefix), { recursive: true, force: true });
    if (rejectedRows > 0) {
      await step('collect rejected lines', () => collectRejectedLines(db, inputs, runId));
      const part = path.join(work, 'rejected', 'part-0.parquet');
      await mkdir(path.dirname(part), { recursive: true });
      await step('write rejected', () =>
        db.run(
          `COPY (SELECT run_id, ${fileKeyOf(inputs.indexOf('source_file'), files)} AS source_file, line_number, reason_column, reason_rule, reason, raw_value, raw_record FROM etl_rejected_rows ORDER BY ${inputs.indexOf('source_file')}, line_number) TO ${literal(part)} (FORMAT parquet, COMPRESSION zstd)`,
        ),
      );
      outputs.push(...(await publishFolder(path.join(work, 'rejected'), lakeRoot, rejectedPrefix)));
    }
    const exactRatio = rowsRead === 0 ? 0 : rejectedRows / rowsRead;
    if (exactRatio > model.maxRejectRatio) {
      const store = new FolderObjectStore(lakeRoot);
      const written: ManifestOutput[] = [];
      for (const key of outputs) written.push(await measureObject(store, key));
      await recordMovements(options.ledger, runId, stageId, written);
      throw new RejectRatioExceededError(
        dataset,
        exactRatio,
        model.maxRejectRatio,
        rejectedRows,
        rowsRead,
        rejectedPrefix,
      );
    }

    const byPartition = await partitionCounts(db, model);
    const curatedWork = path.join(work, 'curated');
    await mkdir(curatedWork, { recursive: true });
    if (curatedRows > 0) {
      const partitionBy = model.partitionBy.length
        ? `, PARTITION_BY (${model.partitionBy.map((p) => `"${p}"`).join(', ')})`
        : '';
      const target = model.partitionBy.length ? curatedWork : path.join(curatedWork, `${runId}-0.parquet`);
      await step('write curated', () =>
        db.run(
          `COPY (SELECT * FROM etl_curated) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd${partitionBy}${model.partitionBy.length ? `, FILENAME_PATTERN '${runId}-{i}'` : ''})`,
        ),
      );
    }
    const featuresWork = path.join(work, 'features');
    if (model.features.length > 0 && curatedRows > 0) {
      await mkdir(featuresWork, { recursive: true });
      await step('write features', () =>
        db.run(
          `COPY (SELECT * FROM etl_features) TO ${literal(path.join(featuresWork, 'part-0.csv'))} (FORMAT csv, HEADER false, DELIMITER ',')`,
        ),
      );
    }

    // Publish: replace this run's curated files (in every partition) and its features folder.
    const curatedPrefix = lakePrefixes.curated(dataset);
    await removeRunFiles(path.join(lakeRoot, curatedPrefix), runId);
    outputs.push(...(await publishFolder(curatedWork, lakeRoot, curatedPrefix, { merge: true })));
    const featuresPrefix = lakePrefixes.features(dataset, runId);
    await rm(path.join(lakeRoot, featuresPrefix), { recursive: true, force: true });
    if (model.features.length > 0 && curatedRows > 0)
      outputs.push(...(await publishFolder(featuresWork, lakeRoot, featuresPrefix)));

    const manifest: EtlManifest = {
      dataset,
      runId,
      stageId,
      engine: 'duckdb',
      filesRead: files.length,
      rowsRead,
      curatedRows,
      rejectedRows,
      rejectedRatio: rejectedRatioOf(rejectedRows, rowsRead),
      partitions: byPartition.length,
      byPartition,
      byFile,
      outputs: outputs.sort(),
      startedAt,
      finishedAt: clock().toISOString(),
    };
    const store = new FolderObjectStore(lakeRoot);
    const measured: ManifestOutput[] = [];
    for (const key of manifest.outputs) measured.push(await measureObject(store, key));
    await writeStageManifest(
      store,
      etlStageManifestInput(manifest, { outputs: measured, schema: etlOutputSchema(model) }),
    );
    const manifestKey = lakePrefixes.manifest(runId, stageId);
    await recordMovements(options.ledger, runId, stageId, [
      ...measured,
      await measureObject(store, manifestKey),
    ]);
    return manifest;
  } finally {
    db.closeSync();
    instance.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * etl_files (one row per file with its first line) and `linesOf` (the SQL of every line of some
 * files, numbered per file), which the engine binds to etl_lines for the files it reads as text.
 * Files are named by a short alias, `<index><extension>` (e.g. `3.csv.gz`): it keeps the extension
 * the views read the format from, and stays inline in DuckDB's string vectors (no per-row copy of
 * a 100-character key); `fileKeyOf` maps the index back to the lake key on output.
 */
async function defineInputs(
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
    `read_csv(${literal(file)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, delim = E'\\x01\\x02\\x03\\x04', quote = '', escape = '', strict_mode = false, max_line_size = 16777216) WITH ORDINALITY`;
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

type Inputs = Awaited<ReturnType<typeof defineInputs>>;

/** SQL: the lake key of a file index. */
function fileKeyOf(index: string, files: readonly string[]): string {
  return files.length ? `${listLiteral(files)}[${index} + 1]` : 'NULL::VARCHAR';
}

/**
 * etl_rows, empty: per data line the file index, line number, typed and derived columns, the reject
 * code and, for rejected lines only, the line itself (so reasons never need a second read of a file).
 */
async function createRowsTable(db: DuckDBConnection, model: TransformModel): Promise<void> {
  await db.run(
    `CREATE TEMPORARY TABLE etl_rows AS SELECT CAST(split_part(_source_file, '.', 1) AS INTEGER) AS _file_index, _line_number, ${dataColumnsOf(model).map(ident).join(', ')}, _reject, _line FROM etl_checked WHERE false`,
  );
}

function dataColumnsOf(model: TransformModel): string[] {
  return [...model.columns.map((c) => c.name), ...model.derived.map((x) => x.name)];
}

/** The text path: parse, type and check every line of these files into etl_rows (the one pass that reads them). */
async function readTextFiles(
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

/** A code no rule has: the line needs the text path (a field too many or too few). */
const NEEDS_TEXT_PATH = 0;

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
async function readCleanCsvFiles(
  db: DuckDBConnection,
  model: TransformModel,
  sql: CompiledSql,
  lakeRoot: string,
  files: readonly string[],
  inputFiles: readonly InputFile[],
  enabled: boolean,
): Promise<Map<number, number>> {
  /** first rowid of each file read this way */
  const done = new Map<number, number>();
  /** data lines of each file read, by its byte scan */
  const expected = new Map<number, number>();
  const { delimiter, header } = model.csv;
  const fast = sql.fastCsv;
  // a one-byte delimiter other than a space (a line of spaces is blank to the text path, fields to the reader)
  if (!enabled || !fast || Buffer.byteLength(delimiter) !== 1 || delimiter === ' ') return done;
  const candidates = files.flatMap((f, i) =>
    /\.(csv|txt)$/.test(f) && !inputFiles[i]!.normalized ? [i] : [],
  );
  if (candidates.length === 0) return done;
  const positions = new Map(
    (await db.runAndReadAll(fast.positions)).getRowObjectsJson().map((r) => [String(r._source_file), r]),
  );
  const headerLines = header ? 1 : 0;
  const dataColumns = dataColumnsOf(model).map(ident).join(', ');
  // Files with the same header are read by one scan (DuckDB's multi-file reader, `file_index`).
  const groups = new Map<
    string,
    { readonly width: number; readonly p: Record<string, unknown>; files: number[] }
  >();
  for (const i of candidates) {
    const lines = await cleanCsvLines(path.join(lakeRoot, files[i]!));
    const { _source_file, ...p } = positions.get(`${i}${READABLE_FILE.exec(files[i]!)?.[0] ?? ''}`) ?? {};
    const width = Number(p._width ?? 0);
    if (lines === undefined || lines <= headerLines || width < 2) continue;
    expected.set(i, lines - headerLines);
    const signature = JSON.stringify(p);
    const group = groups.get(signature) ?? { width, p, files: [] };
    group.files.push(i);
    groups.set(signature, group);
  }
  // The scan runs on every thread and keeps the files' order: a file's rows get consecutive rowids,
  // so a row's line number is its rowid's offset from the file's first (numberRows). WITH
  // ORDINALITY would number them too, but runs the whole pass on one thread.
  await db.run('SET preserve_insertion_order = true');
  for (const { width, p, files: group } of groups.values()) {
    const field = (n: number) => `_lp_f${n}`;
    const fields = Array.from({ length: width }, (_, n) => field(n + 1));
    const source = `(SELECT CAST([${group.join(', ')}][CAST(file_index AS BIGINT) + 1] AS INTEGER) AS _lp_file, ${[...fields, '_lp_extra'].join(', ')} FROM read_csv(${listLiteral(group.map((i) => path.join(lakeRoot, files[i]!)))}, columns = {${[...fields, '_lp_extra'].map((f) => `'${f}': 'VARCHAR'`).join(', ')}}, header = false, skip = ${headerLines}, auto_detect = false, hive_partitioning = false, union_by_name = false, delim = ${literal(delimiter)}, quote = '', escape = '', new_line = '\\n', null_padding = true, strict_mode = false, nullstr = E'\\x01\\x02\\x03\\x04', max_line_size = 16777216))`;
    const rows = fast.rows(source, (column) => {
      const at = Number(p[`_pos_${column}`] ?? 0);
      return at > 0 ? field(at) : 'NULL::VARCHAR';
    });
    // empty fields arrive as '' (nullstr is a text no file has), so NULL is a field the line did not have
    await db.run(
      `INSERT INTO etl_rows SELECT _lp_file, NULL, ${dataColumns}, CASE WHEN _lp_extra IS NOT NULL OR ${field(width)} IS NULL THEN ${NEEDS_TEXT_PATH} ELSE _reject END, CASE WHEN _reject IS NOT NULL THEN concat_ws(${literal(delimiter)}, ${fields.join(', ')}) END FROM (${rows})`,
    );
  }
  await db.run('SET preserve_insertion_order = false');
  if (expected.size === 0) return done;
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
 * etl_numbered: etl_rows with every line number (the fast path's rows have theirs from their rowid)
 * and `_rowid`; for the few rows that need one (unique candidates, rejected rows).
 */
async function numberRows(
  db: DuckDBConnection,
  firstRowids: ReadonlyMap<number, number>,
  headerLines: number,
) {
  const offsets = [...firstRowids].map(([i, first]) => `WHEN ${i} THEN ${headerLines + 1 - first}`);
  await db.run(
    `CREATE OR REPLACE TEMPORARY VIEW etl_numbered AS SELECT * REPLACE (${offsets.length ? `coalesce(_line_number, rowid + CASE _file_index ${offsets.join(' ')} END)` : '_line_number'} AS _line_number), rowid AS _rowid FROM etl_rows`,
  );
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

/**
 * etl_lines narrowed to the rejected lines, for the views that give their reasons: the lines kept
 * in etl_rows, and for the few rejected after the first pass (unique duplicates) a read of only
 * the files that have them.
 */
async function collectRejectedLines(db: DuckDBConnection, inputs: Inputs, runId: string): Promise<void> {
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
  if (missing.length)
    await db.run(
      `INSERT INTO etl_reject_lines SELECT l.* FROM (${inputs.linesOf(missing)}) l SEMI JOIN (SELECT ${inputs.aliasOf('_file_index')} AS _source_file, _line_number FROM etl_numbered WHERE _reject IS NOT NULL AND _line IS NULL) k ON l._source_file = k._source_file AND l._line_number = k._line_number`,
    );
  await db.run('CREATE OR REPLACE TEMPORARY VIEW etl_lines AS SELECT * FROM etl_reject_lines');
}

/**
 * Marks the duplicates of each unique column in etl_rows with its code. A hash aggregate on the
 * value's hash among rows that passed every other rule finds candidates (no sort of every row, as
 * a window would do); only the few candidate rows are ranked by (file, line) to keep the first.
 */
async function markDuplicates(
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

function listLiteral(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function fileCounts(db: DuckDBConnection, files: readonly string[]): Promise<FileCounts[]> {
  const rows = (await db.runAndReadAll('SELECT * FROM etl_file_counts')).getRowObjectsJson();
  const byKey = new Map(rows.map((r) => [String(r.source_file), r]));
  return files.map((file) => {
    const r = byKey.get(file);
    return {
      file,
      rowsRead: Number(r?.rows_read ?? 0),
      curatedRows: Number(r?.curated_rows ?? 0),
      rejectedRows: Number(r?.rejected_rows ?? 0),
    };
  });
}

async function partitionCounts(db: DuckDBConnection, model: TransformModel) {
  const rows = (await db.runAndReadAll('SELECT * FROM etl_partition_counts')).getRowObjectsJson();
  return rows
    .filter((r) => Number(r.curated_rows) > 0)
    .map((r) => ({
      partition: model.partitionBy.map((p) => `${p}=${r[p]}`).join('/'),
      curatedRows: Number(r.curated_rows),
    }))
    .sort((a, b) => a.partition.localeCompare(b.partition));
}

function sum(counts: readonly FileCounts[], key: 'rowsRead' | 'curatedRows' | 'rejectedRows'): number {
  return counts.reduce((total, c) => total + c[key], 0);
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Lake keys of every file under a prefix, sorted. */
async function listFiles(lakeRoot: string, prefix: string): Promise<string[]> {
  const root = path.join(lakeRoot, prefix);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    },
  );
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(lakeRoot, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Moves every file of `from` under `prefix` of the lake (same relative paths); returns the lake keys. */
async function publishFolder(
  from: string,
  lakeRoot: string,
  prefix: string,
  options: { merge?: boolean } = {},
): Promise<string[]> {
  const keys: string[] = [];
  const entries = await readdir(from, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const relative = path.relative(from, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    const key = `${prefix}${relative}`;
    const target = path.join(lakeRoot, key);
    await mkdir(path.dirname(target), { recursive: true });
    if (!options.merge) await rm(target, { force: true });
    await rename(path.join(e.parentPath, e.name), target);
    keys.push(key);
  }
  return keys;
}

/** Deletes `<runId>-*.parquet` in every partition of a dataset's curated folder: a re-run replaces, never duplicates. */
async function removeRunFiles(curatedRoot: string, runId: string): Promise<void> {
  const entries = await readdir(curatedRoot, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries)
    if (e.isFile() && e.name.startsWith(`${runId}-`))
      await rm(path.join(e.parentPath, e.name), { force: true });
}

/** Records each written object (and the manifest) as a movement, with the bytes and sha256 measured once. */
async function recordMovements(
  ledger: LedgerWriter | undefined,
  runId: string,
  stageId: string,
  written: readonly ManifestOutput[],
): Promise<void> {
  if (!ledger || written.length === 0) return;
  const movements: Omit<ObjectMovementItem, 'at'>[] = written.map(({ key, bytes, sha256 }) => ({
    runId,
    stageId,
    to: key,
    bytes,
    sha256,
  }));
  await ledger.recordMovements(movements);
}
