/// <reference path="./webassembly.d.ts" />
import type { PerfectForest } from './forest';

/** Rows interleaved by the kernel: independent walks the CPU overlaps. */
const LANES = 8;
/** Rows per block: the block's features and margins stay in L1 while every tree walks them. */
const ROWS_PER_BLOCK = 64;
const PAGE = 65_536;

/**
 * The perfect forest (forest.ts) as a WebAssembly module: the same walk as perfectKernelSource,
 * 8 rows at a time without a data-dependent branch, on float32 as XGBoost compares, with no
 * bounds check per load (wasm's linear memory is guarded) and the node's split and threshold side
 * by side in one 8-byte record.
 *
 * Memory (one shared WebAssembly.Memory, so worker threads score the same rows in place):
 *   [0, treesBytes)          per tree 16 bytes: depth, node record base, leaf base, output index
 *   [nodesAt, ...)           per node 8 bytes: i32 feature * 4 | default_left, f32 threshold
 *   [leavesAt, ...)          per leaf slot: f32 value
 *   [rowsAt, ...)            the batch: numFeature f32 per row, then numOutputs f32 margins per row
 * The walk keeps a node as its byte offset from the tree's base: children of o are 2o + 8 (left)
 * and 2o + 16 (right), a leaf is found at leafBase + o / 2.
 */
export interface WasmForest {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** the most the memory can grow to: its batches must fit */
  readonly maxBytes: number;
  /** where a batch's rows may start (bytes, 16-aligned) */
  readonly rowsAt: number;
  readonly numFeature: number;
  readonly numOutputs: number;
}

/** margins(rowsPtr, start, end, marginsPtr): adds every tree's leaf to rows [start, end). */
export type WasmMargins = (rowsPtr: number, start: number, end: number, marginsPtr: number) => void;

/**
 * Rows per call of the kernel. V8 starts a wasm function in its baseline compiler and swaps in the
 * optimised code at the next call (no on-stack replacement): one call for a whole batch would run
 * it unoptimised (~1.4x slower); calls of this many rows move to the optimised code within a few.
 */
export const WASM_ROWS_PER_CALL = 4096;

/** Scores rows [start, end) of a batch, WASM_ROWS_PER_CALL rows per call. */
export function runWasmMargins(margins: WasmMargins, batch: WasmBatch, start: number, end: number): void {
  for (let s = start; s < end; s += WASM_ROWS_PER_CALL)
    margins(batch.rowsPtr, s, Math.min(end, s + WASM_ROWS_PER_CALL), batch.marginsPtr);
}

/** Lays the forest out in a new shared memory and compiles the kernel for its tree depths. */
/**
 * The maximum memory sizes tried, in 64 KiB pages: 4 GiB, then 1 GiB where a host limits address
 * space (`ulimit -v`: a shared memory reserves its maximum up front). None: the JavaScript walk.
 */
export const WASM_MAXIMUM_PAGES: readonly number[] = [65_536, 16_384];

