import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetSpec, type PipelineModel, type StageModel } from '@lakepipe/workflow';
import { parse } from 'yaml';

export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const repoPipelineFile = path.join(workspaceRoot, 'pipeline.yaml');

/**
 * The typed model of a pipeline YAML for tests: datasets through the shared zod schema,
 * stages with their attributes. (The workflow package's full parser validates much more.)
 */
export function pipelineFromYaml(text: string, sourceFile = 'pipeline.yaml'): PipelineModel {
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
    sourceFile,
  };
}

export function repoPipeline(): PipelineModel {
  return pipelineFromYaml(readFileSync(repoPipelineFile, 'utf8'), repoPipelineFile);
}
