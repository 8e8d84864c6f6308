import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The model the service ships (trained by tools/model-training/train.py): the stack deploys it, the twin scores with it. */
export const SHIPPED_MODEL_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../model/xgboost-model.json',
);
