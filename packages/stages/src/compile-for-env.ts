import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs/env';
import {
  type CompiledPipeline,
  type CompileTarget,
  compilePipeline,
  type PipelineModel,
  type StageRegistry,
  type StageType,
} from '@lakepipe/workflow';
import { createStageRegistry } from './stage-types';

export interface EnvCompilation {
  readonly registry: StageRegistry;
  readonly target: CompileTarget;
  readonly compiled: CompiledPipeline;
}

/**
 * The pipeline compiled with every stage type for one environment's names (infra/config/<env>.yaml):
 * the state machine infra/orchestration deploys and the local twin executes. `additional` stage
 * types are registered beside the services' (the twin's `stageTypes` option).
 */
export function compileForEnv(
  pipeline: PipelineModel,
  env: string,
  additional: readonly StageType[] = [],
): EnvCompilation {
  const registry = createStageRegistry(additional);
  const target = compileTargetFor(loadEnvConfig(env));
  return { registry, target, compiled: compilePipeline(pipeline, registry, target) };
}
