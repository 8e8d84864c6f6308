import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TransformModel } from '../../spec/model';
import { literal } from './sql';

/** Writes etl_curated as Parquet into `folder`, Hive-partitioned by the dataset's partition columns, files named `<runId>-<i>.parquet`. */
export async function writeCurated(
  db: DuckDBConnection,
  model: TransformModel,
  runId: string,
  folder: string,
): Promise<void> {
  const partitionBy = model.partitionBy.length
    ? `, PARTITION_BY (${model.partitionBy.map((p) => `"${p}"`).join(', ')})`
    : '';
  await mkdir(folder, { recursive: true });
  const target = model.partitionBy.length ? folder : path.join(folder, `${runId}-0.parquet`);
  await db.run(
    `COPY (SELECT * FROM etl_curated) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd${partitionBy}${model.partitionBy.length ? `, FILENAME_PATTERN '${runId}-{i}'` : ''})`,
  );
}

/** Writes etl_features to `<folder>/part-0.csv`: the model's input, id first, no header. */
export async function writeFeatures(db: DuckDBConnection, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await db.run(
    `COPY (SELECT * FROM etl_features) TO ${literal(path.join(folder, 'part-0.csv'))} (FORMAT csv, HEADER false, DELIMITER ',')`,
  );
}