export function wasmForest(
  forest: PerfectForest,
  maximumPages: readonly number[] = WASM_MAXIMUM_PAGES,
): WasmForest | undefined {
  // a missing value is read as +-Infinity (writeRows): exact while every threshold is above -Infinity
  if (forest.threshold.some((t) => !(Math.fround(t) > Number.NEGATIVE_INFINITY))) return undefined;
  const trees = forest.depth.length;
  const nodesAt = align(trees * 16);
  const leavesAt = align(nodesAt + forest.split.length * 8);
  const rowsAt = align(leavesAt + forest.leaf.length * 4);
  const pages = Math.ceil(rowsAt / PAGE) + 1;
  const reserved = sharedMemory(pages, maximumPages);
  if (!reserved) return undefined;
  const memory = reserved.memory;
  const view = new DataView(memory.buffer);
  for (let t = 0; t < trees; t++) {
    const depth = forest.depth[t]!;
    const nodeBase = nodesAt + forest.nodeStart[t]! * 8;
    // the walk ends at offset ((2^d - 1) + leaf) * 8: the leaf's f32 is at leafBase + offset / 2
    const leafBase = leavesAt + forest.leafStart[t]! * 4 - ((1 << depth) - 1) * 4;
    view.setInt32(t * 16, depth, true);
    view.setInt32(t * 16 + 4, nodeBase, true);
    view.setInt32(t * 16 + 8, leafBase - nodeBase / 2, true);
    view.setInt32(t * 16 + 12, forest.group[t]! * 4, true);
  }
  for (let n = 0; n < forest.split.length; n++) {
    const split = forest.split[n]!;
    view.setInt32(nodesAt + n * 8, split * 4, true);
    view.setFloat32(nodesAt + n * 8 + 4, forest.threshold[n]!, true);
  }
  for (let l = 0; l < forest.leaf.length; l++) view.setFloat32(leavesAt + l * 4, forest.leaf[l]!, true);
  const module = new WebAssembly.Module(
    kernelModuleBytes(trees, forest.numFeature, forest.numOutputs, pages, [...new Set(forest.depth)]),
  );
  const maxBytes = reserved.maximumPages * PAGE;
  return { module, memory, maxBytes, rowsAt, numFeature: forest.numFeature, numOutputs: forest.numOutputs };
}

function sharedMemory(
  initial: number,
  maximumPages: readonly number[],
): { memory: WebAssembly.Memory; maximumPages: number } | undefined {
  for (const maximum of maximumPages) {
    if (maximum < initial) continue;
    try {
      return { memory: new WebAssembly.Memory({ initial, maximum, shared: true }), maximumPages: maximum };
    } catch {
      // this host cannot reserve that much address space: try the next, smaller maximum
    }
  }
  return undefined;
}

/** The kernel of a WasmForest, instantiated on its memory (in this thread or a worker). */
export function wasmMargins(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmMargins {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports.margins as WasmMargins;
}

/** Where a batch's rows and margins sit in a WasmForest's memory. */
export interface WasmBatch {
  readonly rowsPtr: number;
  readonly marginsPtr: number;
  /** numOutputs float32 per row, on the shared memory */
  readonly margins: Float32Array;
}

/**
 * Writes `rows` rows of `values` (numFeature float32 each, NaN = missing) into the memory in the
 * kernel's layout, two float32 per feature: the value or, for a missing one, +Infinity (which
 * goes right at every split) then -Infinity (left at every split). A split whose missing values go
 * left reads the second. Grows the memory when the batch does not fit; undefined when it cannot.
 */
export function writeRows(
  forest: WasmForest,
  values: Float32Array,
  rows: number,
  at: number = forest.rowsAt,
): WasmBatch | undefined {
  const nf = forest.numFeature;
  const rowsPtr = align(at);
  const marginsPtr = align(rowsPtr + rows * nf * 8);
  const needed = marginsPtr + rows * forest.numOutputs * 4;
  if (!reserve(forest, needed)) return undefined;
  const buffer = forest.memory.buffer;
  writePairs(buffer, rowsPtr, values, rows * nf);
  return { rowsPtr, marginsPtr, margins: new Float32Array(buffer, marginsPtr, rows * forest.numOutputs) };
}

/** Grows the memory to hold `bytes` bytes; false when that is past its maximum. */
export function reserve(forest: WasmForest, bytes: number): boolean {
  if (bytes > forest.maxBytes) return false;
  const have = forest.memory.buffer.byteLength;
  if (bytes > have) forest.memory.grow(Math.ceil((bytes - have) / PAGE));
  return true;
}

/**
 * `count` values into `buffer` at byte `at`, two float32 each: the value, or +Infinity then
 * -Infinity for a missing one (the CSV parser writes a range's rows so itself: features-csv.ts).
 */
export function writePairs(buffer: ArrayBufferLike, at: number, values: Float32Array, count: number): void {
  const pairs = new Float32Array(buffer, at, count * 2);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      pairs[2 * i] = v;
      pairs[2 * i + 1] = v;
    } else {
      pairs[2 * i] = Number.POSITIVE_INFINITY;
      pairs[2 * i + 1] = Number.NEGATIVE_INFINITY;
    }
  }
}

