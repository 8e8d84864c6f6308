import type { StageModel } from '../pipeline-model';
import type { StageType } from '../stage-type';

/**
 * Errors retrying cannot fix: a stage failing with one of them is not retried. Step Functions
 * matches error names exactly, so the convention is spelled out: services throw these names.
 */
export const NON_RETRYABLE_ERRORS: readonly string[] = [
  'States.Runtime',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.ParameterPathFailure',
  'States.IntrinsicFailure',
  'ValidationError',
  'InvalidInputError',
  'InvalidInputException',
  'PipelineValidationError',
  'DatasetValidationError',
];

/**
 * The Retry of a stage's wrapper: never for the non-retryable errors (the built-in list plus the
 * stage type's own), else the stage's policy. Undefined when the stage is not retried.
 */
export function stageRetry(stage: StageModel, stageType: StageType): Record<string, unknown>[] | undefined {
  const { maxAttempts, intervalSeconds, backoffRate } = stage.retry;
  if (maxAttempts === 0) return undefined;
  return [
    {
      ErrorEquals: [...new Set([...NON_RETRYABLE_ERRORS, ...(stageType.nonRetryableErrors ?? [])])],
      MaxAttempts: 0,
    },
    {
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: intervalSeconds,
      MaxAttempts: maxAttempts,
      BackoffRate: backoffRate,
    },
  ];
}
