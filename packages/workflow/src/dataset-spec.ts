import { NAME_PATTERN } from '@lakepipe/lake';
import { z } from 'zod';

/**
 * The `datasets:` section of pipeline.yaml: what a dataset looks like and which rows are good.
 * Shared by every service (sourcing reads `source`, spark-etl everything, scoring `features`,
 * view the columns).
 */
/** A dataset, stage, view or column name: the lake's one naming rule (packages/lake names.ts). */
export const SAFE_NAME = NAME_PATTERN;
/** A name following SAFE_NAME, for the attribute schemas of stage types (e.g. `dataset:`). */
export const safeNameSchema = z.string().regex(SAFE_NAME, 'must match ^[a-z][a-z0-9_]{0,62}$');
const safeName = safeNameSchema;

export const COLUMN_TYPES = ['string', 'int', 'bigint', 'double', 'boolean', 'date', 'timestamp'] as const;
/** string | int | bigint | double | boolean | date | timestamp | decimal(p,s) */
export const DECIMAL_TYPE = /^decimal\((\d{1,2}),\s*(\d{1,2})\)$/;
export const columnType = z.string().refine(
  (t) => {
    if ((COLUMN_TYPES as readonly string[]).includes(t)) return true;
    const m = DECIMAL_TYPE.exec(t);
    // precision 1..38 (Parquet, Spark and DuckDB agree up to 38), scale <= precision
    return m !== null && +m[1]! >= 1 && +m[1]! <= 38 && +m[2]! <= +m[1]!;
  },
  {
    error: (issue) =>
      `unknown type ${JSON.stringify(issue.input)}: use one of ${COLUMN_TYPES.join(', ')} or decimal(p,s) with 1 <= p <= 38 and s <= p`,
  },
);

export const columnSpec = z.strictObject({
  type: columnType,
  /** @default false — a missing value is allowed (stored as null) */
  required: z.boolean().optional(),
  /** @default false — duplicates are allowed */
  unique: z.boolean().optional(),
  /** a regular expression the raw text must match (searched, so anchor it with ^...$); RE2/Java common subset */
  pattern: z.string().optional(),
  /** numeric types only: the smallest allowed value, inclusive */
  min: z.number().optional(),
  /** numeric types only: the largest allowed value, inclusive */
  max: z.number().optional(),
  /** allowed values (strings for string columns, numbers for numeric columns) */
  values: z.array(z.union([z.string(), z.number()])).optional(),
  description: z.string().optional(),
});

export const sourceSpec = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('s3'),
    /** a prefix of the lake bucket (e.g. landing/bench_tests/) */
    prefix: z.string().min(1),
    /** @default the lake bucket */
    bucket: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('http'),
    urls: z.array(z.url()).optional(),
    indexUrl: z.url().optional(),
    /** @default 5 GiB */
    maxBytes: z.number().int().positive().optional(),
    /** @default text/csv, application/x-ndjson, application/json, application/gzip, application/octet-stream, text/plain */
    contentTypes: z.array(z.string()).optional(),
  }),
  z.strictObject({
    type: z.literal('directory'),
    path: z.string().min(1),
  }),
]);

export const formatSpec = z.strictObject({
  csv: z
    .strictObject({
      /** @default true */
      header: z.boolean().optional(),
      /** @default "," */
      delimiter: z.string().length(1).optional(),
    })
    .optional(),
  jsonl: z.strictObject({}).optional(),
});

export const datasetSpec = z.strictObject({
  description: z.string().optional(),
  source: sourceSpec,
  /** @default csv with a header and "," — files are read by extension: .csv, .jsonl, either .gz */
  format: formatSpec.optional(),
  columns: z.record(safeName, columnSpec),
  /**
   * derived columns: name -> SQL expression over declared columns, in the subset both Spark SQL
   * and DuckDB accept (column names, literals, + - * /, CAST(x AS type), COALESCE, LOWER, UPPER,
   * ABS, ROUND, GREATEST, LEAST). @default none
   */
  derive: z.record(safeName, z.string()).optional(),
  /** @default [] */
  partitionBy: z.array(safeName).optional(),
  /** the model's input columns (numeric), in order; the first column of features/ is the unique id. @default no features/ output */
  features: z.array(safeName).optional(),
  /** above it, the ETL stage fails. @default 0.2 */
  maxRejectRatio: z.number().min(0).max(1).optional(),
});

export type ColumnSpec = z.infer<typeof columnSpec>;
export type SourceSpec = z.infer<typeof sourceSpec>;
export type DatasetSpec = z.infer<typeof datasetSpec>;
