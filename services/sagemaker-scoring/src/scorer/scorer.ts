import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compileMarginSource, kernelFromSource, type MarginKernel } from './compile';
import { type PerfectForest, perfectForest, perfectKernelSource } from './forest';
import { loadModel, type Objective, type TreeModel } from './model';
import {
  runWasmMargins,
  WASM_ROWS_PER_CALL,
  type WasmBatch,
  type WasmForest,
  type WasmMargins,
  wasmForest,
  wasmMargins,
  writeRows,
} from './wasm-kernel';

const f32 = Math.fround;

/** Below this many rows a batch is scored on the calling thread: a worker costs ~30 ms to start. */
const PARALLEL_MIN_ROWS = 50_000;

export interface PredictOptions {
  /**
   * Threads to score with (worker threads share the feature matrix, nothing is copied).
   * @default the machine's available parallelism, for batches of at least 50,000 rows; else 1
   */
  readonly threads?: number;
}

/**
 * Predicts exactly what XGBoost's CPU predictor returns for a gbtree model: float32 margins,
 * accumulated tree by tree, then the objective's transform in float32.
 */
export class Scorer {
  /** Loads and compiles an XGBoost JSON model file. */
  static async load(file: string): Promise<Scorer> {
    return new Scorer(await loadModel(file));
  }

  /**
   * Which kernel scores, all returning the same bits: for trees up to MAX_PERFECT_DEPTH deep,
   * padded to perfect binary trees and walked without a data-dependent branch, several rows at a
   * time (forest.ts), `wasm` (that walk as WebAssembly, ~3.5x faster: wasm-kernel.ts) or, for a
   * model with a threshold of -Infinity, `perfect` (the walk in JavaScript); for deeper trees
   * `compiled` (straight-line JavaScript per tree; compile.ts).
   */
  readonly kernelKind: 'wasm' | 'perfect' | 'compiled';
  /** JavaScript the kernel is built from: a MarginKernel, or for `perfect` a function of the forest. */
  readonly kernelSource: string;
  private readonly forest: PerfectForest | undefined;
  private readonly kernel: MarginKernel;
  /** the wasm kernel and its memory (the forest, then each batch's rows and margins) */
  private readonly wasm?: { readonly forest: WasmForest; readonly margins: WasmMargins };
  /** while workers score a batch in wasm memory, where it ends: predict() writes after it */
  private wasmInUse?: number;
  /** Worker threads that compiled the kernel once and are reused by every predictParallel call. */
  private readonly workers: Worker[] = [];
  /**
   * The shared memory predictParallel hands the workers: rows in, margins out, grown when a batch
   * needs more and reused by every call. A new SharedArrayBuffer per call is freed only once each
   * worker has collected its garbage, which an idle worker seldom does: a 10M-row file scored in
   * chunks kept hundreds of MiB of old batches alive.
   */
  private shared?: { rows: Float32Array; margins: Float32Array };
  /** predictParallel calls run one after the other: they share `shared`. */
  private parallelTail: Promise<unknown> = Promise.resolve();

  constructor(readonly model: TreeModel) {
    this.forest = perfectForest(model);
    const wasm = this.forest && wasmForest(this.forest);
    if (wasm) this.wasm = { forest: wasm, margins: wasmMargins(wasm.module, wasm.memory) };
    if (this.forest) {
      this.kernelKind = wasm ? 'wasm' : 'perfect';
      this.kernelSource = perfectKernelSource(Array.from(this.forest.depth));
      this.kernel = (kernelFromSource(this.kernelSource) as unknown as (f: PerfectForest) => MarginKernel)(
        this.forest,
      );
    } else {
      this.kernelKind = 'compiled';
      this.kernelSource = compileMarginSource(model);
      this.kernel = kernelFromSource(this.kernelSource);
    }
  }

  get numFeature(): number {
    return this.model.numFeature;
  }

  /** 1, or the number of classes for multi:softprob. */
  get numOutputs(): number {
    return this.model.numOutputs;
  }

  /** Predictions for `rows` rows of `numFeature` float32 values each (NaN = missing), on this thread. */
  predict(x: Float32Array, rows: number): Float32Array {
    let out: Float32Array;
    if (this.wasm) {
      const batch = this.wasmBatch(x, rows, this.wasmInUse);
      runWasmMargins(this.wasm.margins, batch, 0, rows);
      out = batch.margins.slice();
    } else {
      out = this.initialMargins(rows);
      this.kernel(x, 0, rows, out);
    }
    applyTransform(this.model.objective, this.model.numOutputs, out, 0, rows);
    return out;
  }

  /** Same result as predict(), split across worker threads for large batches. */
  async predictParallel(x: Float32Array, rows: number, options: PredictOptions = {}): Promise<Float32Array> {
    const threads = this.threadsFor(rows, options);
    if (threads === 1) return this.predict(x, rows);
    const run = this.parallelTail.then(() => this.predictOnWorkers(x, rows, threads));
    this.parallelTail = run.catch(() => undefined);
    return run;
  }

  /** The rows written into wasm memory (at `at`, else its start) and their margins set to the base. */
  private wasmBatch(x: Float32Array, rows: number, at?: number): WasmBatch {
    const batch = writeRows(this.wasm!.forest, x, rows, at);
    batch.margins.set(this.initialMargins(rows));
    return batch;
  }

