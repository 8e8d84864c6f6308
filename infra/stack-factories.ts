import { serviceStageTypes } from '@lakepipe/cli/stage-registry';
import type { EnvConfig } from '@lakepipe/constructs';
import { LedgerApiStack } from '@lakepipe/ledger-api';
import { OrchestrationStack } from '@lakepipe/orchestration';
import { SageMakerScoringStack } from '@lakepipe/sagemaker-scoring/infra';
import { SharedInfraStack } from '@lakepipe/shared-infra';
import { SourcingStack } from '@lakepipe/sourcing/infra';
import { SparkEtlCatalogStack, SparkEtlStack } from '@lakepipe/spark-etl/infra';
import { ViewCatalogStack, ViewStack } from '@lakepipe/view/infra';
import type { PipelineModel, StageType } from '@lakepipe/workflow';
import type { App, TerraformStack } from 'cdktf';
import { type StackId, stackName } from './stacks';

/**
 * Builds one stack for one environment. `pipeline()` returns the parsed pipeline.yaml; it is
 * parsed (with every service's stage type) only when a stack outside `stacksWithoutPipeline`
 * is synthesized.
 */
export type StackFactory = (app: App, config: EnvConfig, pipeline: () => PipelineModel) => TerraformStack;

const named = (id: StackId, config: EnvConfig) => stackName(id, config.name);

/** How each stack of infra/stacks.ts is built. */
export const stackFactories: Partial<Record<StackId, StackFactory>> = {
  'shared-infra': (app, config) => new SharedInfraStack(app, named('shared-infra', config), { config }),
  orchestration: (app, config, pipeline) =>
    new OrchestrationStack(app, named('orchestration', config), {
      config,
      pipeline: pipeline(),
      stageTypes,
    }),
  'ledger-api': (app, config) => new LedgerApiStack(app, named('ledger-api', config), { config }),
  sourcing: (app, config, pipeline) =>
    new SourcingStack(app, named('sourcing', config), { config, pipeline: pipeline() }),
  'spark-etl-catalog': (app, config, pipeline) =>
    new SparkEtlCatalogStack(app, named('spark-etl-catalog', config), { config, pipeline: pipeline() }),
  'spark-etl': (app, config, pipeline) =>
    new SparkEtlStack(app, named('spark-etl', config), { config, pipeline: pipeline() }),
  'sagemaker-scoring': (app, config, pipeline) =>
    new SageMakerScoringStack(app, named('sagemaker-scoring', config), { config, pipeline: pipeline() }),
  'view-catalog': (app, config, pipeline) =>
    new ViewCatalogStack(app, named('view-catalog', config), { config, pipeline: pipeline() }),
  view: (app, config, pipeline) =>
    new ViewStack(app, named('view', config), { config, pipeline: pipeline() }),
};

/** Stacks that never read the pipeline: synthesizing only these skips parsing pipeline.yaml. */
export const stacksWithoutPipeline: ReadonlySet<StackId> = new Set<StackId>(['shared-infra', 'ledger-api']);

/**
 * The stage types pipeline.yaml may use: the one list the CLI and the local twin use too
 * (tools/cli/src/stage-registry.ts), so the cloud and the twin compile the same pipeline.
 */
export const stageTypes: readonly StageType[] = serviceStageTypes;
