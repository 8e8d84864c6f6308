import { COLUMN_TYPES, DECIMAL_TYPE } from '@lakepipe/workflow';

/** A column type of the spec, parsed: the one model both SQL compilers and the catalog read. */
export type LogicalType =
  | { readonly kind: 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'date' | 'timestamp' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number };

export function parseLogicalType(text: string): LogicalType | undefined {
  if ((COLUMN_TYPES as readonly string[]).includes(text))
    return { kind: text as (typeof COLUMN_TYPES)[number] };
  const m = DECIMAL_TYPE.exec(text.replace(/\s+/g, ''));
  if (!m) return undefined;
  const precision = +m[1]!;
  const scale = +m[2]!;
  if (precision < 1 || precision > 38 || scale > precision) return undefined;
  return { kind: 'decimal', precision, scale };
}

/** `decimal(10,2)`, `int`, ...: the Hive/Glue catalog spelling, also the spec's. */
export function typeName(type: LogicalType): string {
  return type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.kind;
}

export function isNumeric(type: LogicalType): boolean {
  return type.kind === 'int' || type.kind === 'bigint' || type.kind === 'double' || type.kind === 'decimal';
}

const NUMERIC_RANK = { int: 0, bigint: 1, decimal: 2, double: 3 } as const;

/** The type two numeric operands widen to (decimal arithmetic widens to double: both engines agree on it). */
export function widenNumeric(a: LogicalType, b: LogicalType): LogicalType {
  const ra = NUMERIC_RANK[a.kind as keyof typeof NUMERIC_RANK];
  const rb = NUMERIC_RANK[b.kind as keyof typeof NUMERIC_RANK];
  if (a.kind === 'decimal' && b.kind === 'decimal' && typeName(a) === typeName(b)) return a;
  if (ra >= 2 || rb >= 2) return { kind: 'double' };
  return ra >= rb ? a : b;
}
