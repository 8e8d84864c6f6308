import type { RejectedFeatureRow } from '../errors';
import { featuresCsvCode } from './features-csv';
import type { Objective } from './model';
import { outputCode } from './output';
import { WASM_ROWS_PER_CALL, type WasmMargins } from './wasm-kernel';

/**
 * One thread's share of a features file: the lines in bytes [from, to), parsed, scored by the wasm
 * kernel in its own region of the shared memory, and written as output lines.
 */
export interface RangeJob {
  readonly kind: 'range';
  /** the whole file, on shared memory */
  readonly bytes: Uint8Array;
  readonly from: number;
  readonly to: number;
  readonly file: string;
  readonly numFeature: number;
  readonly numOutputs: number;
  readonly baseMargin: Float32Array;
  readonly objective: Objective;
  readonly threshold: number;
  /** this range's rows and margins in the wasm memory (byte addresses, sized for every line) */
  readonly rowsPtr: number;
  readonly marginsPtr: number;
}

export interface RangeResult {
  readonly output: Uint8Array;
  readonly rows: number;
  readonly flaggedRows: number;
  /** rejected rows, their lines numbered from the range's first line (1) */
  readonly rejected: readonly RejectedFeatureRow[];
  /** lines in the range */
  readonly lines: number;
}

/** What scoreRange calls: the parser, the output, the row layout (each self-contained). */
export type RangeCode = ReturnType<typeof featuresCsvCode> &
  ReturnType<typeof outputCode> & { rowsPerCall: number };

/** The RangeCode of this thread. */
export const rangeCode: RangeCode = {
  ...featuresCsvCode(),
  ...outputCode(),
  rowsPerCall: WASM_ROWS_PER_CALL,
};

/**
 * The RangeCode and scoreRange as JavaScript a worker thread evaluates: `rangeCode` and
 * `scoreRange` are in scope after it. Built from the functions' own source (each is
 * self-contained), so the worker runs the very code this thread runs, as compiled for it (by
 * esbuild in the CLI's bundle or tsx, by Vite in tests).
 */
export function rangeWorkerSource(): string {
  return [
    // tsx compiles with esbuild's keepNames, which wraps functions in its __name() helper
    'var __name = (target) => target;',
    `const rangeCode = { ...(${featuresCsvCode})(), ...(${outputCode})(),`,
    `  rowsPerCall: ${WASM_ROWS_PER_CALL} };`,
    `const scoreRange = ${scoreRange};`,
  ].join('\n');
}

/** Parses, scores and formats one range. Self-contained: worker threads evaluate its source. */
export function scoreRange(
  code: RangeCode,
  margins: WasmMargins,
  memory: { readonly buffer: ArrayBufferLike },
  job: RangeJob,
): RangeResult {
  const nf = job.numFeature;
  const no = job.numOutputs;
  // the rows go straight into the kernel's memory, as pairs (at most one row per nf + 1 bytes)
  const room = new Float32Array(
    memory.buffer,
    job.rowsPtr,
    (Math.floor((job.to - job.from) / (nf + 1)) + 1) * nf * 2,
  );
  const batch = code.parseFeaturesCsv(job.bytes, nf, job.file, job.from, job.to, 1, room);
  const rows = batch.rows;
  const out = new Float32Array(memory.buffer, job.marginsPtr, rows * no);
  if (no === 1) out.fill(job.baseMargin[0]!);
  else for (let r = 0; r < rows; r++) out.set(job.baseMargin, r * no);
  for (let s = 0; s < rows; s += code.rowsPerCall)
    margins(job.rowsPtr, s, Math.min(rows, s + code.rowsPerCall), job.marginsPtr);
  code.applyTransform(job.objective, no, out, 0, rows);
  const { output, flaggedRows } = code.scoredLines(
    job.bytes,
    batch.idStart,
    batch.idEnd,
    rows,
    out,
    no,
    job.threshold,
  );
  return { output, rows, flaggedRows, rejected: batch.rejected, lines: batch.lines };
}
