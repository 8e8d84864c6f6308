/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL list of string literals. */
export function listLiteral(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}

/** A quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
