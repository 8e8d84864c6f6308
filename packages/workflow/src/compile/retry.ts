import type { StageModel } from '../pipeline-model';
import type { StageTaskStep, StageType } from '../stage-type';
import type { CompileContext } from './context';
import type { AslState } from './types';

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

/** The errors AWS recommends retrying on every Lambda task (bp-lambda-serviceexception). */
export const LAMBDA_TRANSIENT_RETRY = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
} as const;

/** A stage step's own Retry: AWS's Lambda transient retry on Lambda tasks, then the step type's own. */
export function taskRetry(step: StageTaskStep): Record<string, unknown>[] {
  const lambda = /^arn:aws:states:::lambda:invoke/.test(step.state.Resource);
  return [...(lambda ? [LAMBDA_TRANSIENT_RETRY] : []), ...(step.retry ?? [])].map((r) => ({
    ...r,
    ErrorEquals: [...r.ErrorEquals],
  }));
}

/**
 * A caught error's name, as the retry policy must read it. In AWS a failed Glue job or transform job
 * reaches the state machine as States.TaskFailed with the engine's own error inside the cause, so a
 * non-retryable name would never match: a Choice finds the name in the cause (the most specific
 * name first) and a Pass re-names the error, before the attempt is recorded and the error rethrown.
 * Returns the Choice and one Pass per name; `next` is the state that records the failed attempt.
 */
export function classifyErrorStates(
  ctx: CompileContext,
  label: string,
  choiceName: string,
  stageType: StageType,
  next: string,
): Record<string, AslState> {
  const names = [...new Set([...NON_RETRYABLE_ERRORS, ...(stageType.nonRetryableErrors ?? [])])]
    .filter((name) => !name.startsWith('States.'))
    // a longer name first: "*PipelineValidationError*" before "*ValidationError*"
    .sort((a, b) => b.length - a.length || a.localeCompare(b));
  const states: Record<string, AslState> = {};
  const choices = names.map((name) => {
    const rename = ctx.claim(`${label}: ${name}`);
    states[rename] = {
      Type: 'Pass',
      Parameters: { Error: name, 'Cause.$': '$.error.Cause' },
      ResultPath: '$.error',
      Next: next,
    };
    return { Variable: '$.error.Cause', StringMatches: `*${name}*`, Next: rename };
  });
  return {
    [choiceName]: {
      Type: 'Choice',
      Comment: 'AWS reports a failed job as States.TaskFailed: name a non-retryable error found in the cause',
      // an error that is not States.TaskFailed already carries its own name
      Choices: [
        { Not: { Variable: '$.error.Error', StringEquals: 'States.TaskFailed' }, Next: next },
        ...choices,
      ],
      Default: next,
    },
    ...states,
  };
}
