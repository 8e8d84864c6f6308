/** Plain-text tables for the terminal: aligned columns, numbers right-aligned, long cells cut. */
export interface TableColumn {
  readonly header: string;
  /** @default 'left' for text, 'right' when every value in the column is a number */
  readonly align?: 'left' | 'right';
  /** longer values are cut with an ellipsis. @default 60 */
  readonly maxWidth?: number;
}

export type Cell = string | number | boolean | null | undefined;

export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number')
    return Number.isInteger(value) ? value.toLocaleString('en-US') : formatNumber(value);
  return String(value);
}

function formatNumber(value: number): string {
  if (Math.abs(value) >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return value.toPrecision(4).replace(/\.?0+$/, '');
}

function cut(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, Math.max(1, width - 1))}…`;
}

export function renderTable(
  columns: readonly (TableColumn | string)[],
  rows: readonly (readonly Cell[])[],
): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const cells = rows.map((row) => cols.map((c, i) => cut(formatCell(row[i]), c.maxWidth ?? 60)));
  const numeric = cols.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] == null),
  );
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) => {
    const align = cols[i]!.align ?? (numeric[i] ? 'right' : 'left');
    return align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  };
  const line = (values: readonly string[]) => values.map(pad).join('  ').trimEnd();
  const out = [line(cols.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w)))];
  for (const row of cells) out.push(line(row));
  return out.join('\n');
}

/** Duration for people: 850 ms, 12.3 s, 4 min 05 s. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
