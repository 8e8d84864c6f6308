import type { DatasetSpec } from '@lakepipe/workflow';
import { ExpressionError, type SpecIssue, SpecValidationError } from '../errors';
import { type Expr, parseExpression, referencedColumns } from './expression';
import { regexDialectProblem } from './regex';
import { isNumeric, type LogicalType, parseLogicalType, typeName, widenNumeric } from './types';

export interface ColumnModel {
  readonly name: string;
  readonly type: LogicalType;
  readonly required: boolean;
  readonly unique: boolean;
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly (string | number)[];
}

export interface DerivedModel {
  readonly name: string;
  /** the expression as written in pipeline.yaml */
  readonly source: string;
  readonly expr: Expr;
  /** inferred; the compilers cast the result to it so both engines write the same Parquet type */
  readonly type: LogicalType;
}

/** Everything the ETL does to one dataset, built once and compiled to DuckDB SQL and Spark SQL. */
export interface TransformModel {
  readonly dataset: string;
  readonly csv: { readonly header: boolean; readonly delimiter: string };
  /** in declared order: the order rules are checked in (first failing rule wins) */
  readonly columns: readonly ColumnModel[];
  readonly derived: readonly DerivedModel[];
  readonly partitionBy: readonly string[];
  /** the unique id column: first in features/ rows. @default the first unique column */
  readonly idColumn?: string;
  readonly features: readonly string[];
  readonly maxRejectRatio: number;
}

/** Output columns the ETL adds; a dataset may not declare them. */
export const LINEAGE_COLUMNS = ['run_id', 'source_file'] as const;
const PARTITION_TYPES = new Set(['string', 'int', 'bigint', 'date', 'boolean']);
export const DEFAULT_MAX_REJECT_RATIO = 0.2;

/** Locates a path of pipeline.yaml, e.g. `pipeline.yaml:31`; see `yamlLocator`. */
export type Locate = (path: readonly (string | number)[]) => string | undefined;

export interface BuildOptions {
  /** @default no line numbers in messages */
  readonly locate?: Locate;
}

/** Builds the transform model, or throws SpecValidationError listing every problem with its path and line. */
export function buildTransformModel(
  dataset: string,
  spec: DatasetSpec,
  options: BuildOptions = {},
): TransformModel {
  const { model, issues } = analyseDatasetSpec(dataset, spec);
  if (issues.length > 0)
    throw new SpecValidationError(
      issues.map((i) => ({ ...i, ...(options.locate ? { location: options.locate(i.path) } : {}) })),
    );
  return model!;
}

