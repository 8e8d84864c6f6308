import type { EnvConfig } from '@lakepipe/constructs';
import {
  stackFactories as factoriesById,
  stacksWithoutPipeline as withoutPipeline,
} from '@lakepipe/stages/stacks';
import type { PipelineModel } from '@lakepipe/workflow';
import type { App, TerraformStack } from 'cdktf';
import { type StackId, stackCatalog, stackName } from './stacks';

export { stageTypes } from '@lakepipe/stages';

/**
 * Builds one stack for one environment. `pipeline()` returns the parsed pipeline.yaml; it is
 * parsed (with every service's stage type) only when a stack outside `stacksWithoutPipeline`
 * is synthesized.
 */
export type StackFactory = (app: App, config: EnvConfig, pipeline: () => PipelineModel) => TerraformStack;

/**
 * How each stack of infra/stacks.ts is built: the factories of the composition root
 * (@lakepipe/stages/stacks), named `<id>-<env>` by this catalog.
 */
export const stackFactories: Partial<Record<StackId, StackFactory>> = Object.fromEntries(
  stackCatalog.flatMap(({ id }): [StackId, StackFactory][] => {
    const build = factoriesById[id];
    return build
      ? [[id, (app, config, pipeline) => build(app, stackName(id, config.name), config, pipeline)]]
      : [];
  }),
);

/** Stacks that never read the pipeline: synthesizing only these skips parsing pipeline.yaml. */
export const stacksWithoutPipeline: ReadonlySet<StackId> = new Set(
  stackCatalog.map((entry) => entry.id).filter((id) => withoutPipeline.has(id)),
);
