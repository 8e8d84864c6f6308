import { sagemakerScoringStageType } from '@lakepipe/sagemaker-scoring/stage-type';
import { sourcingStageType } from '@lakepipe/sourcing/stage-type';
import { sparkEtlStageType } from '@lakepipe/spark-etl/stage-type';
import { viewStageType } from '@lakepipe/view/stage-type';
import {
  loadPipeline,
  type PipelineModel,
  createStageRegistry as registryOf,
  type StageRegistry,
  type StageType,
} from '@lakepipe/workflow';

/**
 * Every service's stage type: the one list pipeline.yaml is validated and compiled with, by
 * infra (the deployed state machine), the CLI, the local twin and the tests. Each comes from
 * the service's `./stage-type` entry point, which loads no cdktf. A new stage type is added here
 * (docs/adding-a-stage-type.md).
 */
export const stageTypes: readonly StageType[] = [
  sourcingStageType as StageType,
  sparkEtlStageType as StageType,
  sagemakerScoringStageType as StageType,
  viewStageType as StageType,
];

/**
 * A registry of every service's stage type (plus the workflow's built-in `notify`).
 * @param additional stage types registered beside them (a type under test, docs/adding-a-stage-type.md)
 */
export function createStageRegistry(additional: readonly StageType[] = []): StageRegistry {
  return registryOf([...stageTypes, ...additional]);
}

/** Loads and validates a pipeline file with every service's stage type registered. */
export function loadPipelineWithStages(file: string): PipelineModel {
  return loadPipeline(file, createStageRegistry());
}
