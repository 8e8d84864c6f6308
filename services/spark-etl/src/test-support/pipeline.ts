import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatasetSpec, datasetSpec } from '@lakepipe/workflow';
import { parse } from 'yaml';

export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-fixtures');

/** The real bench_tests spec of the repo's pipeline.yaml (the one the twin runs). */
export function benchTestsSpec(): DatasetSpec {
  const doc = parse(readFileSync(path.join(workspaceRoot, 'pipeline.yaml'), 'utf8')) as {
    datasets: Record<string, unknown>;
  };
  return datasetSpec.parse(doc.datasets.bench_tests);
}
