import { type Dialect, duckdbDialect, sparkDialect } from './dialect';
import type { Expr } from './expression';
import type { ColumnModel, TransformModel } from './model';
import { type LogicalType, typeName } from './types';

/**
 * Compiles a TransformModel to SQL, for DuckDB (local) or Spark (Glue), from one template.
 *
 * The engine provides two relations and runs the statements in order:
 *   etl_lines(_run_id, _source_file, _line_number, _line)   every line of every raw file, as text, 1-based
 *   etl_files(_source_file, _header)                         one row per file: its first line (CSV header)
 * `transform` defines etl_checked (one row per data line, typed, with `_reject`: the code of the
 * first failing rule, unique aside). Then the dialects part:
 *   spark:  the last transform view is `etl_result` (unique by a window, reasons); the engine
 *           persists it as `etl_out` and `outputs` define etl_curated, etl_rejected, etl_features,
 *           etl_file_counts and etl_partition_counts over it.
 *   duckdb: the engine materializes the typed columns of etl_checked once, marks unique losers
 *           (codes in `uniqueChecks`) with a hash aggregate, exposes the result as `etl_out`
 *           for the same `outputs` (etl_rejected aside), and gets the reasons of rejected rows
 *           from the last transform view, `etl_rejected_rows`, which joins etl_checked to the
 *           engine's `etl_reject_keys(_source_file, _line_number, _code)`: the engine narrows
 *           etl_lines to those lines first, so only rejected lines are parsed twice. For clean
 *           CSV files it runs `fastCsv.rows` instead of etl_checked (same expressions over fields
 *           DuckDB's CSV reader split), so etl_lines then holds the other files' lines only.
 */
export interface CompiledSql {
  readonly dialect: Dialect['name'];
  readonly transform: readonly string[];
  readonly outputs: readonly string[];
  /** the reject code of each unique column's duplicates, in rule order */
  readonly uniqueChecks: readonly { readonly column: string; readonly code: number }[];
  /** DuckDB only: the same rules over fields DuckDB's own CSV reader split (the engine's fast path) */
  readonly fastCsv?: FastCsvSql;
}

/**
 * The DuckDB engine's fast path for CSV files whose fields need no quote handling: DuckDB's CSV
 * reader splits the lines (no list per line), then the same raw-text, typing, derive and check
 * expressions as the text path run over the fields, so both paths give the same values and codes.
 */
export interface FastCsvSql {
  /** SELECT over etl_files: `_source_file`, `_width`, `_pos_<column>` (the column's 1-based field, 0 when absent) */
  readonly positions: string;
  /**
   * SELECT of every column of `source`, the typed and derived columns and `_reject` (the code of
   * the first failing rule, unique aside); `fieldOf(column)` is the SQL of the column's field text
   * in `source` (NULL when the file has no such column).
   */
  rows(source: string, fieldOf: (column: string) => string): string;
}

/** A rule check, in the order rules are applied: the first that fails names the reason. */
interface Check {
  readonly column: string | null;
  readonly rule: string;
  /** SQL: true when the row fails */
  readonly fails: string;
  /** SQL: the reason sentence */
  readonly reason: string;
  /** SQL: the offending raw text */
  readonly rawValue: string;
}

// Text shapes accepted before casting, so both engines accept exactly the same strings (exported for the dialect test).
const INT_TEXT = '^[+-]?[0-9]+$';
export const DECIMAL_TEXT = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$';
export const DOUBLE_TEXT = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$';
const DATE_TEXT = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
// hours 00-23, minutes and seconds 00-59, offsets up to ±18:00 (what java.time accepts; 24:00 and +05:60 are refused)
const TIMESTAMP_TEXT =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,9})?)?)?(Z|[+-](1[0-7]|0[0-9])(:?[0-5][0-9])?|[+-]18(:?00)?)?$';
// strict JSON (RFC 8259) beyond what each engine's parser checks (DuckDB takes NaN and trailing
// commas, Spark's get_json_object single quotes and text after the object): with every string
// literal (no raw control character inside) replaced by 0 and true/false/null by 0, no quote,
// no letter but an exponent's e, no comma before } or ], and the line is one {...}
const JSON_STRING = String.raw`"[^"\\\x00-\x1f]*(\\.[^"\\\x00-\x1f]*)*"`;
const JSON_LEFTOVER = String.raw`['"]|[a-df-zA-DF-Z]|,[ \t]*[}\]]`;
const JSON_SHAPE = String.raw`^[ \t]*[{].*[}][ \t]*$`;
const TRUE_TEXT = ['true', 't', 'yes', 'y', '1'];
const FALSE_TEXT = ['false', 'f', 'no', 'n', '0'];
const JSON_FILE = '[.](jsonl|ndjson|json)([.]gz)?$';