/** Every problem of a dataset spec (paths from the pipeline root); the model when there are none. */
export function analyseDatasetSpec(
  dataset: string,
  spec: DatasetSpec,
): { model?: TransformModel; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const at = (...path: (string | number)[]) => ['datasets', dataset, ...path];
  const issue = (path: (string | number)[], message: string) => issues.push({ path: at(...path), message });

  const delimiter = spec.format?.csv?.delimiter ?? ',';
  if (delimiter === '"' || delimiter === '\n' || delimiter === '\r')
    issue(['format', 'csv', 'delimiter'], `delimiter ${JSON.stringify(delimiter)} is not allowed`);

  const columns: ColumnModel[] = [];
  for (const [name, col] of Object.entries(spec.columns)) {
    const type = parseLogicalType(col.type);
    if (!type) {
      issue(
        ['columns', name, 'type'],
        `unknown type ${JSON.stringify(col.type)}: use string, int, bigint, double, decimal(p,s), boolean, date or timestamp`,
      );
      continue;
    }
    if ((LINEAGE_COLUMNS as readonly string[]).includes(name))
      issue(
        ['columns', name],
        `column name ${name} is reserved for lineage (the ETL adds ${LINEAGE_COLUMNS.join(', ')})`,
      );
    if (col.unique && !col.required)
      issue(
        ['columns', name, 'unique'],
        `unique column ${name} must also be required: true (a null id cannot be unique)`,
      );
    for (const bound of ['min', 'max'] as const)
      if (col[bound] !== undefined && !isNumeric(type))
        issue(
          ['columns', name, bound],
          `${bound} applies to numeric columns only; ${name} is ${typeName(type)}`,
        );
    if (col.min !== undefined && col.max !== undefined && col.min > col.max)
      issue(['columns', name, 'min'], `min ${col.min} is greater than max ${col.max}`);
    if (col.pattern !== undefined) {
      const problem = patternProblem(col.pattern);
      if (problem) issue(['columns', name, 'pattern'], problem);
    }
    if (col.values !== undefined) {
      if (col.values.length === 0) issue(['columns', name, 'values'], 'values must list at least one value');
      col.values.forEach((v, i) => {
        const wanted = isNumeric(type) ? 'number' : type.kind === 'string' ? 'string' : undefined;
        if (!wanted)
          issue(
            ['columns', name, 'values'],
            `values applies to string and numeric columns; ${name} is ${typeName(type)}`,
          );
        else if (typeof v !== wanted)
          issue(
            ['columns', name, 'values', i],
            `value ${JSON.stringify(v)} must be a ${wanted} (${name} is ${typeName(type)})`,
          );
      });
    }
    columns.push({
      name,
      type,
      required: col.required ?? false,
      unique: col.unique ?? false,
      ...(col.pattern !== undefined ? { pattern: col.pattern } : {}),
      ...(col.min !== undefined ? { min: col.min } : {}),
      ...(col.max !== undefined ? { max: col.max } : {}),
      ...(col.values !== undefined ? { values: col.values } : {}),
    });
  }
  const columnTypes = new Map(columns.map((c) => [c.name, c.type]));

  const derived: DerivedModel[] = [];
  for (const [name, source] of Object.entries(spec.derive ?? {})) {
    if (name in spec.columns) {
      issue(['derive', name], `derived column ${name} has the name of a declared column`);
      continue;
    }
    if ((LINEAGE_COLUMNS as readonly string[]).includes(name)) {
      issue(['derive', name], `column name ${name} is reserved for lineage`);
      continue;
    }
    let expr: Expr;
    try {
      expr = parseExpression(source);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      issue(['derive', name], e.message);
      continue;
    }
    const missing = referencedColumns(expr).filter((c) => !columnTypes.has(c));
    if (missing.length > 0) {
      issue(
        ['derive', name],
        `references unknown column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (declared: ${[...columnTypes.keys()].join(', ')})`,
      );
      continue;
    }
    const inferred = inferType(expr, columnTypes);
    if (typeof inferred === 'string') {
      issue(['derive', name], `${inferred} in ${JSON.stringify(source)}`);
      continue;
    }
    derived.push({ name, source, expr, type: inferred });
  }

  const allTypes = new Map<string, LogicalType>([
    ...columnTypes,
    ...derived.map((d) => [d.name, d.type] as const),
  ]);
  const partitionBy = spec.partitionBy ?? [];
  partitionBy.forEach((p, i) => {
    const type = allTypes.get(p);
    if (!type)
      issue(
        ['partitionBy', i],
        `partitionBy names unknown column ${p} (known: ${[...allTypes.keys()].join(', ')})`,
      );
    else if (!PARTITION_TYPES.has(type.kind))
      issue(
        ['partitionBy', i],
        `partition column ${p} is ${typeName(type)}; use a string, int, bigint, date or boolean column`,
      );
  });

  const idColumn = columns.find((c) => c.unique)?.name;
  const features = spec.features ?? [];
  if (features.length > 0 && !idColumn)
    issue(
      ['features'],
      'features need a unique id column (a column with unique: true and required: true) to lead each row',
    );
  features.forEach((f, i) => {
    const type = allTypes.get(f);
    if (!type)
      issue(['features', i], `feature ${f} is not a column (known: ${[...allTypes.keys()].join(', ')})`);
    else if (!isNumeric(type))
      issue(
        ['features', i],
        `feature ${f} is ${typeName(type)}, not a numeric column (int, bigint, double, decimal)`,
      );
    else if (partitionBy.includes(f)) issue(['features', i], `feature ${f} is a partition column`);
  });
  if (new Set(features).size !== features.length) issue(['features'], 'features lists a column twice');

  if (issues.length > 0) return { issues };
  return {
    issues,
    model: {
      dataset,
      csv: { header: spec.format?.csv?.header ?? true, delimiter },
      columns,
      derived,
      partitionBy,
      ...(idColumn ? { idColumn } : {}),
      features,
      maxRejectRatio: spec.maxRejectRatio ?? DEFAULT_MAX_REJECT_RATIO,
    },
  };
}

