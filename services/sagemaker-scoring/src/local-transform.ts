import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { assertRunId, lakePrefixes } from '@lakepipe/lake';
import type { LocalStageContext } from '@lakepipe/workflow';
import { FeatureRowsRejectedError, type RejectedFeatureRow } from './errors';
import { countLineFeeds, lineAlignedChunks } from './scorer/line-chunks';
import { formatRejected, scoreFeatures } from './scorer/score-features';
import { Scorer } from './scorer/scorer';
import { ENV_FLAGGED_ROWS, ENV_SCORED_ROWS, ENV_THRESHOLD } from './stage-type';

/** The model the stack ships and the local twin scores with. */
export const SHIPPED_MODEL_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../model/xgboost-model.json',
);

/** Bytes of a features file scored at a time (line-aligned): bounds memory at any file size. */
const SCORING_CHUNK_BYTES = 32 * 1024 * 1024;

/** The rejected rows of a run, beside its scored files; `_` keeps Athena and Hive from reading it. */
export const REJECTED_FILE = '_rejected.csv';

/** The parts of CreateTransformJob's request the local engine reads. */
interface TransformRequest {
  readonly TransformJobName: string;
  readonly ModelName: string;
  readonly TransformInput: { readonly DataSource: { readonly S3DataSource: { readonly S3Uri: string } } };
  readonly TransformOutput: { readonly S3OutputPath: string };
  readonly Environment?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface LocalTransformOptions {
  /**
   * The XGBoost JSON model to score with.
   * @default the shipped model, services/sagemaker-scoring/model/xgboost-model.json
   */
  readonly modelFile?: string;
  /**
   * Bytes of a features file scored at a time, cut at a line end; bounds memory at any file size.
   * @default 32 MiB
   */
  readonly chunkBytes?: number;
}

/**
 * The local engine of `createTransformJob.sync`: scores every features file of the run with
 * the TypeScript scorer into `scored/` (`<file>.out`, the name batch transform gives), writes
 * the run's manifest, records the movements in the ledger and returns DescribeTransformJob's
 * shape with the exact counts in Environment (where the state's ResultSelector reads them).
 */
export async function runLocalTransform(
  input: unknown,
  context: LocalStageContext,
  options: LocalTransformOptions = {},
): Promise<Record<string, unknown>> {
  const request = input as TransformRequest;
  const featuresPrefix = keyOf(request.TransformInput.DataSource.S3DataSource.S3Uri, 'TransformInput S3Uri');
  const scoredPrefix = keyOf(request.TransformOutput.S3OutputPath, 'TransformOutput S3OutputPath');
  const runId = assertRunId(/run=([^/]+)\//.exec(featuresPrefix)?.[1] ?? '');
  const threshold = Number(request.Environment?.[ENV_THRESHOLD] ?? '0.5');
  const store = context.store;

  const scorer = await Scorer.load(options.modelFile ?? SHIPPED_MODEL_FILE);
  // A re-run of the run replaces its scored output; it never adds to it.
  await store.deletePrefix(scoredPrefix);

  let scoredRows = 0;
  let flaggedRows = 0;
  const rejected: RejectedFeatureRow[] = [];
  const movements = [];
  for await (const object of store.listAll(featuresPrefix)) {
    const name = object.key.slice(featuresPrefix.length);
    if (name.includes('/') || name.startsWith('_') || !name.endsWith('.csv')) continue;
    const file = { scoredRows: 0, flaggedRows: 0 };
    // chunk by chunk: a 10-million-row features file never sits in memory whole
    const scoredChunks = async function* () {
      let lineOffset = 0;
      for await (const chunk of lineAlignedChunks(
        await store.get(object.key),
        options.chunkBytes ?? SCORING_CHUNK_BYTES,
      )) {
        const scored = await scoreFeatures(scorer, chunk, { file: object.key, threshold });
        for (const row of scored.rejected) rejected.push({ ...row, line: row.line + lineOffset });
        lineOffset += countLineFeeds(chunk);
        file.scoredRows += scored.scoredRows;
        file.flaggedRows += scored.flaggedRows;
        context.progress({ rows: scoredRows + file.scoredRows, files: movements.length });
        yield scored.output;
      }
    };
    const put = await store.put(`${scoredPrefix}${name}.out`, Readable.from(scoredChunks()), {
      contentType: 'text/csv',
    });
    movements.push({
      runId,
      stageId: context.stageId,
      from: object.key,
      to: put.key,
      bytes: put.bytes,
      sha256: put.sha256,
    });
    scoredRows += file.scoredRows;
    flaggedRows += file.flaggedRows;
    context.progress({ rows: scoredRows, files: movements.length });
  }

  const rejectedKey = `${scoredPrefix}${REJECTED_FILE}`;
  if (rejected.length > 0)
    await store.put(rejectedKey, formatRejected(rejected), { contentType: 'text/csv' });
  const counts = {
    scoredRows,
    flaggedRows,
    rejectedRows: rejected.length,
    files: movements.length,
    threshold,
  };
  await store.put(lakePrefixes.manifest(runId, context.stageId), `${JSON.stringify(counts, null, 2)}\n`, {
    contentType: 'application/json',
  });
  if (movements.length > 0) await context.ledger.recordMovements(movements);
  // SageMaker fails the whole job on a row it cannot parse; the local engine fails the same way.
  if (rejected.length > 0) throw new FeatureRowsRejectedError(rejected, rejectedKey);

  return {
    TransformJobName: request.TransformJobName,
    TransformJobArn: `arn:aws:sagemaker:local:000000000000:transform-job/${request.TransformJobName.toLowerCase()}`,
    TransformJobStatus: 'Completed',
    ModelName: request.ModelName,
    TransformInput: request.TransformInput,
    TransformOutput: request.TransformOutput,
    TransformResources: request.TransformResources,
    DataProcessing: request.DataProcessing,
    Environment: {
      ...request.Environment,
      [ENV_SCORED_ROWS]: String(scoredRows),
      [ENV_FLAGGED_ROWS]: String(flaggedRows),
    },
  };
}

/** `s3://bucket/key/` -> `key/` (the local lake is one bucket). */
function keyOf(uri: string, field: string): string {
  const match = /^s3:\/\/[^/]+\/(.+)$/.exec(uri);
  if (!match) throw new Error(`${field} ${JSON.stringify(uri)} is not an s3://bucket/prefix/ URI`);
  return match[1]!.endsWith('/') ? match[1]! : `${match[1]}/`;
}
