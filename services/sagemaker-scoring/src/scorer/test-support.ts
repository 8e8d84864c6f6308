import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