  private async predictOnWorkers(x: Float32Array, rows: number, threads: number): Promise<Float32Array> {
    const per = Math.ceil(rows / threads);
    const ranges = Array.from(
      { length: threads },
      (_, i) => [i * per, Math.min(rows, (i + 1) * per)] as const,
    );
    const pool = this.workerPool(threads - 1);
    if (this.wasm) {
      // the calling thread takes the first range while the workers take the others
      const batch = this.wasmBatch(x, rows);
      this.wasmInUse = batch.marginsPtr + batch.margins.byteLength;
      try {
        const { rowsPtr, marginsPtr } = batch;
        const workers = ranges
          .slice(1)
          .map(([start, end], i) => runOnWorker(pool[i]!, { rowsPtr, marginsPtr, start, end }));
        runWasmMargins(this.wasm.margins, batch, ranges[0]![0], ranges[0]![1]);
        await Promise.all(workers);
      } finally {
        this.wasmInUse = undefined;
      }
      const out = batch.margins.slice();
      applyTransform(this.model.objective, this.numOutputs, out, 0, rows);
      return out;
    }
    return this.predictOnJsWorkers(x, rows, ranges, pool);
  }

  private async predictOnJsWorkers(
    x: Float32Array,
    rows: number,
    ranges: readonly (readonly [number, number])[],
    pool: Worker[],
  ): Promise<Float32Array> {
    const no = this.numOutputs;
    const shared = this.sharedFor(rows);
    // rows the caller already shares are read in place; others are copied into the reused buffer
    let input = x;
    if (!(x.buffer instanceof SharedArrayBuffer)) {
      shared.rows.set(x.subarray(0, rows * this.numFeature));
      input = shared.rows;
    }
    const margins = shared.margins;
    margins.set(this.initialMargins(rows));
    // The calling thread takes the first range while the workers take the others.
    const workers = ranges
      .slice(1)
      .map(([start, end], i) => runOnWorker(pool[i]!, { x: input, out: margins, start, end }));
    this.kernel(input, ranges[0]![0], ranges[0]![1], margins);
    await Promise.all(workers);
    // the caller's own copy: the shared margins are the next call's
    const out = margins.slice(0, rows * no);
    applyTransform(this.model.objective, no, out, 0, rows);
    return out;
  }

  /** The reused shared buffers, grown (by a quarter more than asked) when `rows` rows do not fit. */
  private sharedFor(rows: number): { rows: Float32Array; margins: Float32Array } {
    const [inputs, outputs] = [rows * this.numFeature, rows * this.numOutputs];
    if (!this.shared || this.shared.rows.length < inputs || this.shared.margins.length < outputs) {
      const grow = (n: number) => new Float32Array(new SharedArrayBuffer(Math.ceil(n * 1.25) * 4));
      this.shared = { rows: grow(inputs), margins: grow(outputs) };
    }
    return this.shared;
  }

  /**
   * Starts (once) the worker threads a batch of `rows` rows will use, so they load the kernel
   * while the caller still reads and parses its input.
   */
  prepare(rows: number, options: PredictOptions = {}): void {
    const threads = this.threadsFor(rows, options);
    if (threads > 1) this.workerPool(threads - 1);
  }

  /** Stops the worker threads (they never keep the process alive, but hold memory). */
  async close(): Promise<void> {
    this.shared = undefined;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private threadsFor(rows: number, options: PredictOptions): number {
    return Math.max(
      1,
      Math.min(options.threads ?? (rows >= PARALLEL_MIN_ROWS ? availableParallelism() : 1), rows),
    );
  }

  private workerPool(size: number): Worker[] {
    while (this.workers.length < size) {
      const worker = new Worker(WORKER_CODE, {
        eval: true,
        workerData: this.wasm
          ? { wasm: { module: this.wasm.forest.module, memory: this.wasm.forest.memory } }
          : { source: this.kernelSource, forest: this.forest },
      });
      worker.unref();
      this.workers.push(worker);
    }
    return this.workers;
  }

  private initialMargins(rows: number): Float32Array {
    const no = this.model.numOutputs;
    const out = new Float32Array(rows * no);
    if (no === 1) out.fill(this.model.baseMargin[0]!);
    else for (let r = 0; r < rows; r++) out.set(this.model.baseMargin, r * no);
    return out;
  }
}

/** The objective's prediction transform, in place, in float32 as XGBoost computes it. */
export function applyTransform(
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

// Plain JavaScript, evaluated by the worker: no TypeScript loader is needed in the thread. The
// kernel is compiled (and optimised by V8) once per worker; each message scores one row range
// of shared memory in place. The wasm module is compiled once by the calling thread and
// instantiated on the same shared memory; the perfect forest's arrays are shared memory too.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
let score;
if (workerData.wasm) {
  const { module, memory } = workerData.wasm;
  const margins = new WebAssembly.Instance(module, { env: { memory } }).exports.margins;
  score = ({ rowsPtr, marginsPtr, start, end }) => {
    for (let s = start; s < end; s += ${WASM_ROWS_PER_CALL})
      margins(rowsPtr, s, Math.min(end, s + ${WASM_ROWS_PER_CALL}), marginsPtr);
  };
} else {
  const built = new Function('return ' + workerData.source + ';')();
  const kernel = workerData.forest ? built(workerData.forest) : built;
  score = ({ x, out, start, end }) => kernel(x, start, end, out);
}
parentPort.on('message', (job) => {
  score(job);
  parentPort.postMessage('done');
});
`;

/** A row range to score: in wasm memory (byte addresses) or in shared typed arrays. */
type WorkerJob =
  | { readonly rowsPtr: number; readonly marginsPtr: number; readonly start: number; readonly end: number }
  | { readonly x: Float32Array; readonly out: Float32Array; readonly start: number; readonly end: number };

function runOnWorker(worker: Worker, job: WorkerJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('error', failed);
      worker.unref();
      resolve();
    };
    const failed = (error: Error) => {
      worker.off('message', done);
      reject(error);
    };
    worker.ref(); // keep the process alive while the job runs
    worker.once('message', done);
    worker.once('error', failed);
    worker.postMessage(job);
  });
}
