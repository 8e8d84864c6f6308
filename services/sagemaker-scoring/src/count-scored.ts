import {
  HashingTap,
  lakePrefixes,
  type ManifestOutput,
  type ObjectStore,
  type StageManifest,
  writeStageManifest,
} from '@lakepipe/lake';
import { ScoredOutputError } from './errors';

/** What the count step gets: the run, the stage, its dataset and threshold (from pipeline.yaml). */
export interface CountScoredRequest {
  readonly runId: string;
  readonly stageId: string;
  readonly dataset: string;
  /** a row is flagged when its score is >= threshold */
  readonly threshold: number;
  /**
   * The 0-based column of a scored line `flagged` compares (a multi-class model's `flagClass`: 1 + class).
   * @default the last column
   */
  readonly flagColumn?: number;
}

/** The columns of a scored file (SageMaker's join): the id, then the score (or one column per class). */
export function scoredSchema(
  idColumn: { readonly name: string; readonly type: string },
  scoreColumns: readonly string[] = ['score'],
) {
  return [idColumn, ...scoreColumns.map((name) => ({ name, type: 'double' }))];
}

/**
 * Counts the scored and flagged rows of a run from its output, `scored/<ds>/run=<runId>/*.out`,
 * hashes each file, and writes the stage's manifest. The same function runs in the
 * sagemaker-scoring count Lambda after the transform job and in the local twin, so the ledger
 * of a cloud run holds exact counts.
 */
export async function countScoredRun(
  store: ObjectStore,
  request: CountScoredRequest,
  options: {
    readonly startedAt?: Date;
    readonly engine?: string;
    readonly idColumn?: { name: string; type: string };
    /** the score columns after the id (the dataset contract's); @default one `score` */
    readonly scoreColumns?: readonly string[];
  } = {},
): Promise<StageManifest> {
  const startedAt = options.startedAt ?? new Date();
  const prefix = lakePrefixes.scored(request.dataset, request.runId);
  let scoredRows = 0;
  let flaggedRows = 0;
  const outputs: ManifestOutput[] = [];
  for await (const object of store.listAll(prefix)) {
    const name = object.key.slice(prefix.length);
    if (name.includes('/') || name.startsWith('_') || !name.endsWith('.out')) continue;
    const counted = await countFile(store, object.key, request.threshold, request.flagColumn);
    scoredRows += counted.rows;
    flaggedRows += counted.flagged;
    outputs.push({ key: object.key, bytes: counted.bytes, sha256: counted.sha256 });
  }
  return writeStageManifest(store, {
    runId: request.runId,
    stageId: request.stageId,
    stageType: 'sagemaker-scoring',
    engine: options.engine ?? (store.kind === 's3' ? 'sagemaker' : 'typescript-scorer'),
    counts: { scoredRows, flaggedRows, files: outputs.length, threshold: request.threshold },
    outputs,
    schema: {
      scored: scoredSchema(options.idColumn ?? { name: 'id', type: 'string' }, options.scoreColumns),
    },
    startedAt,
    details: { dataset: request.dataset },
  });
}

/** Rows, flagged rows, bytes and sha256 of one scored file, in one streamed pass. */
async function countFile(store: ObjectStore, key: string, threshold: number, flagColumn?: number) {
  const tap = new HashingTap();
  let rows = 0;
  let flagged = 0;
  let line = 0;
  let rest = '';
  const countLine = (text: string) => {
    line++;
    if (text.length === 0 || text === '\r') return;
    const score = Number(
      flagColumn === undefined ? text.slice(text.lastIndexOf(',') + 1) : text.split(',')[flagColumn],
    );
    if (!Number.isFinite(score)) throw new ScoredOutputError(key, line, text);
    rows++;
    if (score >= threshold) flagged++;
  };
  for await (const chunk of (await store.get(key)).pipe(tap)) {
    const text = rest + (chunk as Buffer).toString('latin1');
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const l of lines) countLine(l);
  }
  if (rest.length > 0) countLine(rest);
  return { rows, flagged, bytes: tap.bytes, sha256: tap.digest() };
}
