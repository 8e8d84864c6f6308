/** Counts of one raw file: rowsRead = curatedRows + rejectedRows, always. */
export interface FileCounts {
  /** the raw key */
  readonly file: string;
  readonly rowsRead: number;
  readonly curatedRows: number;
  readonly rejectedRows: number;
}

/**
 * What the ETL writes to `_manifests/run=<runId>/<stageId>.json`; the workflow puts it at
 * `$.<stageId>` (e.g. `$.etl.rejectedRatio` in a choice). The Glue job writes the same shape.
 */
export interface EtlManifest {
  readonly dataset: string;
  readonly runId: string;
  readonly stageId: string;
  readonly engine: 'duckdb' | 'glue';
  readonly filesRead: number;
  readonly rowsRead: number;
  readonly curatedRows: number;
  readonly rejectedRows: number;
  /** rejectedRows / rowsRead, 0 when nothing was read */
  readonly rejectedRatio: number;
  /** how many partitions received curated rows */
  readonly partitions: number;
  /** e.g. `[{ partition: 'dt=2026-11-25', curatedRows: 1200 }]` */
  readonly byPartition: readonly { readonly partition: string; readonly curatedRows: number }[];
  readonly byFile: readonly FileCounts[];
  /** every object the run wrote, lake keys */
  readonly outputs: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** rejected / read, rounded to 6 decimals so DuckDB and Spark manifests compare equal. */
export function rejectedRatioOf(rejectedRows: number, rowsRead: number): number {
  return rowsRead === 0 ? 0 : Math.round((rejectedRows / rowsRead) * 1e6) / 1e6;
}

/** The counts the workflow reads at `$.<stageId>`, in this order. */
export const MANIFEST_COUNTS = [
  'filesRead',
  'rowsRead',
  'curatedRows',
  'rejectedRows',
  'rejectedRatio',
  'partitions',
] as const;

/** The manifest object's S3 user metadata: each count as JSON text under its lower-cased name. */
export function manifestMetadata(
  manifest: Pick<EtlManifest, (typeof MANIFEST_COUNTS)[number]>,
): Record<string, string> {
  return Object.fromEntries(
    MANIFEST_COUNTS.map((field) => [field.toLowerCase(), JSON.stringify(manifest[field])]),
  );
}
