import { type DatasetContract, mergeDatasetContracts } from '../dataset-contract';
import type { PipelineModel } from '../pipeline-model';
import type { StageRegistry } from '../registry';
import type { ProblemReporter } from './positions';
import type { TypedStage } from './validate-stages';

/**
 * The checks that need the whole pipeline, once every stage is parsed: each stage type's
 * `contract` (merged into one contract per dataset; a conflict is reported at the stage), then
 * its `validate` with the pipeline, contracts included. Returns the contracts.
 */
export function validateAcrossStages(
  reporter: ProblemReporter,
  pipeline: PipelineModel,
  typed: readonly TypedStage[],
  registry: StageRegistry,
): Record<string, DatasetContract> {
  const base = (stage: TypedStage) => ({
    stageId: stage.stageId,
    attributes: stage.attributes,
    timeoutSeconds: stage.timeoutSeconds,
    datasets: pipeline.datasets,
    pipelineName: pipeline.name,
    ...(pipeline.sourceFile === undefined ? {} : { pipelineFile: pipeline.sourceFile }),
  });
  const parts = typed.flatMap((stage) =>
    (registry.get(stage.type)?.contract?.(base(stage)) ?? []).map((part) => ({
      stageId: stage.stageId,
      part,
    })),
  );
  const contracts = mergeDatasetContracts(parts, (stageId, message) =>
    reporter.report(['stages', stageId], message, { key: true }),
  );
  const withContracts: PipelineModel = { ...pipeline, contracts };
  for (const stage of typed)
    for (const problem of registry.get(stage.type)?.validate?.({ ...base(stage), pipeline: withContracts }) ??
      [])
      reporter.report(['stages', stage.stageId, ...problem.path], problem.message);
  return contracts;
}
