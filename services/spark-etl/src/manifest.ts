import type { ManifestColumn, ManifestOutput, StageManifest, StageManifestInput } from '@lakepipe/lake';

/** Counts of one raw file: rowsRead = curatedRows + rejectedRows, always. */
export interface FileCounts {
  /** the raw key */
  readonly file: string;
  readonly rowsRead: number;
  readonly curatedRows: number;
  readonly rejectedRows: number;
}

/**
 * What an ETL run did, as the engines report it. It is written to `_manifests/run=<runId>/<stageId>.json`
 * as a stage manifest (etlStageManifestInput): the counts below under `counts`, which the workflow
 * puts at `$.<stageId>` (e.g. `$.etl.rejectedRatio` in a choice); the rest under `details`.
 */
export interface EtlManifest {
  readonly dataset: string;
  readonly runId: string;
  readonly stageId: string;
  /** the DuckDB engine, or the Spark job (on Glue, or spark-submit anywhere) */
  readonly engine: 'duckdb' | 'spark';
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

/** The counts of the manifest, which the workflow reads at `$.<stageId>`, in this order. */
export const MANIFEST_COUNTS = [
  'filesRead',
  'rowsRead',
  'curatedRows',
  'rejectedRows',
  'rejectedRatio',
  'partitions',
] as const;

/** The stage manifest (packages/lake) of an ETL run: its counts, measured outputs, schema and detail. */
export function etlStageManifestInput(
  etl: EtlManifest,
  options: {
    readonly outputs: readonly (ManifestOutput | string)[];
    readonly schema: Readonly<Record<string, readonly ManifestColumn[]>>;
  },
): StageManifestInput {
  return {
    runId: etl.runId,
    stageId: etl.stageId,
    stageType: 'spark-etl',
    engine: etl.engine,
    counts: Object.fromEntries(MANIFEST_COUNTS.map((field) => [field, etl[field]])),
    outputs: options.outputs,
    schema: options.schema,
    startedAt: new Date(etl.startedAt),
    finishedAt: new Date(etl.finishedAt),
    details: { dataset: etl.dataset, byPartition: etl.byPartition, byFile: etl.byFile },
  };
}

/** The ETL's own view of a stage manifest it wrote (the DuckDB or the Spark engine). */
export function etlManifestOf(manifest: StageManifest): EtlManifest {
  const details = manifest.details as Pick<EtlManifest, 'dataset' | 'byPartition' | 'byFile'>;
  const count = (field: (typeof MANIFEST_COUNTS)[number]) => manifest.counts[field] ?? 0;
  return {
    dataset: details.dataset,
    runId: manifest.runId,
    stageId: manifest.stageId,
    engine: manifest.engine as EtlManifest['engine'],
    filesRead: count('filesRead'),
    rowsRead: count('rowsRead'),
    curatedRows: count('curatedRows'),
    rejectedRows: count('rejectedRows'),
    rejectedRatio: count('rejectedRatio'),
    partitions: count('partitions'),
    byPartition: details.byPartition,
    byFile: details.byFile,
    outputs: manifest.outputs.map((o) => o.key),
    startedAt: manifest.timings.startedAt,
    finishedAt: manifest.timings.finishedAt,
  };
}
