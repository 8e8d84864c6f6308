import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compileMarginSource, kernelFromSource, type MarginKernel } from './compile';
import { type PerfectForest, perfectForest, perfectKernelSource } from './forest';
import { loadModel, type TreeModel } from './model';
import { applyTransform } from './output';
import { type RangeJob, type RangeResult, rangeCode, rangeWorkerSource, scoreRange } from './ranges';
import {
  reserve,
  runWasmMargins,
  type WasmBatch,
  type WasmForest,
  type WasmMargins,
  wasmForest,
  wasmMargins,
  writeRows,
} from './wasm-kernel';

/** Below this many rows a batch is scored on the calling thread: a worker costs ~30 ms to start. */
const PARALLEL_MIN_ROWS = 50_000;

export { applyTransform } from './output';

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

  /**
   * @param options.wasmMaximumPages the wasm memory maximums to try (64 KiB pages; tests, and hosts
   *   that limit address space); when none can be reserved the JavaScript walk scores
   */
  constructor(
    readonly model: TreeModel,
    options: { readonly wasmMaximumPages?: readonly number[] } = {},
  ) {
    this.forest = perfectForest(model);
    const wasm = this.forest && wasmForest(this.forest, options.wasmMaximumPages);
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
    // a batch too large for the wasm memory's maximum is walked in JavaScript
    const batch = this.wasm && this.wasmBatch(x, rows, this.wasmInUse);
    if (this.wasm && batch) {
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

  /**
   * Parses, scores and writes the output lines of a features CSV with every thread at once, each
   * taking a range of whole lines: with the wasm kernel, and when the file has enough rows for
   * more than one thread (else undefined: parse, then predictParallel). The results are in the
   * file's order; rejected rows carry their line in the whole file.
   */
  async scoreCsvRanges(
    bytes: Uint8Array,
    options: PredictOptions & { readonly file: string; readonly threshold: number },
  ): Promise<RangeResult[] | undefined> {
    const wasm = this.wasm;
    if (!wasm) return undefined;
    const threads = this.threadsFor(estimateRows(bytes), options);
    if (threads === 1) return undefined;
    const run = this.parallelTail.then(() => this.scoreRangesOnWorkers(wasm, bytes, threads, options));
    this.parallelTail = run.catch(() => undefined);
    return run;
  }

  private async scoreRangesOnWorkers(
    wasm: { readonly forest: WasmForest; readonly margins: WasmMargins },
    input: Uint8Array,
    threads: number,
    options: { readonly file: string; readonly threshold: number },
  ): Promise<RangeResult[] | undefined> {
    const pool = this.workerPool(threads - 1);
    let bytes = input;
    if (!(input.buffer instanceof SharedArrayBuffer)) {
      bytes = new Uint8Array(new SharedArrayBuffer(input.length));
      bytes.set(input);
    }
    // ranges of whole lines, about equal in bytes
    const cuts = [0];
    for (let i = 1; i < threads; i++) {
      const lf = bytes.indexOf(LF, Math.max(cuts[i - 1]!, Math.floor((bytes.length * i) / threads)));
      cuts.push(lf === -1 ? bytes.length : lf + 1);
    }
    cuts.push(bytes.length);
    const { numFeature: nf, numOutputs: no } = this;
    const jobs: RangeJob[] = [];
    let at = wasm.forest.rowsAt;
    for (let i = 0; i < threads; i++) {
      const [from, to] = [cuts[i]!, cuts[i + 1]!];
      // at most one row per numFeature + 1 bytes (an empty id, empty fields, the line feed;
      // scoreRange sizes its room alike); pages never written to cost address space only
      const rows = Math.floor((to - from) / (nf + 1)) + 1;
      const rowsPtr = align16(at);
      const marginsPtr = align16(rowsPtr + rows * nf * 8);
      at = marginsPtr + rows * no * 4;
      jobs.push({
        kind: 'range',
        bytes,
        from,
        to,
        file: options.file,
        numFeature: nf,
        numOutputs: no,
        baseMargin: this.model.baseMargin,
        objective: this.model.objective,
        threshold: options.threshold,
        rowsPtr,
        marginsPtr,
      });
    }
    const memory = wasm.forest.memory;
    if (!reserve(wasm.forest, at)) return undefined; // past the memory's maximum: parse, then predict
    this.wasmInUse = at;
    let results: RangeResult[];
    try {
      // the calling thread takes the first range while the workers take the others
      const others = jobs.slice(1).map((job, i) => runOnWorker<RangeResult>(pool[i]!, job));
      const first = scoreRange(rangeCode, wasm.margins, memory, jobs[0]!);
      results = [first, ...(await Promise.all(others))];
    } finally {
      this.wasmInUse = undefined;
    }
    // each range numbered its lines from 1: number them in the file
    let before = 0;
    return results.map((result) => {
      const offset = before;
      before += result.lines;
      if (offset === 0 || result.rejected.length === 0) return result;
      return { ...result, rejected: result.rejected.map((r) => ({ ...r, line: r.line + offset })) };
    });
  }

  /** The rows written into wasm memory (at `at`, else its start) and their margins set to the base. */
  private wasmBatch(x: Float32Array, rows: number, at?: number): WasmBatch | undefined {
    const batch = writeRows(this.wasm!.forest, x, rows, at);
    batch?.margins.set(this.initialMargins(rows));
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
      if (!batch) return this.predict(x, rows); // past the memory's maximum: JavaScript, here
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

  /** Threads for a batch of `rows` rows: as asked, else every core from PARALLEL_MIN_ROWS rows. */
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
  ${rangeWorkerSource()}
  score = (job) => {
    if (job.kind === 'range') return scoreRange(rangeCode, margins, memory, job);
    for (let s = job.start; s < job.end; s += rangeCode.rowsPerCall)
      margins(job.rowsPtr, s, Math.min(job.end, s + rangeCode.rowsPerCall), job.marginsPtr);
    return 'done';
  };
} else {
  const built = new Function('return ' + workerData.source + ';')();
  const kernel = workerData.forest ? built(workerData.forest) : built;
  score = ({ x, out, start, end }) => {
    kernel(x, start, end, out);
    return 'done';
  };
}
parentPort.on('message', (job) => {
  const result = score(job);
  // a range's output lines are handed over, not copied
  parentPort.postMessage(result, result.output ? [result.output.buffer] : []);
});
`;

/** A row range to score: in wasm memory (byte addresses) or in shared typed arrays; or a RangeJob. */
type WorkerJob =
  | RangeJob
  | { readonly rowsPtr: number; readonly marginsPtr: number; readonly start: number; readonly end: number }
  | { readonly x: Float32Array; readonly out: Float32Array; readonly start: number; readonly end: number };

function runOnWorker<T = unknown>(worker: Worker, job: WorkerJob): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (result: T) => {
      worker.off('error', failed);
      worker.unref();
      resolve(result);
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

const LF = 10;

/** Rows in a file, estimated from the line feeds in its first 64 KiB. */
function estimateRows(bytes: Uint8Array): number {
  const sample = Math.min(bytes.length, 65_536);
  let lineFeeds = 0;
  for (let i = bytes.indexOf(LF); i !== -1 && i < sample; i = bytes.indexOf(LF, i + 1)) lineFeeds++;
  return lineFeeds === 0 ? 1 : Math.ceil((bytes.length * lineFeeds) / sample);
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
