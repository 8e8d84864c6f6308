import { DEFAULT_THRESHOLD } from '@lakepipe/workflow';
import type { RejectedFeatureRow } from '../errors';
import { parseFeaturesCsv } from './features-csv';
import { countLineFeeds } from './line-chunks';
import type { PredictOptions, Scorer } from './scorer';

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
  const source = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const pieces: Buffer[] = [];
  let flaggedRows = 0;
  let text = '';
  for (let r = 0; r < batch.rows; r++) {
    // latin1 maps bytes to characters one to one, so the id is written back byte for byte
    text += source.toString('latin1', batch.idStart[r]!, batch.idEnd[r]!);
    for (let k = 0; k < no; k++) text += `,${formatScore(predictions[r * no + k]!)}`;
    text += '\n';
    if (predictions[r * no + no - 1]! >= threshold) flaggedRows++;
    if (text.length > 1 << 20) {
      pieces.push(Buffer.from(text, 'latin1'));
      text = '';
    }
  }
  pieces.push(Buffer.from(text, 'latin1'));
  return { output: Buffer.concat(pieces), scoredRows: batch.rows, flaggedRows, rejected: batch.rejected };
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
