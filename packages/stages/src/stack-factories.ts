import type { EnvConfig } from '@lakepipe/constructs';
import { LedgerApiStack } from '@lakepipe/ledger-api';
import { OrchestrationStack } from '@lakepipe/orchestration';
import { SageMakerScoringStack } from '@lakepipe/sagemaker-scoring/infra';
import { SharedInfraStack } from '@lakepipe/shared-infra';
import { SourcingStack } from '@lakepipe/sourcing/infra';
import { SparkEtlCatalogStack, SparkEtlStack } from '@lakepipe/spark-etl/infra';
import { ViewCatalogStack, ViewStack } from '@lakepipe/view/infra';
import type { PipelineModel } from '@lakepipe/workflow';
import type { App, TerraformStack } from 'cdktf';
import { stageTypes } from './stage-types';

/**
 * Builds one stack for one environment. `name` is the Terraform stack name (`<id>-<env>`);
 * `pipeline()` returns the parsed pipeline.yaml and is called only by stacks that read it.
 */
export type StackFactory = (
  app: App,
  name: string,
  config: EnvConfig,
  pipeline: () => PipelineModel,
) => TerraformStack;

/**
 * How each stack of infra/stacks.ts's catalog is built, by stack id: the one list of stacks
 * (a test in infra checks it against the catalog, id for id).
 */
export const stackFactories: Readonly<Record<string, StackFactory>> = {
  'shared-infra': (app, name, config) => new SharedInfraStack(app, name, { config }),
  orchestration: (app, name, config, pipeline) =>
    new OrchestrationStack(app, name, { config, pipeline: pipeline(), stageTypes }),
  'ledger-api': (app, name, config) => new LedgerApiStack(app, name, { config }),
  sourcing: (app, name, config, pipeline) => new SourcingStack(app, name, { config, pipeline: pipeline() }),
  'spark-etl-catalog': (app, name, config, pipeline) =>
    new SparkEtlCatalogStack(app, name, { config, pipeline: pipeline() }),
  'spark-etl': (app, name, config, pipeline) =>
    new SparkEtlStack(app, name, { config, pipeline: pipeline() }),
  'sagemaker-scoring': (app, name, config, pipeline) =>
    new SageMakerScoringStack(app, name, { config, pipeline: pipeline() }),
  'view-catalog': (app, name, config, pipeline) =>
    new ViewCatalogStack(app, name, { config, pipeline: pipeline() }),
  view: (app, name, config, pipeline) => new ViewStack(app, name, { config, pipeline: pipeline() }),
};

/** Stacks that never read the pipeline: synthesizing only these skips parsing pipeline.yaml. */
export const stacksWithoutPipeline: ReadonlySet<string> = new Set(['shared-infra', 'ledger-api']);
