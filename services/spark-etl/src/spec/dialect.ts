import { toJavaRegex } from './regex';
import type { LogicalType } from './types';

/**
 * The few places DuckDB SQL and Spark SQL differ. Everything else in the generated SQL is
 * written once, so the two engines apply the same rules in the same order.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'spark';
  /** a quoted identifier */
  ident(name: string): string;
  /** a string literal */
  str(value: string): string;
  type(type: LogicalType): string;
  /** true when `pattern` is found in `expr` (search semantics, like Python's re.search) */
  matches(expr: string, pattern: string): string;
  /** 1-based position of `needle` in `expr`, 0 when absent; `needle` is SQL when `sql` is true, else a literal's value */
  instr(expr: string, needle: string, sql?: boolean): string;
  /** split on a single-character delimiter, keeping empty trailing fields */
  split(expr: string, delimiter: string): string;
  /** every match of capture group 1 */
  extractAll(expr: string, pattern: string): string;
  /** every match of `pattern` replaced by `replacement` (a literal without group references) */
  replaceAll(expr: string, pattern: string, replacement: string): string;
  /** the text without leading and trailing spaces (U+0020 only: TAB, NBSP, U+3000 are kept) */
  trimSpaces(expr: string): string;
  transform(list: string, param: string, body: string): string;
  size(list: string): string;
  /** sum of length(x) + 1 over a list of strings */
  sumLengthsPlusOne(list: string): string;
  /** 1-based element; callers guard the index */
  element(list: string, index: string): string;
  /** 1-based position of `value` in `list`, 0 when absent */
  position(list: string, value: string): string;
  /** the line is one JSON object */
  isJsonObject(expr: string): string;
  /** a top-level key of a JSON object as text (JSON null -> NULL) */
  jsonText(expr: string, key: string): string;
  /** the byte-order mark some tools write before a CSV header */
  readonly bom: string;
  /** a carriage return (CR), as SQL */
  readonly cr: string;
  /** U+FFFD, what an undecodable byte is read as (both engines decode with replacement) */
  readonly replacementChar: string;
  /** text -> timestamp in UTC, honouring a Z or +hh:mm offset; NULL when invalid */
  tryTimestamp(expr: string): string;
  /** true when `trim(expr) <> ''` (the line is not blank) */
  notBlank(expr: string): string;
  /**
   * A guard before TRY_CAST to double/decimal: together with a successful TRY_CAST it accepts
   * exactly the texts `pattern` matches.
   */
  numberShape(expr: string, kind: 'double' | 'decimal', pattern: string): string;
}

function typeName(type: LogicalType, names: Record<string, string>): string {
  return type.kind === 'decimal' ? `DECIMAL(${type.precision},${type.scale})` : names[type.kind]!;
}

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  str: (value) => `'${value.replace(/'/g, "''")}'`,
  type: (type) =>
    typeName(type, {
      string: 'VARCHAR',
      int: 'INTEGER',
      bigint: 'BIGINT',
      double: 'DOUBLE',
      boolean: 'BOOLEAN',
      date: 'DATE',
      timestamp: 'TIMESTAMP',
    }),
  matches: (expr, pattern) => `regexp_matches(${expr}, ${duckdbDialect.str(pattern)})`,
  instr: (expr, needle, sql) => `strpos(${expr}, ${sql ? needle : duckdbDialect.str(needle)})`,
  split: (expr, delimiter) => `string_split(${expr}, ${duckdbDialect.str(delimiter)})`,
  extractAll: (expr, pattern) => `regexp_extract_all(${expr}, ${duckdbDialect.str(pattern)}, 1)`,
  replaceAll: (expr, pattern, replacement) =>
    `regexp_replace(${expr}, ${duckdbDialect.str(pattern)}, ${duckdbDialect.str(replacement)}, 'g')`,
  trimSpaces: (expr) => `trim(${expr}, ' ')`,
  transform: (list, param, body) => `list_transform(${list}, lambda ${param}: ${body})`,
  size: (list) => `len(${list})`,
  sumLengthsPlusOne: (list) => `list_sum(list_transform(${list}, lambda x: length(x) + 1))`,
  element: (list, index) => `${list}[${index}]`,
  position: (list, value) => `coalesce(list_position(${list}, ${value}), 0)`,
  isJsonObject: (expr) => `(json_valid(${expr}) AND starts_with(ltrim(${expr}), '{'))`,
  jsonText: (expr, key) => `json_extract_string(${expr}, ${duckdbDialect.str(`$."${key}"`)})`,
  bom: 'chr(65279)',
  cr: 'chr(13)',
  replacementChar: 'chr(65533)',
  tryTimestamp: (expr) => `CAST(TRY_CAST(${expr} AS TIMESTAMPTZ) AS TIMESTAMP)`,
  // trim() decodes the whole line (2-3 µs a line): a printable, non-space first character
  // already proves the line is not blank, so trim runs only on the rare other lines
  notBlank: (expr) =>
    `CASE WHEN ascii(${expr}) BETWEEN 33 AND 126 THEN true ELSE trim(${expr}, ' ') <> '' END`,
  // A one-class scan instead of the shape regex (10x cheaper): among texts of these characters,
  // DuckDB's TRY_CAST accepts exactly the shape (proved exhaustively in compile.test.ts)
  // ('+-1' is the one such text DuckDB reads that the shape refuses)
  numberShape: (expr, kind) =>
    `(NOT regexp_matches(${expr}, ${duckdbDialect.str(kind === 'double' ? '[^0-9eE.+-]' : '[^0-9.+-]')}) AND NOT starts_with(${expr}, '+-'))`,
};

