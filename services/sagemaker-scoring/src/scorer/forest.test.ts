import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMarginSource, interpretMargins, kernelFromSource, type MarginKernel } from './compile';
import { MAX_PERFECT_DEPTH, type PerfectForest, perfectForest, perfectKernelSource } from './forest';
import { loadModel, type TreeModel } from './model';
import { Scorer } from './scorer';
import { chainTree, fixturesRoot, randomRows, shippedModelDir } from './test-support';

const models = [
  path.join(shippedModelDir, 'xgboost-model.json'),
  path.join(fixturesRoot, 'reg-squarederror/xgboost-model.json'),
  path.join(fixturesRoot, 'reg-logistic/xgboost-model.json'),
  path.join(fixturesRoot, 'multi-softprob/xgboost-model.json'),
];

function margins(model: TreeModel, kernel: MarginKernel, x: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * model.numOutputs);
  for (let r = 0; r < rows; r++) out.set(model.baseMargin, r * model.numOutputs);
  kernel(x, 0, rows, out);
  return out;
}

/** A model of one chain tree (test-support's chainTree). */
function chainModel(depth: number): TreeModel {
  return {
    source: `chain-${depth}`,
    objective: 'reg:squarederror',
    numFeature: 3,
    numOutputs: 1,
    baseMargin: Float32Array.of(0.5),
    trees: [chainTree(depth)],
    version: [1, 7, 4],
  };
}

describe('perfectForest', () => {
  for (const file of models) {
    it(`gives the same margins as walking the trees and as the compiled code for ${path.basename(path.dirname(file))}`, async () => {
      // Arrange
      const model = await loadModel(file);
      const rows = 3001; // not a multiple of the lanes or the block
      const x = randomRows(model, rows);
      const forest = perfectForest(model)!;
      const perfect = (
        kernelFromSource(perfectKernelSource(Array.from(forest.depth))) as unknown as (
          f: PerfectForest,
        ) => MarginKernel
      )(forest);
      const walked = new Float32Array(rows * model.numOutputs);
      for (let r = 0; r < rows; r++) walked.set(model.baseMargin, r * model.numOutputs);

      // Act
      interpretMargins(model, x, 0, rows, walked);
      const fromForest = margins(model, perfect, x, rows);
      const fromCompiled = margins(model, kernelFromSource(compileMarginSource(model)), x, rows);

      // Assert
      expect(Array.from(fromForest)).toEqual(Array.from(walked));
      expect(Array.from(fromCompiled)).toEqual(Array.from(walked));
    });
  }

  it('pads a shallow leaf so every slot under it holds its value', () => {
    // Arrange
    const model = chainModel(3);

    // Act
    const forest = perfectForest(model)!;

    // Assert: depth 3, 7 splits, 8 leaf slots; the root's right leaf (0) fills slots 4..7 and
    // the second split's right leaf (0.1) slots 2..3
    expect(Array.from(forest.depth)).toEqual([3]);
    expect(forest.split.length).toBe(7);
    expect(Array.from(forest.leaf)).toEqual([-1.5, 0.2, 0.1, 0.1, 0, 0, 0, 0].map(Math.fround));
  });

  it(`leaves trees deeper than ${MAX_PERFECT_DEPTH} levels to the compiled kernel, with the same predictions`, () => {
    // Arrange
    const deep = chainModel(MAX_PERFECT_DEPTH + 1);
    const shallow = chainModel(MAX_PERFECT_DEPTH);
    const x = randomRows(deep, 500);

    // Act
    const deepScorer = new Scorer(deep);
    const shallowScorer = new Scorer(shallow);
    const walked = new Float32Array(500).fill(0.5);
    interpretMargins(deep, x, 0, 500, walked);

    // Assert
    expect(perfectForest(deep)).toBeUndefined();
    expect(deepScorer.kernelKind).toBe('compiled');
    expect(shallowScorer.kernelKind).toBe('wasm');
    expect(Array.from(deepScorer.predict(x, 500))).toEqual(Array.from(walked));
  });
});