/** RE2 (DuckDB) and java.util.regex (Spark) agree on a common subset: no lookaround, no backreferences, none of regexDialectProblem's. */
function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch (e) {
    return `pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`;
  }
  if (/\(\?<?[=!]/.test(pattern))
    return `pattern ${JSON.stringify(pattern)} uses lookaround, which DuckDB (RE2) does not support`;
  if (/\\[1-9]/.test(pattern))
    return `pattern ${JSON.stringify(pattern)} uses a backreference, which DuckDB (RE2) does not support`;
  if (pattern.includes("'") || /[\n\r]/.test(pattern))
    return `pattern ${JSON.stringify(pattern)} contains a quote or a line break`;
  return regexDialectProblem(pattern);
}

/** The type of an expression, or a sentence saying why it has none. */
export function inferType(expr: Expr, columns: ReadonlyMap<string, LogicalType>): LogicalType | string {
  switch (expr.kind) {
    case 'column':
      return columns.get(expr.name) ?? `unknown column ${expr.name}`;
    case 'number':
      return /[.]/.test(expr.text) ? { kind: 'double' } : { kind: 'bigint' };
    case 'string':
      return { kind: 'string' };
    case 'cast': {
      const inner = inferType(expr.expr, columns);
      return typeof inner === 'string' ? inner : expr.type;
    }
    case 'negate': {
      const inner = inferType(expr.expr, columns);
      if (typeof inner === 'string') return inner;
      return isNumeric(inner) ? inner : `cannot negate a ${typeName(inner)}`;
    }
    case 'binary': {
      const l = inferType(expr.left, columns);
      if (typeof l === 'string') return l;
      const r = inferType(expr.right, columns);
      if (typeof r === 'string') return r;
      if (!isNumeric(l) || !isNumeric(r))
        return `arithmetic "${expr.op}" needs numeric operands, got ${typeName(l)} and ${typeName(r)}`;
      if (expr.op === '/') return { kind: 'double' };
      const wide = widenNumeric(l, r);
      // int op int may overflow int in DuckDB (an error) but wraps in Spark: compute in bigint in both
      return wide.kind === 'int' ? { kind: 'bigint' } : wide;
    }
    case 'call': {
      const args: LogicalType[] = [];
      for (const a of expr.args) {
        const t = inferType(a, columns);
        if (typeof t === 'string') return t;
        args.push(t);
      }
      switch (expr.fn) {
        case 'LOWER':
        case 'UPPER':
          return args[0]!.kind === 'string'
            ? args[0]!
            : `${expr.fn} needs a string, got ${typeName(args[0]!)}`;
        case 'ABS':
          return isNumeric(args[0]!) ? args[0]! : `ABS needs a number, got ${typeName(args[0]!)}`;
        case 'ROUND':
          if (!isNumeric(args[0]!)) return `ROUND needs a number, got ${typeName(args[0]!)}`;
          if (args[1] && !(expr.args[1]!.kind === 'number' && !expr.args[1]!.text.includes('.')))
            return 'ROUND takes an integer literal as its second argument';
          return args[0]!;
        default: {
          // COALESCE, GREATEST, LEAST: one common type
          if (args.every(isNumeric)) return args.reduce(widenNumeric);
          const first = typeName(args[0]!);
          return args.every((a) => typeName(a) === first)
            ? args[0]!
            : `${expr.fn} arguments have different types (${args.map(typeName).join(', ')})`;
        }
      }
    }
  }
}