const raw = (c: string) => `_raw_${c}`;
const pos = (c: string) => `_pos_${c}`;

export function compileDuckDbSql(model: TransformModel): CompiledSql {
  return compileSql(model, duckdbDialect);
}

export function compileSparkSql(model: TransformModel): CompiledSql {
  return compileSql(model, sparkDialect);
}

/** The statements as one script, with a header saying where it came from (written beside the Glue job). */
export function renderSqlScript(model: TransformModel, compiled: CompiledSql): string {
  const header = `-- Generated by @lakepipe/spark-etl from datasets.${model.dataset} of pipeline.yaml (${compiled.dialect} dialect). Do not edit.`;
  return `${[header, '-- transform', ...compiled.transform.map((s) => `${s};`), '-- outputs', ...compiled.outputs.map((s) => `${s};`)].join('\n\n')}\n`;
}

export function compileSql(model: TransformModel, d: Dialect): CompiledSql {
  const q = d.ident;
  const s = d.str;
  const { delimiter, header } = model.csv;
  const columns = model.columns;
  const asText = (expr: string) => `CAST(${expr} AS ${d.type({ kind: 'string' })})`;

  // CSV fields: a fast split for lines without quotes, a quote-aware match otherwise.
  const delimClass = delimiter.replace(/[\\^\]-]/g, '\\$&');
  // the quoted alternative is written as an unrolled loop ("[^"]*(""[^"]*)*"): the same texts as
  // "([^"]|"")*", but Java's regex engine recurses once per doubled quote instead of once per
  // character (a quoted field of a few thousand characters overflowed its stack)
  const quotedField = `("[^"]*(?:""[^"]*)*"|[^${delimClass}"]*)${delimiter.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}`;
  const matchesOf = (line: string) => d.extractAll(`concat(${line}, ${s(delimiter)})`, quotedField);
  const unquoted = (line: string) =>
    d.transform(
      matchesOf(line),
      'f',
      `CASE WHEN substring(f, 1, 1) = '"' THEN replace(substring(f, 2, length(f) - 2), '""', '"') ELSE f END`,
    );
  const fieldsOf = (line: string) =>
    `CASE WHEN ${d.instr(line, '"')} = 0 THEN ${d.split(line, delimiter)} ELSE ${unquoted(line)} END`;

  const positions = header
    ? `WITH etl_header_fields AS (
  SELECT _source_file, ${d.transform(fieldsOf(`replace(CASE WHEN ${d.matches('_source_file', JSON_FILE)} THEN '' ELSE _header END, ${d.bom}, '')`), 'h', d.trimSpaces('h'))} AS _header_fields
  FROM etl_files
)
SELECT _source_file, ${d.size('_header_fields')} AS _width,
  ${columns.map((c) => `${d.position('_header_fields', s(c.name))} AS ${pos(c.name)}`).join(',\n  ')}
FROM etl_header_fields`
    : `SELECT _source_file, ${columns.length} AS _width,
  ${columns.map((c, i) => `${i + 1} AS ${pos(c.name)}`).join(',\n  ')}
FROM etl_files`;

  const records = `CREATE OR REPLACE TEMPORARY VIEW etl_records AS
WITH etl_positions AS (
${positions}
), lines AS (
  SELECT _run_id, _source_file, _line_number, _line,
    CASE WHEN ${d.matches('_source_file', JSON_FILE)} THEN 'jsonl' ELSE 'csv' END AS _format
  FROM etl_lines
  WHERE _line IS NOT NULL AND ${d.notBlank('_line')}
)
SELECT l._run_id, l._source_file, l._line_number, l._line, l._format, p._width,
  ${columns.map((c) => `p.${pos(c.name)}`).join(', ')},
  CASE WHEN l._format = 'csv' THEN ${fieldsOf('l._line')} END AS _fields,
  CASE WHEN l._format = 'csv' AND ${d.instr('l._line', '"')} > 0 THEN ${d.sumLengthsPlusOne(matchesOf('l._line'))} = length(l._line) + 1 ELSE true END AS _csv_ok,
  CASE WHEN l._format = 'jsonl' THEN ${d.isJsonObject('l._line')} AND ${d.matches('l._line', JSON_SHAPE)} AND NOT ${d.matches(d.replaceAll(d.replaceAll('l._line', JSON_STRING, '0'), 'true|false|null', '0'), JSON_LEFTOVER)} END AS _json_ok
FROM lines l JOIN etl_positions p ON l._source_file = p._source_file
WHERE ${header ? `NOT (l._format = 'csv' AND l._line_number = 1 AND ${d.instr('l._line', d.cr, true)} = 0)` : 'true'}`;

  /** a field's text as the rules see it: '' is missing; other than strings, surrounding spaces are ignored */
  const rawOf = (c: ColumnModel, value: string) =>
    c.type.kind === 'string' ? `nullif(${value}, '')` : `nullif(${d.trimSpaces(value)}, '')`;
  // the fast path's fields are plain columns: trim (spaces only, in DuckDB) runs only on a field
  // that starts or ends with one, which is the same text for a fraction of the cost
  const fastRawOf = (c: ColumnModel, field: string) =>
    c.type.kind === 'string'
      ? rawOf(c, field)
      : `nullif(CASE WHEN starts_with(${field}, ' ') OR suffix(${field}, ' ') THEN ${d.trimSpaces(field)} ELSE ${field} END, '')`;
  const rawText = (c: ColumnModel) =>
    rawOf(
      c,
      `CASE WHEN _format = 'jsonl' THEN CASE WHEN _json_ok THEN ${d.jsonText('_line', c.name)} END WHEN ${pos(c.name)} > 0 THEN ${d.element('_fields', pos(c.name))} END`,
    );
  const typed = (c: ColumnModel) => {
    const v = raw(c.name);
    const guarded = (shape: string, cast: string) => `CASE WHEN ${d.matches(v, shape)} THEN ${cast} END`;
    switch (c.type.kind) {
      case 'string':
        return v;
      case 'int':
      case 'bigint':
        return guarded(INT_TEXT, `TRY_CAST(${v} AS ${d.type(c.type)})`);
      case 'double':
      case 'decimal':
        return `CASE WHEN ${d.numberShape(v, c.type.kind, c.type.kind === 'double' ? DOUBLE_TEXT : DECIMAL_TEXT)} THEN TRY_CAST(${v} AS ${d.type(c.type)}) END`;
      case 'date':
        return guarded(DATE_TEXT, `TRY_CAST(${v} AS ${d.type(c.type)})`);
      case 'timestamp':
        return guarded(TIMESTAMP_TEXT, d.tryTimestamp(v));
      case 'boolean':
        return `CASE WHEN lower(${v}) IN (${TRUE_TEXT.map(s).join(', ')}) THEN true WHEN lower(${v}) IN (${FALSE_TEXT.map(s).join(', ')}) THEN false END`;
    }
  };

  // Fast path: one class scan of a row's double fields joined together (`_lp_doubles_ok`) instead of
  // one per field; only a row where it fails checks its fields one by one. Exact: the guard below is
  // duckdbDialect.numberShape for double (no character outside [0-9eE.+-], no leading '+-').
  const doubles = columns.filter((c) => c.type.kind === 'double');
  const combineDoubles = d.name === 'duckdb' && doubles.length > 1;
  const doublesOk = `NOT regexp_matches(concat_ws('|', ${doubles.map((c) => raw(c.name)).join(', ')}), '[^0-9eE.+|-]')`;
  const fastTyped = (c: ColumnModel) =>
    combineDoubles && c.type.kind === 'double'
      ? `CASE WHEN (_lp_doubles_ok AND NOT starts_with(${raw(c.name)}, '+-')) OR ${d.numberShape(raw(c.name), 'double', DOUBLE_TEXT)} THEN TRY_CAST(${raw(c.name)} AS ${d.type(c.type)}) END`
      : typed(c);

  const typedView = `CREATE OR REPLACE TEMPORARY VIEW etl_typed AS
SELECT _run_id, _source_file, _line_number, _line, _format, _width, _fields, _csv_ok, _json_ok,
  ${columns.map((c) => `${raw(c.name)},\n  ${typed(c)} AS ${q(c.name)}`).join(',\n  ')}
FROM (
  SELECT _run_id, _source_file, _line_number, _line, _format, _width, _fields, _csv_ok, _json_ok,
    ${columns.map((c) => `${rawText(c)} AS ${raw(c.name)}`).join(',\n    ')}
  FROM etl_records
) r`;

  const renderExpr = (e: Expr): string => {
    switch (e.kind) {
      case 'column':
        return q(e.name);
      case 'number':
        return e.text;
      case 'string':
        return s(e.value);
      case 'cast':
        return `TRY_CAST(${renderExpr(e.expr)} AS ${d.type(e.type)})`;
      case 'negate':
        return `(-${renderExpr(e.expr)})`;
      case 'binary':
        return `(${renderExpr(e.left)} ${e.op} ${renderExpr(e.right)})`;
      case 'call':
        return `${e.fn.toLowerCase()}(${e.args.map(renderExpr).join(', ')})`;
    }
  };
  const derivedColumns = model.derived
    .map((x) => `,\n  TRY_CAST(${renderExpr(x.expr)} AS ${d.type(x.type)}) AS ${q(x.name)}`)
    .join('');
  const derivedView = `CREATE OR REPLACE TEMPORARY VIEW etl_derived AS
SELECT *${derivedColumns}
FROM etl_typed`;

  const checks = buildChecks(model, d, asText);
  const uniqueColumns = columns.filter((c) => c.unique);
  const uniqueCode = (i: number) => checks.length + 1 + i;
  const rejectCode = `CASE
    ${checks.map((c, i) => `WHEN ${c.fails} THEN ${i + 1}`).join('\n    ')}
  END AS _reject`;
  const checkedView = `CREATE OR REPLACE TEMPORARY VIEW etl_checked AS
SELECT *,
  ${rejectCode}
FROM etl_derived`;

  const windowed = uniqueColumns.length
    ? `(
  SELECT *,
    ${uniqueColumns
      .map(
        (c) =>
          `CASE WHEN _reject IS NULL THEN row_number() OVER (PARTITION BY _reject IS NULL, ${q(c.name)} ORDER BY _source_file, _line_number) END AS _seen_${c.name}`,
      )
      .join(',\n    ')}
  FROM etl_checked
) w`
    : 'etl_checked';
  const finalCode = uniqueColumns.length
    ? `coalesce(_reject, ${uniqueColumns.map((c, i) => `CASE WHEN _seen_${c.name} > 1 THEN ${uniqueCode(i)} END`).join(', ')})`
    : '_reject';
  const allChecks: Check[] = [
    ...checks,
    ...uniqueColumns.map((c) => ({
      column: c.name,
      rule: 'unique',
      fails: '',
      reason: `concat(${s(`${c.name} must be unique: duplicate of an earlier row, got `)}, ${quoted(raw(c.name))})`,
      rawValue: raw(c.name),
    })),
  ];
  const byCode = (pick: (c: Check) => string) =>
    `CASE WHEN _code IS NOT NULL THEN CASE _code ${allChecks.map((c, i) => `WHEN ${i + 1} THEN ${pick(c)}`).join(' ')} END END`;

  const dataColumns = [...columns.map((c) => c.name), ...model.derived.map((x) => x.name)];
  const rejectReasons = `${byCode((c) => (c.column === null ? 'NULL' : s(c.column)))} AS reason_column,
  ${byCode((c) => s(c.rule))} AS reason_rule,
  ${byCode((c) => c.reason)} AS reason,
  ${byCode((c) => c.rawValue)} AS raw_value,
  CASE WHEN _code IS NOT NULL THEN _line END AS raw_record`;
  const resultView = `CREATE OR REPLACE TEMPORARY VIEW etl_result AS
SELECT _run_id, _source_file, _line_number,
  ${dataColumns.map(q).join(', ')},
  _code AS _reject,
  ${rejectReasons}
FROM (
  SELECT *, ${finalCode} AS _code
  FROM ${windowed}
) f`;

  const partitionColumns = model.partitionBy;
  const curatedColumns = [
    ...dataColumns.filter((c) => !partitionColumns.includes(c)).map(q),
    `_run_id AS ${q('run_id')}`,
    `_source_file AS ${q('source_file')}`,
    ...partitionColumns.map(q),
  ];
  const outputs = [
    `CREATE OR REPLACE TEMPORARY VIEW etl_curated AS
SELECT ${curatedColumns.join(', ')}
FROM etl_out
WHERE _reject IS NULL`,
    `CREATE OR REPLACE TEMPORARY VIEW etl_rejected AS
SELECT _run_id AS run_id, _source_file AS source_file, _line_number AS line_number,
  reason_column, reason_rule, reason, raw_value, raw_record
FROM etl_out
WHERE _reject IS NOT NULL`,
    `CREATE OR REPLACE TEMPORARY VIEW etl_features AS
SELECT ${model.idColumn && model.features.length ? [model.idColumn, ...model.features].map(q).join(', ') : '_source_file, _line_number'}
FROM etl_out
WHERE _reject IS NULL`,
    `CREATE OR REPLACE TEMPORARY VIEW etl_file_counts AS
SELECT _source_file AS source_file, COUNT(*) AS rows_read,
  SUM(CASE WHEN _reject IS NULL THEN 1 ELSE 0 END) AS curated_rows,
  SUM(CASE WHEN _reject IS NULL THEN 0 ELSE 1 END) AS rejected_rows
FROM etl_out
GROUP BY _source_file`,
    `CREATE OR REPLACE TEMPORARY VIEW etl_partition_counts AS
SELECT ${partitionColumns.length ? `${partitionColumns.map((p) => `${asText(q(p))} AS ${q(p)}`).join(', ')}, ` : ''}COUNT(*) AS curated_rows
FROM etl_out
WHERE _reject IS NULL${partitionColumns.length ? `\nGROUP BY ${partitionColumns.map(q).join(', ')}` : ''}`,
  ];

  const rejectedRowsView = `CREATE OR REPLACE TEMPORARY VIEW etl_rejected_rows AS
SELECT _run_id AS run_id, _source_file AS source_file, _line_number AS line_number,
  ${rejectReasons}
FROM (
  SELECT c.*, k._code
  FROM etl_checked c JOIN etl_reject_keys k ON c._source_file = k._source_file AND c._line_number = k._line_number
) f`;
  const uniqueChecks = uniqueColumns.map((c, i) => ({ column: c.name, code: uniqueCode(i) }));
  return d.name === 'spark'
    ? {
        dialect: d.name,
        transform: [records, typedView, derivedView, checkedView, resultView],
        outputs,
        uniqueChecks,
      }
    : {
        dialect: d.name,
        transform: [records, typedView, derivedView, checkedView, rejectedRowsView],
        outputs: outputs.filter((o) => !o.includes('VIEW etl_rejected AS')),
        uniqueChecks,
        fastCsv: {
          positions,
          // structural rules cannot fail here (the engine routes lines that need them to the text path):
          // _line '' passes line_ending and encoding (such files are never read this way), _width NULL
          // makes column_count unknown, _csv_ok true and _format 'csv' skip csv and json
          rows: (source, fieldOf) => `SELECT *,
  ${rejectCode}
FROM (
  SELECT *${derivedColumns}
  FROM (
    SELECT *,
      ${columns.map((c) => `${fastTyped(c)} AS ${q(c.name)}`).join(',\n      ')}
    FROM (
      SELECT *${combineDoubles ? `, ${doublesOk} AS _lp_doubles_ok` : ''}
      FROM (
        SELECT *, '' AS _line, 'csv' AS _format, NULL::INTEGER AS _width, NULL::VARCHAR[] AS _fields, true AS _csv_ok, NULL::BOOLEAN AS _json_ok,
          ${columns.map((c) => `${fastRawOf(c, fieldOf(c.name))} AS ${raw(c.name)}`).join(',\n          ')}
        FROM ${source}
      ) r
    ) o
  ) t
) d`,
        },
      };

  function quoted(expr: string): string {
    return `coalesce(concat('"', ${expr}, '"'), 'nothing')`;
  }

  function buildChecks(m: TransformModel, dd: Dialect, text: (e: string) => string): Check[] {
    const list: Check[] = [
      {
        // lines end at LF (the CR of a CRLF is dropped): a CR left is a broken line ending, e.g. a
        // CR-only file, which is then one line (its header, kept as a row so the file is rejected)
        column: null,
        rule: 'line_ending',
        fails: `${dd.instr('_line', dd.cr, true)} > 0`,
        reason: s(
          'the line holds a carriage return (CR) that does not end it: lines must end with LF or CRLF',
        ),
        rawValue: 'NULL',
      },
      {
        column: null,
        rule: 'encoding',
        fails: `${dd.instr('_line', dd.replacementChar, true)} > 0`,
        reason: s('the line is not valid UTF-8 (each undecodable byte is shown as U+FFFD)'),
        rawValue: 'NULL',
      },
      {
        column: null,
        rule: 'column_count',
        fails: `_format = 'csv' AND _csv_ok AND ${dd.size('_fields')} <> _width`,
        reason: `concat('expected ', ${text('_width')}, ' fields, got ', ${text(dd.size('_fields'))})`,
        rawValue: 'NULL',
      },
      {
        column: null,
        rule: 'csv',
        fails: `_format = 'csv' AND NOT _csv_ok`,
        reason: s('malformed CSV quoting: a quote opens or closes in the middle of a field'),
        rawValue: 'NULL',
      },
      {
        column: null,
        rule: 'json',
        fails: `_format = 'jsonl' AND NOT _json_ok`,
        reason: s('the line is not a JSON object'),
        rawValue: 'NULL',
      },
    ];
    for (const c of m.columns) {
      const v = raw(c.name);
      const t = q(c.name);
      const got = (prefix: string) => `concat(${s(prefix)}, ${quoted(v)})`;
      if (c.required)
        list.push({
          column: c.name,
          rule: 'required',
          fails: `${v} IS NULL`,
          reason: s(`${c.name} is required but missing`),
          rawValue: v,
        });
      if (c.type.kind !== 'string')
        list.push({
          column: c.name,
          rule: 'type',
          fails: `${v} IS NOT NULL AND ${t} IS NULL`,
          reason: got(`${c.name} must be ${article(c.type)}, got `),
          rawValue: v,
        });
      if (c.min !== undefined)
        list.push({
          column: c.name,
          rule: 'min',
          fails: `${t} < ${c.min}`,
          reason: got(`${c.name} must be at least ${c.min}, got `),
          rawValue: v,
        });
      if (c.max !== undefined)
        list.push({
          column: c.name,
          rule: 'max',
          fails: `${t} > ${c.max}`,
          reason: got(`${c.name} must be at most ${c.max}, got `),
          rawValue: v,
        });
      if (c.pattern !== undefined)
        list.push({
          column: c.name,
          rule: 'pattern',
          fails: `${v} IS NOT NULL AND NOT ${dd.matches(v, c.pattern)}`,
          reason: got(`${c.name} must match ${c.pattern}, got `),
          rawValue: v,
        });
      if (c.values !== undefined)
        list.push({
          column: c.name,
          rule: 'values',
          fails: `${t} IS NOT NULL AND ${t} NOT IN (${c.values.map((x) => (typeof x === 'number' ? String(x) : s(x))).join(', ')})`,
          reason: got(`${c.name} must be one of ${c.values.join(', ')}, got `),
          rawValue: v,
        });
    }
    for (const p of m.partitionBy) {
      const derived = m.derived.find((x) => x.name === p);
      list.push({
        column: p,
        rule: 'partition',
        fails: `${q(p)} IS NULL`,
        reason: s(`partition column ${p} is null${derived ? ` (${derived.source})` : ''}`),
        rawValue: derived ? 'NULL' : raw(p),
      });
    }
    return list;
  }
}

function article(type: LogicalType): string {
  const name = typeName(type);
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}
