import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import {
  type CompiledPipeline,
  type CompileTarget,
  compilePipeline,
  type PipelineModel,
  type StageRegistry,
} from '@lakepipe/workflow';
import { createStageRegistry } from '../stage-registry';

export interface LocalCompilation {
  readonly registry: StageRegistry;
  readonly target: CompileTarget;
  readonly compiled: CompiledPipeline;
}

/**
 * The state machine the twin executes: the pipeline compiled for a real environment's names
 * (dev by default), exactly as infra/orchestration deploys it — the parity test compares the two.
 */
export function compileForLocalRun(pipeline: PipelineModel, env: string): LocalCompilation {
  const registry = createStageRegistry();
  const target = compileTargetFor(loadEnvConfig(env));
  return { registry, target, compiled: compilePipeline(pipeline, registry, target) };
}
