import { assertRunId, lakePrefixes, type ObjectStore, parseStageManifest } from '@lakepipe/lake';

/** A source file a sourcing stage looked at and did not land (duplicate, skipped, quarantined...). */
export interface NotLandedFile {
  readonly stageId: string;
  readonly dataset: string;
  readonly name: string;
  readonly source: string;
  /** `duplicate`, `skipped`, `quarantined` or whatever the sourcing manifest says */
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** One line the ETL rejected: where it was and why. */
export interface RejectSample {
  /** the raw/ key of the file */
  readonly file: string;
  /** 1-based line number in that file */
  readonly line: number;
  readonly value?: string;
  readonly raw?: string;
  readonly reason?: string;
}

/** Rejected rows of one dataset grouped by column and rule, with a few sample lines each. */
export interface RejectGroup {
  readonly dataset: string;
  readonly column: string;
  readonly rule: string;
  readonly rows: number;
  readonly samples: readonly RejectSample[];
}

/** What `lakepipe query` shows for one table of this run. */
export interface RunTableQuery {
  readonly table: string;
  readonly command: string;
}

/** What the lake (not the ledger) knows about one run: the manifests and the rejected/ prefix. */
export interface RunDetails {
  readonly runId: string;
  readonly notLanded: readonly NotLandedFile[];
  readonly rejects: readonly RejectGroup[];
  /** rejected rows the groups hold (may be below the ETL's count when a file could not be read) */
  readonly rejectedRowsRead: number;
  readonly queries: readonly RunTableQuery[];
  /** sentences about what could not be read (a malformed manifest, an unreadable Parquet file) */
  readonly problems: readonly string[];
}

export interface RunDetailsProps {
  readonly store: ObjectStore;
  /**
   * How `lakepipe query` reaches this lake, appended to each command (e.g. `--lake .tmp/lake`).
   * @default '' (the default lake)
   */
  readonly queryFlags?: string;
  /**
   * The pipeline's datasets: each gets its query commands even before an ETL manifest names it.
   * @default only the datasets the run's ETL manifests name
   */
  readonly datasets?: readonly string[];
  /**
   * Sample lines kept per column and rule.
   * @default 3
   */
  readonly samplesPerGroup?: number;
}

interface ManifestDetail {
  readonly dataset?: string;
  readonly name?: string;
  readonly source?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * Reads a run's sourcing and ETL manifests (`_manifests/run=<id>/*.json`) and its rejected rows
 * (`rejected/<dataset>/run=<id>/*.parquet`, written by the ETL with source_file, line_number,
 * reason_column, reason_rule, raw_value and raw_record) from either object store, so the local
 * and the cloud dashboard show the same panel.
 */
export async function readRunDetails(runId: string, props: RunDetailsProps): Promise<RunDetails> {
  assertRunId(runId);
  const { store } = props;
  const problems: string[] = [];
  const notLanded: NotLandedFile[] = [];
  const datasets = new Set<string>(props.datasets ?? []);
  for await (const object of store.listAll(lakePrefixes.manifests(runId))) {
    if (!object.key.endsWith('.json')) continue;
    const stageId = object.key.slice(object.key.lastIndexOf('/') + 1, -'.json'.length);
    let manifest: Record<string, unknown>;
    try {
      const text = await readText(store, object.key);
      const loose = JSON.parse(text) as Record<string, unknown>;
      // the stage manifest contract (packages/lake manifest.ts); older lakes wrote a looser layout
      manifest = 'manifestVersion' in loose ? parseStageManifest(text, object.key) : loose;
    } catch (error) {
      problems.push(`${object.key} could not be read: ${(error as Error).message}`);
      continue;
    }
    for (const detail of notLandedOf(manifest)) {
      if (!detail || detail.status === 'ingested') continue;
      notLanded.push({
        stageId,
        dataset: String(detail.dataset ?? ''),
        name: String(detail.name ?? detail.source ?? ''),
        source: String(detail.source ?? ''),
        status: String(detail.status ?? 'unknown'),
        reason: detail.reason,
        message: detail.message,
      });
    }
    for (const dataset of rejectedDatasetsOf(manifest)) datasets.add(dataset);
  }

  const rejects: RejectGroup[] = [];
  let rejectedRowsRead = 0;
  for (const dataset of [...datasets].sort()) {
    const groups = new Map<string, { column: string; rule: string; rows: number; samples: RejectSample[] }>();
    for await (const object of store.listAll(lakePrefixes.rejected(dataset, runId))) {
      if (!object.key.endsWith('.parquet')) continue;
      let rows: Record<string, unknown>[];
      try {
        rows = await readParquet(store, object.key);
      } catch (error) {
        problems.push(`${object.key} could not be read: ${(error as Error).message}`);
        continue;
      }
      rejectedRowsRead += rows.length;
      for (const row of rows) {
        const column = String(row.reason_column ?? '(row)');
        const rule = String(row.reason_rule ?? 'unknown');
        const id = `${column}\u0000${rule}`;
        let group = groups.get(id);
        if (!group) {
          group = { column, rule, rows: 0, samples: [] };
          groups.set(id, group);
        }
        group.rows += 1;
        if (group.samples.length < (props.samplesPerGroup ?? 3)) {
          group.samples.push({
            file: String(row.source_file ?? ''),
            line: Number(row.line_number ?? 0),
            value: optionalText(row.raw_value),
            raw: optionalText(row.raw_record),
            reason: optionalText(row.reason),
          });
        }
      }
    }
    rejects.push(
      ...[...groups.values()]
        .sort((a, b) => b.rows - a.rows || a.column.localeCompare(b.column) || a.rule.localeCompare(b.rule))
        .map((g) => ({ dataset, ...g })),
    );
  }

  return {
    runId,
    notLanded,
    rejects,
    rejectedRowsRead,
    queries: runTableQueries(runId, [...datasets].sort(), props.queryFlags ?? ''),
    problems,
  };
}

/** The `lakepipe query` commands that show this run's rows in each table of its datasets. */
export function runTableQueries(runId: string, datasets: readonly string[], flags: string): RunTableQuery[] {
  const tail = flags ? ` ${flags}` : '';
  return datasets.flatMap((dataset) =>
    [
      [`curated_${dataset}`, `SELECT * FROM curated_${dataset} WHERE run_id = '${runId}' LIMIT 20`],
      [
        `rejected_${dataset}`,
        `SELECT source_file, line_number, reason_column, reason_rule, raw_value FROM rejected_${dataset} WHERE run_id = '${runId}' LIMIT 20`,
      ],
      [`scored_${dataset}`, `SELECT * FROM scored_${dataset} WHERE run = '${runId}' LIMIT 20`],
      [`${dataset}_rejects_summary`, `SELECT * FROM ${dataset}_rejects_summary WHERE run_id = '${runId}'`],
    ].map(([table, sql]) => ({ table: table!, command: `npx lakepipe query "${sql}"${tail}` })),
  );
}

/** Files a sourcing manifest lists as not landed: `details.notLanded`, or the older `details` array. */
function notLandedOf(manifest: Record<string, unknown>): ManifestDetail[] {
  const details = manifest.details as unknown;
  if (Array.isArray(details)) return details as ManifestDetail[];
  const notLanded = (details as { notLanded?: unknown } | undefined)?.notLanded;
  return Array.isArray(notLanded) ? (notLanded as ManifestDetail[]) : [];
}

/** Datasets whose rejected/ prefix a manifest wrote to (its outputs), or names (older layout). */
function rejectedDatasetsOf(manifest: Record<string, unknown>): string[] {
  const found: string[] = [];
  if (typeof manifest.dataset === 'string' && typeof manifest.rejectedRows === 'number')
    found.push(manifest.dataset);
  for (const output of Array.isArray(manifest.outputs) ? manifest.outputs : []) {
    const key = typeof output === 'string' ? output : (output as { key?: unknown })?.key;
    const match = typeof key === 'string' ? /^rejected\/([^/]+)\//.exec(key) : null;
    if (match) found.push(match[1]!);
  }
  return found;
}

function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

async function readBytes(store: ObjectStore, key: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function readText(store: ObjectStore, key: string): Promise<string> {
  return Buffer.from(await readBytes(store, key)).toString('utf8');
}

async function readParquet(store: ObjectStore, key: string): Promise<Record<string, unknown>[]> {
  const [{ parquetReadObjects }, { decompress }] = await Promise.all([import('hyparquet'), import('fzstd')]);
  const bytes = await readBytes(store, key);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({
    file,
    // the ETL writes zstd; hyparquet takes the codec as a plug-in
    compressors: { ZSTD: (input: Uint8Array, length: number) => decompress(input, new Uint8Array(length)) },
  });
  return rows as Record<string, unknown>[];
}
