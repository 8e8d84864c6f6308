import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlatTree } from './model';

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