/** 4 GiB: wasm32's whole address space. */
const MAX_PAGES = 65_536;

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

// ---- the module, encoded by hand (a few dozen opcodes; no assembler at run time) ----

const I32 = 0x7f;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  if: 0x04,
  i32LeU: 0x4d,
  i32LtU: 0x49,
  f32Lt: 0x5d,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f32Add: 0x92,
  select: 0x1b,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

/** A function body under construction: locals by name, code as bytes. */
class Body {
  readonly code: number[] = [];
  private readonly locals = new Map<string, number>();
  private readonly declared: number[] = [];
  constructor(params: readonly string[]) {
    for (const [i, p] of params.entries()) this.locals.set(p, i);
  }
  /** an i32 local (the kernel keeps every value it names in i32 locals) */
  local(n: string): number {
    let index = this.locals.get(n);
    if (index === undefined) {
      index = this.locals.size;
      this.locals.set(n, index);
      this.declared.push(I32);
    }
    return index;
  }
  get(n: string): this {
    this.code.push(op.localGet, ...uleb(this.local(n)));
    return this;
  }
  set(n: string): this {
    this.code.push(op.localSet, ...uleb(this.local(n)));
    return this;
  }
  tee(n: string): this {
    this.code.push(op.localTee, ...uleb(this.local(n)));
    return this;
  }
  i32(value: number): this {
    this.code.push(op.i32Const, ...sleb(value | 0));
    return this;
  }
  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  /** load/store with a 4-byte alignment hint and a constant offset */
  mem(opcode: number, offset = 0): this {
    this.code.push(opcode, 2, ...uleb(offset));
    return this;
  }
  encode(): number[] {
    const groups: number[] = [];
    for (const type of this.declared) groups.push(1, type);
    const body = [...uleb(this.declared.length), ...groups, ...this.code, op.end];
    return [...uleb(body.length), ...body];
  }
}

/**
 * margins(rows, start, end, out), rows in the kernel's layout (two float32 per feature, see
 * writeRows), margins numOutputs float32 per row:
 *   for each block of ROWS_PER_BLOCK rows, for each tree in model order, LANES rows walk it
 *   together with its levels written out (one walk per depth the forest has), then the rows left
 *   over one at a time.
 * A walk keeps each row's node as its record's address a; a step is
 *   s = i32[a]; v = f32[row + s]; right = 2a + (16 - nodeBase); a = v < f32[a + 4] ? right - 8 : right
 * the choice a wasm `select` (a conditional move: ~20 % faster than arithmetic on the comparison)
 * and the leaf is f32[(a >> 1) + leafAdjust].
 */
