import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatasetContract, datasetSpec, type PipelineModel, type StageModel } from '@lakepipe/workflow';
import { parse } from 'yaml';

export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const repoPipelineFile = path.join(workspaceRoot, 'pipeline.yaml');

/**
 * The typed model of a pipeline YAML for tests: datasets through the shared zod schema, stages
 * with their attributes, and the dataset contracts the test gives (what spark-etl and scoring
 * publish in a parsed pipeline; view only reads them). The workflow's parser validates much more.
 */
export function pipelineFromYaml(
  text: string,
  sourceFile = 'pipeline.yaml',
  contracts: Readonly<Record<string, DatasetContract>> = {},
): PipelineModel {
  const doc = parse(text) as {
    name: string;
    trigger?: PipelineModel['trigger'];
    datasets?: Record<string, unknown>;
    views?: PipelineModel['views'];
    stages?: Record<string, Record<string, unknown>>;
  };
  const retry = { maxAttempts: 3, intervalSeconds: 10, backoffRate: 2 };
  const stages: Record<string, StageModel> = {};
  for (const [id, raw] of Object.entries<Record<string, unknown>>(doc.stages ?? {})) {
    const { type, retry: _retry, timeoutSeconds, comment: _comment, ...attributes } = raw;
    stages[id] = {
      id,
      type: String(type),
      attributes,
      retry,
      timeoutSeconds: Number(timeoutSeconds ?? 3600),
    };
  }
  return {
    name: doc.name,
    defaults: { retry, timeoutSeconds: 3600 },
    trigger: doc.trigger ?? {},
    datasets: Object.fromEntries(
      Object.entries(doc.datasets ?? {}).map(([name, spec]) => [name, datasetSpec.parse(spec)]),
    ),
    views: doc.views ?? {},
    stages,
    flow: [],
    contracts,
    sourceFile,
  };
}

const double = (name: string) => ({ name, type: 'double' });

/** What spark-etl and sagemaker-scoring publish for the repository's bench_tests (pipeline.yaml). */
export const repoContracts: Readonly<Record<string, DatasetContract>> = {
  bench_tests: {
    dataset: 'bench_tests',
    curated: [
      { name: 'test_id', type: 'string' },
      { name: 'device_id', type: 'string' },
      { name: 'bench_id', type: 'string' },
      { name: 'firmware', type: 'string' },
      { name: 'started_at', type: 'timestamp' },
      ...['duration_s', 'temperature_c', 'voltage_v', 'current_a', 'vibration_mm_s', 'pressure_kpa'].map(
        double,
      ),
      { name: 'error_count', type: 'int' },
      { name: 'failed_in_field', type: 'int' },
      { name: 'dt', type: 'date' },
    ],
    features: [
      { name: 'test_id', type: 'string' },
      ...['duration_s', 'temperature_c', 'voltage_v', 'current_a', 'vibration_mm_s', 'pressure_kpa'].map(
        double,
      ),
      { name: 'error_count', type: 'int' },
    ],
    scored: { columns: [{ name: 'test_id', type: 'string' }, double('score')], threshold: 0.5, classes: 1 },
  },
};

export function repoPipeline(): PipelineModel {
  return pipelineFromYaml(readFileSync(repoPipelineFile, 'utf8'), repoPipelineFile, repoContracts);
}