/**
 * Spark 3.5 with spark.sql.ansi.enabled=false and spark.sql.session.timeZone=UTC (the job sets both,
 * etl_job.SPARK_SETTINGS). Timestamps are TIMESTAMP_NTZ holding the UTC wall clock, as DuckDB's
 * TIMESTAMP: the same values and the same Parquet type (isAdjustedToUTC=false) from both engines.
 */
export const sparkDialect: Dialect = {
  name: 'spark',
  ident: (name) => `\`${name.replace(/`/g, '``')}\``,
  // Spark string literals read backslash escapes: double them so the value arrives as written
  str: (value) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  type: (type) =>
    typeName(type, {
      string: 'STRING',
      int: 'INT',
      bigint: 'BIGINT',
      double: 'DOUBLE',
      boolean: 'BOOLEAN',
      date: 'DATE',
      timestamp: 'TIMESTAMP_NTZ',
    }),
  // patterns are RE2's: toJavaRegex rewrites the constructs Java reads differently ($ . \s)
  matches: (expr, pattern) => `rlike(${expr}, ${sparkDialect.str(toJavaRegex(pattern))})`,
  instr: (expr, needle, sql) => `instr(${expr}, ${sql ? needle : sparkDialect.str(needle)})`,
  split: (expr, delimiter) =>
    `split(${expr}, ${sparkDialect.str(delimiter.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'))}, -1)`,
  extractAll: (expr, pattern) => `regexp_extract_all(${expr}, ${sparkDialect.str(toJavaRegex(pattern))}, 1)`,
  replaceAll: (expr, pattern, replacement) =>
    `regexp_replace(${expr}, ${sparkDialect.str(toJavaRegex(pattern))}, ${sparkDialect.str(replacement)})`,
  trimSpaces: (expr) => `trim(BOTH ' ' FROM ${expr})`,
  transform: (list, param, body) => `transform(${list}, ${param} -> ${body})`,
  size: (list) => `size(${list})`,
  sumLengthsPlusOne: (list) => `aggregate(${list}, 0, (acc, x) -> acc + length(x) + 1)`,
  element: (list, index) => `element_at(${list}, CAST(${index} AS INT))`,
  position: (list, value) => `array_position(${list}, ${value})`,
  isJsonObject: (expr) => `(get_json_object(${expr}, '$') IS NOT NULL AND ltrim(${expr}) LIKE '{%')`,
  jsonText: (expr, key) => `get_json_object(${expr}, ${sparkDialect.str(`$.${key}`)})`,
  bom: String.raw`'\uFEFF'`,
  cr: String.raw`'\r'`,
  replacementChar: String.raw`'\uFFFD'`,
  tryTimestamp: (expr) => `CAST(TRY_CAST(${expr} AS TIMESTAMP) AS TIMESTAMP_NTZ)`,
  notBlank: (expr) => `trim(BOTH ' ' FROM ${expr}) <> ''`,
  numberShape: (expr, _kind, pattern) => sparkDialect.matches(expr, pattern),
};
