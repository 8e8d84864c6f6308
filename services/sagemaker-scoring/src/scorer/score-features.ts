// the leaf module only: `lakepipe score` must not load the workflow package (ledger, AWS SDK)
import { DEFAULT_THRESHOLD } from '@lakepipe/workflow/dataset-contract';
import type { RejectedFeatureRow } from '../errors';
import { parseFeaturesCsv } from './features-csv';
import { countLineFeeds } from './line-chunks';
import type { PredictOptions, Scorer } from './scorer';

const COMMA = 44;
const LF = 10;
/** The longest String() of a double: `-1.2345678901234567e-308`. */
const MAX_SCORE_CHARS = 24;

export interface ScoreFeaturesOptions extends PredictOptions {
  /** the file's name or key, for rejected rows */
  readonly file: string;
  /**
   * A row is flagged when its score (the last output column) is >= threshold; the file itself
   * carries no flag column (SageMaker's join shape), the `<ds>_latest` view derives it.
   * @default 0.5
   */
  readonly threshold?: number;
}

export interface ScoredFeatures {
  /** `id,score` lines (or the id and one column per class), as SageMaker's join writes them */
  readonly output: Buffer;
  readonly scoredRows: number;
  readonly flaggedRows: number;
  readonly rejected: readonly RejectedFeatureRow[];
}

/** Scores one `features/` file: the output in SageMaker's `$[0,-1]` join shape, plus counts. */
export async function scoreFeatures(
  scorer: Scorer,
  bytes: Uint8Array,
  options: ScoreFeaturesOptions,
): Promise<ScoredFeatures> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  // the worker threads (if the batch is large enough for them) start while this thread parses
  scorer.prepare(countLineFeeds(bytes) + 1, options);
  const batch = parseFeaturesCsv(bytes, scorer.numFeature, options.file);
  const predictions = await scorer.predictParallel(batch.values, batch.rows, options);
  const no = scorer.numOutputs;
  const source = batch.bytes;
  // One buffer, written byte by byte: the id copied verbatim, each score's shortest decimal
  // (at most 24 characters) as ASCII. No intermediate strings or buffers per row.
  let idBytes = 0;
  for (let r = 0; r < batch.rows; r++) idBytes += batch.idEnd[r]! - batch.idStart[r]!;
  const output = Buffer.allocUnsafe(idBytes + batch.rows * (no * (1 + MAX_SCORE_CHARS) + 1));
  let at = 0;
  let flaggedRows = 0;
  for (let r = 0; r < batch.rows; r++) {
    for (let i = batch.idStart[r]!, end = batch.idEnd[r]!; i < end; i++) output[at++] = source[i]!;
    for (let k = 0; k < no; k++) {
      output[at++] = COMMA;
      const text = formatScore(predictions[r * no + k]!);
      for (let i = 0; i < text.length; i++) output[at++] = text.charCodeAt(i);
    }
    output[at++] = LF;
    if (predictions[r * no + no - 1]! >= threshold) flaggedRows++;
  }
  return { output: output.subarray(0, at), scoredRows: batch.rows, flaggedRows, rejected: batch.rejected };
}

/** A float32 prediction as its shortest exact decimal (what XGBoost's float reads back as). */
export function formatScore(value: number): string {
  return String(value);
}

/** The rejected rows as CSV: file, line, column, rule, reason, raw value, raw record. */
export function formatRejected(rejected: readonly RejectedFeatureRow[]): string {
  const header = 'source_file,line_number,column_number,reason_rule,reason,raw_value,raw_record\n';
  return (
    header +
    rejected
      .map((r) =>
        [r.file, r.line, r.column ?? '', r.rule, r.reason, r.rawValue ?? '', r.rawRecord]
          .map((v) => csvField(String(v)))
          .join(','),
      )
      .join('\n') +
    (rejected.length > 0 ? '\n' : '')
  );
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
