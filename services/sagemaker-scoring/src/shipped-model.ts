import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModel } from './scorer/model';

/** The model the service ships (trained by tools/model-training/train.py): the stack deploys it, the twin scores with it. */
export const SHIPPED_MODEL_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../model/xgboost-model.json',
);

let outputs: number | undefined;

/** How many score columns the shipped model writes: 1 for regression and binary classification, k for k classes. */
export function shippedModelOutputs(): number {
  outputs ??= parseModel(readFileSync(SHIPPED_MODEL_FILE, 'utf8'), SHIPPED_MODEL_FILE).numOutputs;
  return outputs;
}
