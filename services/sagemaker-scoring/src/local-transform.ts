import { Readable } from 'node:stream';
import { lakePrefixes } from '@lakepipe/lake';
import type { LocalStageContext } from '@lakepipe/workflow';
import { FeatureRowsRejectedError, type RejectedFeatureRow } from './errors';
import { readModelFile } from './model-file';
import { formatRejected, scoreChunks } from './scorer/score-features';
import { Scorer } from './scorer/scorer';
import { SHIPPED_MODEL_FILE } from './shipped-model';

/** Bytes of a features file scored at a time (line-aligned): bounds memory at any file size. */
const SCORING_CHUNK_BYTES = 32 * 1024 * 1024;

/** The rejected rows of a run, beside its scored files; `_` keeps Athena and Hive from reading it. */
export const REJECTED_FILE = '_rejected.csv';

/** What the local transform scores: the run's features of one dataset, flagged at `threshold`. */
export interface LocalTransformRequest {
  readonly runId: string;
  readonly dataset: string;
  /** a row is flagged when its score is >= threshold */
  readonly threshold: number;
}

export interface LocalTransformOptions {
  /**
   * The XGBoost model (JSON or UBJSON file) to score with.
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
 * the TypeScript scorer into `scored/` (`<file>.out`, the name batch transform gives) and records
 * the movements in the ledger. Counting and the manifest are the stage's `count` step, as in AWS.
 */
export async function runLocalTransform(
  request: LocalTransformRequest,
  context: LocalStageContext,
  options: LocalTransformOptions = {},
): Promise<{ readonly TransformJobStatus: 'Completed'; readonly scoredRows: number }> {
  // JSON or UBJSON; a missing file is named in plain words
  const scorer = new Scorer(readModelFile(options.modelFile ?? SHIPPED_MODEL_FILE).model);
  // A re-run of the run replaces its scored output; it never adds to it.
  await context.store.deletePrefix(lakePrefixes.scored(request.dataset, request.runId));

  try {
    return await scoreRunFeatures(scorer, request, context, options);
  } finally {
    // the worker threads hold their own heaps; the twin's process goes on to the next stages
    await scorer.close();
  }
}

async function scoreRunFeatures(
  scorer: Scorer,
  request: LocalTransformRequest,
  context: LocalStageContext,
  options: LocalTransformOptions,
): Promise<{ readonly TransformJobStatus: 'Completed'; readonly scoredRows: number }> {
  const { runId, threshold } = request;
  const featuresPrefix = lakePrefixes.features(request.dataset, runId);
  const scoredPrefix = lakePrefixes.scored(request.dataset, runId);
  const store = context.store;
  let scoredRows = 0;
  const rejected: RejectedFeatureRow[] = [];
  const movements = [];
  for await (const object of store.listAll(featuresPrefix)) {
    const name = object.key.slice(featuresPrefix.length);
    if (name.includes('/') || name.startsWith('_') || !name.endsWith('.csv')) continue;
    const file = { scoredRows: 0 };
    // chunk by chunk: a 10-million-row features file never sits in memory whole
    const scoredChunks = async function* () {
      const chunks = scoreChunks(scorer, await store.get(object.key), {
        file: object.key,
        threshold,
        chunkBytes: options.chunkBytes ?? SCORING_CHUNK_BYTES,
      });
      for await (const scored of chunks) {
        for (const row of scored.rejected) rejected.push(row);
        file.scoredRows += scored.scoredRows;
        context.progress({ rows: scoredRows + file.scoredRows, files: movements.length });
        yield* scored.parts;
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
    context.progress({ rows: scoredRows, files: movements.length });
  }

  const rejectedKey = `${scoredPrefix}${REJECTED_FILE}`;
  if (rejected.length > 0)
    await store.put(rejectedKey, formatRejected(rejected), { contentType: 'text/csv' });
  if (movements.length > 0) await context.ledger.recordMovements(movements);
  // SageMaker fails the whole job on a row it cannot parse; the local engine fails the same way.
  if (rejected.length > 0) throw new FeatureRowsRejectedError(rejected, rejectedKey);
  return { TransformJobStatus: 'Completed', scoredRows };
}
