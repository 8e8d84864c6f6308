import type { Objective } from './model';

/**
 * The prediction transform and the output lines as one self-contained function (no reference
 * outside its body), so worker threads can evaluate its source (`outputCode.toString()`) and
 * finish their own range of rows.
 */
export function outputCode() {
  const f32 = Math.fround;
  const COMMA = 44;
  const LF = 10;
  /** The longest String() of a double: `-1.2345678901234567e-308`. */
  const MAX_SCORE_CHARS = 24;

  /** The objective's prediction transform, in place, in float32 as XGBoost computes it. */
  function applyTransform(
    objective: Objective,
    numOutputs: number,
    out: Float32Array,
    startRow: number,
    endRow: number,
  ): void {
    if (objective === 'reg:squarederror') return;
    if (objective === 'binary:logistic' || objective === 'reg:logistic') {
      for (let i = startRow; i < endRow; i++) out[i] = sigmoid(out[i]!);
      return;
    }
    // multi:softprob: XGBoost's common::Softmax (float exps, double sum, float division)
    for (let r = startRow; r < endRow; r++) {
      const base = r * numOutputs;
      let wmax = out[base]!;
      for (let k = 1; k < numOutputs; k++) wmax = Math.max(wmax, out[base + k]!);
      let wsum = 0;
      for (let k = 0; k < numOutputs; k++) {
        const e = f32(Math.exp(f32(out[base + k]! - wmax)));
        out[base + k] = e;
        wsum += e;
      }
      const denominator = f32(wsum);
      for (let k = 0; k < numOutputs; k++) out[base + k] = f32(out[base + k]! / denominator);
    }
  }

  /** XGBoost's float Sigmoid: 1 / (expf(min(-x, 88.7)) + 1 + 1e-16). */
  function sigmoid(margin: number): number {
    const e = f32(Math.exp(Math.min(-margin, f32(88.7))));
    return f32(1 / f32(e + 1));
  }

  /** A float32 prediction as its shortest exact decimal (what XGBoost's float reads back as). */
  function formatScore(value: number): string {
    return String(value);
  }

  /**
   * `id,score` lines (or the id and one column per class), as SageMaker's join writes them: one
   * buffer, written byte by byte, the id copied verbatim from `bytes`, each score's shortest
   * decimal as ASCII; no intermediate strings or buffers per row. Counts the rows whose last
   * output is >= threshold.
   */
  function scoredLines(
    bytes: Uint8Array,
    idStart: Int32Array,
    idEnd: Int32Array,
    rows: number,
    predictions: Float32Array,
    numOutputs: number,
    threshold: number,
  ): { output: Buffer; flaggedRows: number } {
    const no = numOutputs;
    let idBytes = 0;
    for (let r = 0; r < rows; r++) idBytes += idEnd[r]! - idStart[r]!;
    // its own memory (never Node's shared pool), so a worker can hand it over without a copy
    const output = Buffer.from(new ArrayBuffer(idBytes + rows * (no * (1 + MAX_SCORE_CHARS) + 1)));
    let at = 0;
    let flaggedRows = 0;
    for (let r = 0; r < rows; r++) {
      for (let i = idStart[r]!, end = idEnd[r]!; i < end; i++) output[at++] = bytes[i]!;
      for (let k = 0; k < no; k++) {
        output[at++] = COMMA;
        const text = formatScore(predictions[r * no + k]!);
        for (let i = 0; i < text.length; i++) output[at++] = text.charCodeAt(i);
      }
      output[at++] = LF;
      if (predictions[r * no + no - 1]! >= threshold) flaggedRows++;
    }
    return { output: output.subarray(0, at), flaggedRows };
  }

  return { applyTransform, formatScore, scoredLines };
}

export const { applyTransform, formatScore, scoredLines } = outputCode();
