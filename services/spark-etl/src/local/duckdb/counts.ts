import type { DuckDBConnection } from '@duckdb/node-api';
import type { FileCounts } from '../../manifest';
import type { TransformModel } from '../../spec/model';

/** Rows read, curated and rejected of every raw file (zeros for a file with no rows), in file order. */
export async function fileCounts(db: DuckDBConnection, files: readonly string[]): Promise<FileCounts[]> {
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

/** Curated rows of every partition that has any, by partition path (`dt=2026-11-26`). */
export async function partitionCounts(db: DuckDBConnection, model: TransformModel) {
  const rows = (await db.runAndReadAll('SELECT * FROM etl_partition_counts')).getRowObjectsJson();
  return rows
    .filter((r) => Number(r.curated_rows) > 0)
    .map((r) => ({
      partition: model.partitionBy.map((p) => `${p}=${r[p]}`).join('/'),
      curatedRows: Number(r.curated_rows),
    }))
    .sort((a, b) => a.partition.localeCompare(b.partition));
}

export function sum(counts: readonly FileCounts[], key: 'rowsRead' | 'curatedRows' | 'rejectedRows'): number {
  return counts.reduce((total, c) => total + c[key], 0);
}
