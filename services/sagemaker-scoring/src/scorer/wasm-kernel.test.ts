import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpretMargins } from './compile';
import { perfectForest } from './forest';
import { loadModel, type TreeModel } from './model';
import { scoreFeatures } from './score-features';
import { applyTransform, Scorer } from './scorer';
import { chainTree, fixturesRoot, randomRows, shippedModelDir } from './test-support';
import { runWasmMargins, WASM_ROWS_PER_CALL, wasmForest, wasmMargins, writeRows } from './wasm-kernel';

const models = [
  path.join(shippedModelDir, 'xgboost-model.json'),
  path.join(fixturesRoot, 'reg-squarederror/xgboost-model.json'),
  path.join(fixturesRoot, 'reg-logistic/xgboost-model.json'),
  path.join(fixturesRoot, 'multi-softprob/xgboost-model.json'),
];

function walked(model: TreeModel, x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * model.numOutputs);
  for (let r = 0; r < rows; r++) out.set(model.baseMargin, r * model.numOutputs);
  interpretMargins(model, x, 0, rows, out);
  return out;
}

function wasmMarginsOf(model: TreeModel, x: Float32Array, rows: number, at?: number): Float32Array {
  const forest = wasmForest(perfectForest(model)!)!;
  const batch = writeRows(forest, x, rows, at)!;
  for (let r = 0; r < rows; r++) batch.margins.set(model.baseMargin, r * model.numOutputs);
  runWasmMargins(wasmMargins(forest.module, forest.memory), batch, 0, rows);
  return batch.margins.slice();
}

/** Chain trees of depth 0 (a single leaf) to 7 in one forest, adding to outputs 0 and 1 in turn. */
function mixedDepthModel(): TreeModel {
  return {
    source: 'mixed-depths',
    objective: 'multi:softprob',
    numFeature: 3,
    numOutputs: 2,
    baseMargin: Float32Array.of(0.5, 0.25),
    trees: Array.from({ length: 8 }, (_, depth) => chainTree(depth, depth, depth % 2)),
    version: [1, 7, 4],
  };
}

describe('the wasm kernel', () => {
  for (const file of models) {
    it(`gives the margins of walking the trees, bit for bit, for ${path.basename(path.dirname(file))}`, async () => {
      // Arrange
      const model = await loadModel(file);
      const rows = 2 * WASM_ROWS_PER_CALL + 1001; // several calls, not a multiple of the lanes or the block
      const x = randomRows(model, rows);

      // Act
      const fromWasm = wasmMarginsOf(model, x, rows);

      // Assert
      expect(Array.from(fromWasm)).toEqual(Array.from(walked(model, x, rows)));
    });
  }

  it('walks trees of every depth from a single leaf to 7 in one forest, on two outputs', () => {
    // Arrange
    const model = mixedDepthModel();
    const x = randomRows(model, 777, 3);

    // Act
    const fromWasm = wasmMarginsOf(model, x, 777);

    // Assert
    expect(Array.from(fromWasm)).toEqual(Array.from(walked(model, x, 777)));
  });

  it('reads a batch written anywhere in its memory, growing it when the batch does not fit', () => {
    // Arrange
    const model = mixedDepthModel();
    const rows = 20_000; // 20,000 rows * 3 features * 8 bytes: past the memory's first pages
    const x = randomRows(model, rows, 5);

    // Act
    const fromWasm = wasmMarginsOf(model, x, rows, 1_000_003);

    // Assert
    expect(Array.from(fromWasm)).toEqual(Array.from(walked(model, x, rows)));
  });

  it('is what the Scorer uses, on its own thread and on workers, with the same predictions', async () => {
    // Arrange
    const model = await loadModel(path.join(shippedModelDir, 'xgboost-model.json'));
    const rows = 5000;
    const x = randomRows(model, rows);
    const expected = walked(model, x, rows);
    applyTransform(model.objective, model.numOutputs, expected, 0, rows);
    const scorer = new Scorer(model);

    // Act
    const single = scorer.predict(x, rows);
    const parallel = await scorer.predictParallel(x, rows, { threads: 2 });
    await scorer.close();

    // Assert
    expect(scorer.kernelKind).toBe('wasm');
    expect(Array.from(single)).toEqual(Array.from(expected));
    expect(Array.from(parallel)).toEqual(Array.from(expected));
  });

  it('walks in JavaScript where no wasm memory can be reserved, and a batch past its maximum, with the same predictions', async () => {
    // Arrange: a host that cannot reserve any memory; one whose memory holds 1 MiB at most
    const model = await loadModel(path.join(shippedModelDir, 'xgboost-model.json'));
    const rows = 60_000; // 60,000 rows * 7 features * 8 bytes: past 1 MiB
    const x = randomRows(model, rows);
    const expected = walked(model, x, rows);
    applyTransform(model.objective, model.numOutputs, expected, 0, rows);
    const csv = Array.from({ length: rows }, (_, r) =>
      [`id${r}`, ...Array.from(x.subarray(r * 7, r * 7 + 7), (v) => (Number.isNaN(v) ? '' : String(v)))].join(
        ',',
      ),
    ).join('\n');

    // Act
    const none = new Scorer(model, { wasmMaximumPages: [] });
    const small = new Scorer(model, { wasmMaximumPages: [16] });
    const single = small.predict(x, rows);
    const parallel = await small.predictParallel(x, rows, { threads: 2 });
    const ranges = await small.scoreCsvRanges(Buffer.from(csv), {
      file: 'f.csv',
      threshold: 0.5,
      threads: 2,
    });
    const scored = await scoreFeatures(small, Buffer.from(csv), { file: 'f.csv', threads: 2 });
    const reference = await scoreFeatures(new Scorer(model), Buffer.from(csv), { file: 'f.csv', threads: 2 });
    await small.close();

    // Assert
    expect(none.kernelKind).toBe('perfect');
    expect(small.kernelKind).toBe('wasm');
    expect(Array.from(none.predict(x, rows))).toEqual(Array.from(expected));
    expect(Array.from(single)).toEqual(Array.from(expected));
    expect(Array.from(parallel)).toEqual(Array.from(expected));
    expect(ranges).toBeUndefined(); // too large for the small memory: parsed, then predicted
    expect(scored.output.equals(reference.output)).toBe(true);
  });

  it('leaves a model with a threshold of -Infinity to the JavaScript walk, which reads missing values exactly', () => {
    // Arrange: a missing value is read as -Infinity at a split whose missing values go left,
    // which `-Infinity < -Infinity` would send right
    const model = mixedDepthModel();
    model.trees[3]!.value[0] = Number.NEGATIVE_INFINITY;
    const x = randomRows(model, 500, 9);
    const expected = walked(model, x, 500);
    applyTransform(model.objective, model.numOutputs, expected, 0, 500);

    // Act
    const scorer = new Scorer(model);

    // Assert
    expect(wasmForest(perfectForest(model)!)).toBeUndefined();
    expect(scorer.kernelKind).toBe('perfect');
    expect(Array.from(scorer.predict(x, 500))).toEqual(Array.from(expected));
  });
});
