import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlatTree, TreeModel } from './model';

export const serviceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = path.join(serviceRoot, 'src/test-fixtures');
export const shippedModelDir = path.join(serviceRoot, 'model');

export interface Reference {
  /** the features/ CSV (id first, no header) built from reference.csv */
  readonly featuresCsv: string;
  /** XGBoost's predictions, row-major, `outputs` per row */
  readonly expected: number[];
  readonly outputs: number;
  readonly rows: number;
}

/** reference.csv written by tools/model-training/train.py: id, 7 features, XGBoost's prediction(s). */
export function readReference(dir: string): Reference {
  const [header, ...lines] = readFileSync(path.join(dir, 'reference.csv'), 'utf8').trim().split('\n');
  const outputs = header!.split(',').filter((c) => c.startsWith('prediction')).length;
  const expected: number[] = [];
  const features: string[] = [];
  for (const line of lines) {
    const fields = line.split(',');
    features.push(fields.slice(0, fields.length - outputs).join(','));
    for (const p of fields.slice(fields.length - outputs)) expected.push(Number(p));
  }
  return { featuresCsv: `${features.join('\n')}\n`, expected, outputs, rows: lines.length };
}

/**
 * A chain tree of `depth` splits over 3 features: each split's right child is a leaf, the left
 * goes one level deeper. `shift` varies its features, missing-value directions and leaves.
 */
export function chainTree(depth: number, shift = 0, group = 0): FlatTree {
  const n = 2 * depth + 1;
  const left = new Int32Array(n).fill(-1);
  const right = new Int32Array(n).fill(-1);
  const feature = new Int32Array(n);
  const value = new Float32Array(n);
  const defaultLeft = new Uint8Array(n);
  for (let d = 0; d < depth; d++) {
    const node = 2 * d;
    left[node] = node + 2;
    right[node] = node + 1;
    feature[node] = (d + shift) % 3;
    value[node] = Math.fround(depth - d);
    defaultLeft[node] = (d + shift) % 2;
    value[node + 1] = Math.fround(d / 10 + shift);
  }
  value[n - 1] = Math.fround(-1.5 - shift);
  return { left, right, feature, value, defaultLeft, group };
}

/**
 * Rows of random values in [-2x, 2x] of each feature's largest threshold, with missing values (10 %)
 * and both infinities (1 % each) among them.
 */
export function randomRows(model: TreeModel, rows: number, seed = 11): Float32Array {
  const high = new Float64Array(model.numFeature).fill(1);
  for (const tree of model.trees)
    for (let i = 0; i < tree.left.length; i++)
      if (tree.left[i] !== -1)
        high[tree.feature[i]!] = Math.max(high[tree.feature[i]!]!, Math.abs(tree.value[i]!) * 2);
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const x = new Float32Array(rows * model.numFeature);
  for (let i = 0; i < x.length; i++) {
    const u = random();
    x[i] =
      u < 0.1
        ? Number.NaN
        : u < 0.11
          ? Number.POSITIVE_INFINITY
          : u < 0.12
            ? Number.NEGATIVE_INFINITY
            : (random() * 2 - 1) * high[i % model.numFeature]!;
  }
  return x;
}
