import { assertSafeName, lakePrefixes } from '@lakepipe/lake';
import type { DatasetContract, DatasetSpec } from '@lakepipe/workflow';
import { ViewValueError } from './errors';

/** The lake stages that get a table per dataset. */
export const TABLE_STAGES = ['raw', 'curated', 'rejected', 'features', 'scored'] as const;
export type TableStage = (typeof TABLE_STAGES)[number];

/** A column type in pipeline.yaml's vocabulary: string, int, bigint, double, boolean, date, timestamp, decimal(p,s). */
export type LakeColumnType = string;

export interface LakeColumn {
  readonly name: string;
  readonly type: LakeColumnType;
}

/** One table over one prefix of the lake: the same name and columns in Athena and in DuckDB. */
export interface LakeTable {
  /** `<stage>_<dataset>`, e.g. curated_bench_tests */
  readonly name: string;
  readonly dataset: string;
  readonly stage: TableStage;
  /** the lake prefix the table reads, e.g. `curated/bench_tests/` */
  readonly prefix: string;
  /** how the files are written */
  readonly format: 'csv' | 'jsonl' | 'parquet';
  /** the files have a header line (raw CSV only) */
  readonly header: boolean;
  readonly delimiter: string;
  /** columns stored in the files, in file order */
  readonly columns: readonly LakeColumn[];
  /** Hive partition columns read from the path (`dt=...`, `run=...`), after the file columns */
  readonly partitionKeys: readonly LakeColumn[];
}

/** `<stage>_<dataset>`: the one naming scheme for every table, in Athena and DuckDB. */
export function tableName(stage: TableStage, dataset: string): string {
  return assertSafeName('table', `${stage}_${assertSafeName('dataset', dataset)}`);
}

/** `<dataset>_latest`: curated rows of the newest run joined with their scores. */
export function latestViewName(dataset: string): string {
  return assertSafeName('view', `${assertSafeName('dataset', dataset)}_latest`);
}

/** `<dataset>_current`: for a dataset with a `unique` column, the newest row per key across all runs. */
export function currentViewName(dataset: string): string {
  return assertSafeName('view', `${assertSafeName('dataset', dataset)}_current`);
}

/** `<dataset>_rejects_summary`: rejected rows counted by run, column and rule. */
export function rejectsSummaryViewName(dataset: string): string {
  return assertSafeName('view', `${assertSafeName('dataset', dataset)}_rejects_summary`);
}

/** The column the features and scored files start with: the first `unique` column, else the first column. */
export function idColumnOf(spec: DatasetSpec): LakeColumn {
  const entries = Object.entries(spec.columns);
  const [name, column] = entries.find(([, c]) => c.unique) ?? entries[0]!;
  return { name, type: column.type };
}

const RUN: LakeColumn = { name: 'run', type: 'string' };

/**
 * The five tables of one dataset, in lake order: raw, curated, rejected, features, scored. The
 * curated, features and scored columns and their types are what the stages publish in the
 * dataset's contract (spark-etl: curated with derived columns typed as the ETL writes them;
 * scoring: the model's score columns). Without a contract (no ETL or scoring stage for the
 * dataset) curated holds the declared columns and scored one `score` column.
 */
export function datasetTables(
  dataset: string,
  spec: DatasetSpec,
  contract: DatasetContract = { dataset },
): readonly LakeTable[] {
  assertSafeName('dataset', dataset);
  const partitionBy = spec.partitionBy ?? [];
  const declared = Object.entries(spec.columns).map(([name, c]) => ({ name, type: c.type }));
  const all: readonly LakeColumn[] = contract.curated ?? declared;
  const typeOf = (name: string) => all.find((c) => c.name === name)?.type ?? 'string';
  const id = idColumnOf(spec);
  const csv = spec.format?.csv;
  const rawFormat = spec.format?.jsonl && !csv ? 'jsonl' : 'csv';
  const base = { dataset, header: false, delimiter: ',' } as const;

  // the scored files' first column is the id; the table names it `id`
  const scoreColumns: readonly LakeColumn[] = contract.scored?.columns.slice(1) ?? [
    { name: 'score', type: 'double' },
  ];

  return [
    {
      ...base,
      name: tableName('raw', dataset),
      stage: 'raw',
      prefix: lakePrefixes.raw(dataset),
      format: rawFormat,
      header: rawFormat === 'csv' && (csv?.header ?? true),
      delimiter: csv?.delimiter ?? ',',
      // raw is the source text, byte for byte: every declared column as a string
      columns: declared.map((c) => ({ name: c.name, type: 'string' })),
      partitionKeys: [{ name: 'dt', type: 'date' }, RUN],
    },
    {
      ...base,
      name: tableName('curated', dataset),
      stage: 'curated',
      prefix: lakePrefixes.curated(dataset),
      format: 'parquet',
      columns: [
        ...all.filter((c) => !partitionBy.includes(c.name)),
        { name: 'run_id', type: 'string' },
        { name: 'source_file', type: 'string' },
      ],
      partitionKeys: partitionBy.map((name) => ({ name, type: typeOf(name) })),
    },
    {
      ...base,
      name: tableName('rejected', dataset),
      stage: 'rejected',
      prefix: lakePrefixes.rejected(dataset),
      format: 'parquet',
      columns: [
        { name: 'run_id', type: 'string' },
        { name: 'source_file', type: 'string' },
        { name: 'line_number', type: 'bigint' },
        { name: 'reason_column', type: 'string' },
        { name: 'reason_rule', type: 'string' },
        { name: 'reason', type: 'string' },
        { name: 'raw_value', type: 'string' },
        { name: 'raw_record', type: 'string' },
      ],
      partitionKeys: [RUN],
    },
    {
      ...base,
      name: tableName('features', dataset),
      stage: 'features',
      prefix: lakePrefixes.features(dataset),
      format: 'csv',
      columns: [
        { name: 'id', type: id.type },
        ...(spec.features ?? []).map((name) => ({ name, type: typeOf(name) })),
      ],
      partitionKeys: [RUN],
    },
    {
      ...base,
      name: tableName('scored', dataset),
      stage: 'scored',
      prefix: lakePrefixes.scored(dataset),
      format: 'csv',
      columns: [{ name: 'id', type: id.type }, ...scoreColumns],
      partitionKeys: [RUN],
    },
  ];
}

/** DuckDB's name for a pipeline.yaml column type. */
export function duckdbType(type: LakeColumnType): string {
  const map: Record<string, string> = {
    string: 'VARCHAR',
    int: 'INTEGER',
    bigint: 'BIGINT',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
  };
  const decimal = /^decimal\((\d{1,2}),(\d{1,2})\)$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  const mapped = map[type];
  if (!mapped) throw new ViewValueError('column type', type, 'has no DuckDB equivalent');
  return mapped;
}

/** Athena's (Hive DDL) name for a pipeline.yaml column type. */
export function athenaType(type: LakeColumnType): string {
  if (/^decimal\(\d{1,2},\d{1,2}\)$/.test(type)) return type;
  const map: Record<string, string> = {
    string: 'string',
    int: 'int',
    bigint: 'bigint',
    double: 'double',
    boolean: 'boolean',
    date: 'date',
    timestamp: 'timestamp',
  };
  const mapped = map[type];
  if (!mapped) throw new ViewValueError('column type', type, 'has no Athena equivalent');
  return mapped;
}
