import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PipelineModel } from '@lakepipe/workflow';
import { z } from 'zod';
import { LakePipelineFileError } from '../errors';

/** What the dashboard draws the workflow from: the flow and each stage's type. */
export interface PipelineGraph {
  readonly name: string;
  readonly flow: PipelineModel['flow'];
  readonly stages: Readonly<Record<string, { readonly type: string }>>;
  readonly datasets: readonly string[];
}

/** `<lake>/_lakepipe/pipeline.json`: the pipeline that last ran against this lake. */
export interface LakePipelineRecord extends PipelineGraph {
  /** the pipeline file, as given to `lakepipe run` */
  readonly configFile: string;
  readonly recordedAt: string;
}

export const LAKE_PIPELINE_FILE = path.join('_lakepipe', 'pipeline.json');

const recordSchema = z.object({
  name: z.string().min(1),
  configFile: z.string(),
  recordedAt: z.string(),
  flow: z.array(z.unknown()),
  stages: z.record(z.string(), z.object({ type: z.string() })),
  datasets: z.array(z.string()),
});

export function pipelineGraph(pipeline: PipelineModel): PipelineGraph {
  return {
    name: pipeline.name,
    flow: pipeline.flow,
    stages: Object.fromEntries(Object.values(pipeline.stages).map((s) => [s.id, { type: s.type }])),
    datasets: Object.keys(pipeline.datasets),
  };
}

/** Written by `lakepipe run` before the run starts, so `serve --lake` draws the pipeline that wrote the lake. */
export function recordPipelineInLake(lakeRoot: string, pipeline: PipelineModel, configFile: string): string {
  const file = path.join(lakeRoot, LAKE_PIPELINE_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  const record: LakePipelineRecord = {
    ...pipelineGraph(pipeline),
    configFile,
    recordedAt: new Date().toISOString(),
  };
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(partial, file);
  return file;
}

/** The pipeline recorded in the lake, or undefined for a lake written before lakepipe recorded it. */
export function readPipelineOfLake(lakeRoot: string): LakePipelineRecord | undefined {
  const file = path.join(lakeRoot, LAKE_PIPELINE_FILE);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LakePipelineFileError(file, (error as Error).message);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LakePipelineFileError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data as LakePipelineRecord;
}
