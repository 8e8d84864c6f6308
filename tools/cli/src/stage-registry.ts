import { existsSync } from 'node:fs';
import { sagemakerScoringStageType } from '@lakepipe/sagemaker-scoring';
import { sourcingStageType } from '@lakepipe/sourcing/stage-type';
import { sparkEtlStageType } from '@lakepipe/spark-etl';
import { viewStageType } from '@lakepipe/view';
import {
  loadPipeline,
  type PipelineModel,
  createStageRegistry as registryOf,
  type StageRegistry,
  type StageType,
} from '@lakepipe/workflow';
import { InvalidOptionError } from './errors';

/**
 * The one place the four services' stage types are put together (the workflow package knows no
 * service by name). The CLI, the local twin and infra/ use it.
 */
export const serviceStageTypes: readonly StageType[] = [
  sourcingStageType as StageType,
  sparkEtlStageType as StageType,
  sagemakerScoringStageType as StageType,
  viewStageType as StageType,
];

export function createStageRegistry(): StageRegistry {
  return registryOf(serviceStageTypes);
}

/** Loads and validates a pipeline file with every service's stage type registered. */
export function loadPipelineForCli(file: string): PipelineModel {
  if (!existsSync(file)) {
    throw new InvalidOptionError(
      '--config',
      file,
      'a pipeline file that exists (default: pipeline.yaml in the current folder)',
    );
  }
  return loadPipeline(file, createStageRegistry());
}