function kernelModuleBytes(
  trees: number,
  numFeature: number,
  numOutputs: number,
  pages: number,
  depths: readonly number[],
): Uint8Array<ArrayBuffer> {
  const f = new Body(['rows', 'start', 'end', 'out']);
  const rowBytes = numFeature * 8;
  const outBytes = numOutputs * 4;
  const lanes = Array.from({ length: LANES }, (_, i) => i);

  /** one step of the walk for the row at `x` + xOffset whose node address is in local `a` */
  const step = (a: string, x: string, xOffset: number) => {
    // select(left child, right child, v < threshold): a conditional move, not arithmetic on the flag
    f.get(a).i32(1).emit(op.i32Shl).get('k').emit(op.i32Add).tee('right').i32(8).emit(op.i32Sub);
    f.get('right');
    f.get(a).mem(op.i32Load).get(x).emit(op.i32Add).mem(op.f32Load, xOffset);
    f.get(a).mem(op.f32Load, 4).emit(op.f32Lt);
    f.emit(op.select).set(a);
  };
  /** margins[row + group] += leaf, in float32; `row` is the local holding the margins' address */
  const addLeaf = (a: string, row: string, rowOffset: number) => {
    f.get(row).get('group').emit(op.i32Add).tee('at');
    f.get('at').mem(op.f32Load, rowOffset);
    f.get(a).i32(1).emit(op.i32ShrU).get('leafAdjust').emit(op.i32Add).mem(op.f32Load);
    f.emit(op.f32Add).mem(op.f32Store, rowOffset);
  };
  /** `while (test()) { body(); advance(); }` */
  const loop = (test: () => void, advance: () => void, body: () => void) => {
    f.emit(op.block, 0x40, op.loop, 0x40);
    test();
    f.emit(op.i32Eqz, op.brIf, 1);
    body();
    advance();
    f.emit(op.br, 0, op.end, op.end);
  };
  const ifDepth = (depth: number, body: () => void) => {
    f.get('depth').i32(depth).emit(op.i32Eq, op.if, 0x40);
    body();
    f.emit(op.end);
  };

  f.get('start').set('b');
  loop(
    () => f.get('b').get('end').emit(op.i32LtU),
    () => f.get('b').i32(ROWS_PER_BLOCK).emit(op.i32Add).set('b'),
    () => {
      // e = min(end, b + ROWS_PER_BLOCK)
      f.get('b').i32(ROWS_PER_BLOCK).emit(op.i32Add).tee('e').get('end').get('e').get('end').emit(op.i32LtU);
      f.emit(op.select).set('e');
      f.i32(0).set('t');
      loop(
        () =>
          f
            .get('t')
            .i32(trees * 16)
            .emit(op.i32LtU),
        () => f.get('t').i32(16).emit(op.i32Add).set('t'),
        () => {
          f.get('t').mem(op.i32Load, 0).set('depth');
          f.get('t').mem(op.i32Load, 4).set('nodeBase');
          f.get('t').mem(op.i32Load, 8).set('leafAdjust');
          f.get('t').mem(op.i32Load, 12).set('group');
          f.i32(16).get('nodeBase').emit(op.i32Sub).set('k');
          f.get('b').set('r');
          // LANES rows at a time, the levels written out per depth
          loop(
            () => f.get('r').i32(LANES).emit(op.i32Add).get('e').emit(op.i32LeU),
            () => f.get('r').i32(LANES).emit(op.i32Add).set('r'),
            () => {
              f.get('r').i32(rowBytes).emit(op.i32Mul).get('rows').emit(op.i32Add).set('x');
              f.get('r').i32(outBytes).emit(op.i32Mul).get('out').emit(op.i32Add).set('m');
              for (const j of lanes) f.get('nodeBase').set(`a${j}`);
              for (const depth of depths)
                ifDepth(depth, () => {
                  for (let d = 0; d < depth; d++) for (const j of lanes) step(`a${j}`, 'x', j * rowBytes);
                });
              for (const j of lanes) addLeaf(`a${j}`, 'm', j * outBytes);
            },
          );
          // the rows left over, one at a time
          loop(
            () => f.get('r').get('e').emit(op.i32LtU),
            () => f.get('r').i32(1).emit(op.i32Add).set('r'),
            () => {
              f.get('r').i32(rowBytes).emit(op.i32Mul).get('rows').emit(op.i32Add).set('x');
              f.get('r').i32(outBytes).emit(op.i32Mul).get('out').emit(op.i32Add).set('m');
              f.get('nodeBase').set('a');
              f.get('depth').set('d');
              loop(
                () => f.get('d'),
                () => f.get('d').i32(1).emit(op.i32Sub).set('d'),
                () => step('a', 'x', 0),
              );
              addLeaf('a', 'm', 0);
            },
          );
        },
      );
    },
  );
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(pages), ...uleb(MAX_PAGES)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('margins'), 0x00, 0]),
    ...section(10, [1, ...f.encode()]),
  ];
  return new Uint8Array(bytes);
}
