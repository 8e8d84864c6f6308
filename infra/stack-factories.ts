import type { EnvConfig } from '@lakepipe/constructs';
import { SharedInfraStack } from '@lakepipe/shared-infra';
import type { PipelineModel, StageType } from '@lakepipe/workflow';
import type { App, TerraformStack } from 'cdktf';
import { type StackId, stackName } from './stacks';

/**
 * Builds one stack for one environment. `pipeline()` returns the parsed pipeline.yaml; it is
 * parsed (with every stage type of `stageTypes`) only when a stack outside
 * `stacksWithoutPipeline` is synthesized.
 */
export type StackFactory = (app: App, config: EnvConfig, pipeline: () => PipelineModel) => TerraformStack;

/**
 * How each stack of infra/stacks.ts is built. A stack without a factory is skipped (and
 * reported) when synthesizing everything, and is an error when asked for by name.
 */
export const stackFactories: Partial<Record<StackId, StackFactory>> = {
  'shared-infra': (app, config) =>
    new SharedInfraStack(app, stackName('shared-infra', config.name), { config }),
  // TODO(integration): orchestration, ledger-api, sourcing, spark-etl(-catalog), sagemaker-scoring, view(-catalog)
};

/** Stacks that never read the pipeline: synthesizing only these skips loading @lakepipe/workflow. */
export const stacksWithoutPipeline: ReadonlySet<StackId> = new Set<StackId>(['shared-infra']);

/**
 * The stage types pipeline.yaml may use, one per service (each service exports its StageType).
 * TODO(integration): add every service's stage type when the services are wired.
 */
export const stageTypes: readonly StageType[] = [];
