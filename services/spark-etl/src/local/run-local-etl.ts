import path from 'node:path';
import {
  FolderObjectStore,
  lakePrefixes,
  type ManifestOutput,
  measureObject,
  runIdDate,
  writeStageManifest,
} from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { DatasetSpec } from '@lakepipe/workflow';
import { RejectRatioExceededError } from '../errors';
import { type EtlManifest, etlStageManifestInput, rejectedRatioOf } from '../manifest';
import { etlOutputSchema } from '../output-schema';
import { buildTransformModel, type Locate } from '../spec/model';
import { fileCounts, partitionCounts, sum } from './duckdb/counts';
import { writeCurated, writeFeatures } from './duckdb/curated-features';
import { deleteRunFiles, listRawFiles, publishFolder } from './duckdb/lake-files';
import { loadRows } from './duckdb/load-rows';
import { inputFileFor } from './duckdb/normalize-input';
import { collectRejectedLines, writeRejected } from './duckdb/rejected';
import { openEtlSession } from './duckdb/session';
import { recordMovements } from './movements';

export { READABLE_FILE } from './duckdb/lake-files';

export interface LocalEtlOptions {
  /** absolute path of the lake folder (the twin's `.lake/`) */
  readonly lakeRoot: string;
  readonly dataset: string;
  readonly spec: DatasetSpec;
  readonly runId: string;
  readonly stageId: string;
  /** @default no ledger: object movements are not recorded */
  readonly ledger?: LedgerWriter;
  /** @default no progress reports */
  readonly progress?: (update: {
    readonly rows?: number;
    readonly files?: number;
    readonly message?: string;
  }) => void;
  /** DuckDB memory_limit; DuckDB spills to a temp folder under the lake beyond it. @default '400MB' */
  readonly memoryLimit?: string;
  /** @default the number of CPU cores */
  readonly threads?: number;
  /** @default no line numbers in spec errors */
  readonly locate?: Locate;
  /** @default now */
  readonly clock?: () => Date;
  /**
   * Read CSV files that need no quote handling with DuckDB's own CSV reader (same rows, codes and
   * line numbers as the line-by-line text path, which reads every other file). @default true
   */
  readonly fastCsv?: boolean;
}

/**
 * Runs the ETL of one dataset for one run on DuckDB: raw/ -> curated/, rejected/, features/ and
 * the manifest. Outputs are written to a work folder under the lake and then put into place, so a
 * failed run publishes nothing and a re-run replaces exactly its own files. The steps are in
 * `duckdb/`, one concern per file.
 */
export async function runLocalEtl(options: LocalEtlOptions): Promise<EtlManifest> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock().toISOString();
  const { dataset, runId, stageId } = options;
  const model = buildTransformModel(dataset, options.spec, options.locate ? { locate: options.locate } : {});
  const lake = new FolderObjectStore(options.lakeRoot);
  const rawPrefix = lakePrefixes.raw(dataset, runIdDate(runId), runId);
  const files = await listRawFiles(lake, rawPrefix);
  options.progress?.({ files: files.length, message: `reading ${files.length} file(s) of ${rawPrefix}` });

  const session = await openEtlSession(options);
  const { db, work, step } = session;
  try {
    // timestamps with an offset are converted to UTC, as Spark does with spark.sql.session.timeZone=UTC
    await db.run("SET TimeZone = 'UTC'");
    // a file with bytes that are not UTF-8 or a CR that does not end a line is read from a normalized copy
    const paths = files.map((f) => lake.pathOf(f));
    const inputFiles = await Promise.all(paths.map((p, i) => inputFileFor(p, path.join(work, 'input'), i)));
    const { inputs, fastFiles } = await loadRows({
      session,
      model,
      runId,
      files,
      inputFiles,
      paths,
      fastCsv: options.fastCsv ?? true,
    });

    const byFile = await step('count', () => fileCounts(db, files));
    const rowsRead = sum(byFile, 'rowsRead');
    const curatedRows = sum(byFile, 'curatedRows');
    const rejectedRows = sum(byFile, 'rejectedRows');
    options.progress?.({
      rows: rowsRead,
      message: `${curatedRows} curated, ${rejectedRows} rejected; ${fastFiles.size} of ${files.length} file(s) read by DuckDB's CSV reader`,
    });

    const rejectedPrefix = lakePrefixes.rejected(dataset, runId);
    const written: ManifestOutput[] = [];
    await lake.deletePrefix(rejectedPrefix);
    if (rejectedRows > 0) {
      await step('collect rejected lines', () => collectRejectedLines(db, inputs, runId));
      const rejectedWork = path.join(work, 'rejected');
      await step('write rejected', () => writeRejected(db, inputs, files, rejectedWork));
      written.push(...(await publishFolder(lake, rejectedWork, rejectedPrefix)));
    }
    const exactRatio = rowsRead === 0 ? 0 : rejectedRows / rowsRead;
    if (exactRatio > model.maxRejectRatio) {
      await recordMovements(options.ledger, runId, stageId, written);
      throw new RejectRatioExceededError(
        dataset,
        exactRatio,
        model.maxRejectRatio,
        rejectedRows,
        rowsRead,
        rejectedPrefix,
      );
    }

    const byPartition = await partitionCounts(db, model);
    const curatedWork = path.join(work, 'curated');
    const featuresWork = path.join(work, 'features');
    const writesFeatures = model.features.length > 0 && curatedRows > 0;
    if (curatedRows > 0) await step('write curated', () => writeCurated(db, model, runId, curatedWork));
    if (writesFeatures) await step('write features', () => writeFeatures(db, featuresWork));

    // Publish: replace this run's curated files (in every partition) and its features folder.
    const curatedPrefix = lakePrefixes.curated(dataset);
    await deleteRunFiles(lake, curatedPrefix, runId);
    written.push(...(await publishFolder(lake, curatedWork, curatedPrefix)));
    const featuresPrefix = lakePrefixes.features(dataset, runId);
    await lake.deletePrefix(featuresPrefix);
    if (writesFeatures) written.push(...(await publishFolder(lake, featuresWork, featuresPrefix)));

    const outputs = written.map((w) => w.key).sort();
    const manifest: EtlManifest = {
      dataset,
      runId,
      stageId,
      engine: 'duckdb',
      filesRead: files.length,
      rowsRead,
      curatedRows,
      rejectedRows,
      rejectedRatio: rejectedRatioOf(rejectedRows, rowsRead),
      partitions: byPartition.length,
      byPartition,
      byFile,
      outputs,
      startedAt,
      finishedAt: clock().toISOString(),
    };
    const byKey = new Map(written.map((w) => [w.key, w]));
    const measured = outputs.map((key) => byKey.get(key)!);
    await writeStageManifest(
      lake,
      etlStageManifestInput(manifest, { outputs: measured, schema: etlOutputSchema(model) }),
    );
    const manifestKey = lakePrefixes.manifest(runId, stageId);
    await recordMovements(options.ledger, runId, stageId, [
      ...measured,
      await measureObject(lake, manifestKey),
    ]);
    return manifest;
  } finally {
    await session.close();
  }
}
