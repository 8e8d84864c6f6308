import { conditionToChoiceRule, parseCondition } from './condition';
import { PipelineCompileError } from './errors';
import { formatCall } from './intrinsics';
import {
  attemptFailedTask,
  attemptSucceededTask,
  LEDGER_RESOURCES,
  type LedgerAction,
  type LedgerApiCall,
  type LedgerTask,
  recordAttemptTask,
  runFailedTask,
  runSucceededTask,
  startAttemptTask,
  startRunTask,
} from './ledger-tasks';
import type { FlowStep, PipelineModel, StageModel } from './pipeline-model';
import type { StageRegistry } from './registry';
import type { CompileTarget } from './stage-type';

/** An ASL state: plain JSON. */
export type AslState = Record<string, unknown>;

export interface AslDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/** What a Task state is, so the local twin can bind it by name. */
export type StateBinding =
  /** one step of a stage: run the stage type's `local[stepKey]` with the state's resolved Parameters */
  | {
      readonly kind: 'stage-step';
      readonly stageId: string;
      readonly stageType: string;
      readonly stepKey: string;
    }
  /** a DynamoDB call on the ledger table: run `api` with the resolved Parameters, verbatim */
  | { readonly kind: 'ledger'; readonly action: LedgerAction; readonly api: LedgerApiCall }
  /** the failure notification: an SNS Publish to the error topic */
  | { readonly kind: 'notify'; readonly topicArn: string };

export interface CompiledPipeline {
  readonly definition: AslDefinition;
  readonly bindings: Readonly<Record<string, StateBinding>>;
}

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

export const RUN_DEFAULTS_STATE = 'Run defaults';
export const RUN_INPUT_STATE = 'Run input';
export const START_RUN_STATE = 'Start run';
export const RUN_SUCCEEDED_STATE = 'Run succeeded';
export const NOTIFY_FAILURE_STATE = 'Notify failure';
export const MARK_RUN_FAILED_STATE = 'Mark run failed';
export const RUN_FAILED_STATE = 'Run failed';

type Continuation = { readonly next: string } | { readonly end: true };

function continueWith(cont: Continuation): { Next: string } | { End: true } {
  return 'next' in cont ? { Next: cont.next } : { End: true };
}

/**
 * Compiles a validated pipeline to Amazon States Language.
 *
 * Shape: mint/normalize the run input -> start the run in the ledger -> the flow -> mark the run
 * SUCCEEDED. Each stage is a Parallel state with one branch [start attempt, record attempt,
 * the stage's steps, attempt succeeded] whose Catch records the failed attempt and rethrows;
 * the wrapper carries the stage's Retry (a retry re-runs the branch: a new attempt) and a Catch
 * to the one failure path: notify the error topic, mark the run FAILED, Fail. Inside flow
 * parallels a failed stage rethrows its failure (as JSON in the cause) so only the outermost
 * Parallel's Catch notifies: one notification per failed run.
 */
export function compilePipeline(
  model: PipelineModel,
  registry: StageRegistry,
  target: CompileTarget,
): CompiledPipeline {
  const bindings: Record<string, StateBinding> = {};
  const names = new Set<string>();
  const occurrences = new Map<string, number>();
  let choiceCount = 0;
  let parallelCount = 0;
  let placeholderCount = 0;
  const table = target.ledgerTable;

  const claim = (name: string): string => {
    if (names.has(name)) throw new PipelineCompileError(`state name "${name}" is used twice`);
    names.add(name);
    return name;
  };
  const ledgerState = (name: string, action: LedgerAction, task: LedgerTask, extra: AslState): AslState => {
    bindings[name] = { kind: 'ledger', action, api: task.api };
    return {
      Type: 'Task',
      Resource: LEDGER_RESOURCES[task.api],
      Parameters: task.parameters,
      ...(task.resultSelector ? { ResultSelector: task.resultSelector } : {}),
      ...extra,
    };
  };

  /** A failure state `{ pipeline, runId, stage, error, cause }` built from a Catch's `$.error`. */
  const failureParameters = (stage: string) => ({
    pipeline: model.name,
    'runId.$': '$.runId',
    stage,
    'error.$': '$.error.Error',
    'cause.$': '$.error.Cause',
  });

  /** Where a failure goes: the shared failure path at the top level, a rethrow inside a branch. */
  const routeFailure = (
    scope: Record<string, AslState>,
    label: string,
    topLevel: boolean,
    stage: string = label,
  ): string => {
    const failed = claim(`${label} failed`);
    if (topLevel) {
      scope[failed] = { Type: 'Pass', Parameters: failureParameters(stage), Next: NOTIFY_FAILURE_STATE };
      return failed;
    }
    const encode = claim(`${label}: encode failure`);
    const rethrow = claim(`${label}: rethrow`);
    scope[failed] = { Type: 'Pass', Parameters: failureParameters(stage), Next: encode };
    scope[encode] = {
      Type: 'Pass',
      Parameters: { 'error.$': '$.error', 'cause.$': 'States.JsonToString($)' },
      Next: rethrow,
    };
    scope[rethrow] = { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' };
    return failed;
  };

  const compileStage = (
    stage: StageModel,
    scope: Record<string, AslState>,
    cont: Continuation,
    topLevel: boolean,
  ): string => {
    const stageType = registry.get(stage.type);
    if (!stageType)
      throw new PipelineCompileError(
        `stage "${stage.id}" has type "${stage.type}", which is not in the registry (registered: ${registry.names.join(', ')})`,
      );
    const count = (occurrences.get(stage.id) ?? 0) + 1;
    occurrences.set(stage.id, count);
    const label = count === 1 ? stage.id : `${stage.id} #${count}`;
    const wrapper = claim(label);
    const output = claim(`${label}: output`);
    const startAttempt = claim(`${label}: start attempt`);
    const recordAttempt = claim(`${label}: record attempt`);
    const succeeded = claim(`${label}: attempt succeeded`);
    const attemptFailed = claim(`${label}: attempt failed`);
    const attemptError = claim(`${label}: attempt error`);
    const steps = stageType.compile({
      stageId: stage.id,
      attributes: stage.attributes,
      datasets: model.datasets,
      pipelineName: model.name,
      target,
      pipeline: model,
    });
    if (steps.length === 0)
      throw new PipelineCompileError(`stage type "${stage.type}" compiled stage "${stage.id}" to no steps`);
    const stepNames = steps.map((step) => claim(`${label}.${step.key}`));
    const catchAttempt = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: attemptFailed }];

    const inner: Record<string, AslState> = {};
    inner[startAttempt] = ledgerState(startAttempt, 'start-attempt', startAttemptTask(table, stage.id), {
      ResultPath: '$.attempt',
      Next: recordAttempt,
    });
    inner[recordAttempt] = ledgerState(recordAttempt, 'record-attempt', recordAttemptTask(table, stage.id), {
      ResultPath: null,
      Next: stepNames[0],
      Catch: catchAttempt,
    });
    steps.forEach((step, i) => {
      const name = stepNames[i]!;
      bindings[name] = { kind: 'stage-step', stageId: stage.id, stageType: stage.type, stepKey: step.key };
      inner[name] = {
        ...step.state,
        TimeoutSeconds: stage.timeoutSeconds,
        ResultPath: `$.${stage.id}`,
        Next: stepNames[i + 1] ?? succeeded,
        Catch: catchAttempt,
      };
    });
    inner[succeeded] = ledgerState(
      succeeded,
      'attempt-succeeded',
      attemptSucceededTask(table, stage.id, stageType.counts ?? []),
      { ResultPath: null, OutputPath: `$.${stage.id}`, End: true, Catch: catchAttempt },
    );
    inner[attemptFailed] = ledgerState(attemptFailed, 'attempt-failed', attemptFailedTask(table, stage.id), {
      ResultPath: null,
      Next: attemptError,
    });
    inner[attemptError] = { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };

    const { maxAttempts, intervalSeconds, backoffRate } = stage.retry;
    const retry =
      maxAttempts === 0
        ? undefined
        : [
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
    scope[wrapper] = {};
    scope[output] = {};
    const failure = routeFailure(scope, label, topLevel, stage.id);
    scope[wrapper] = {
      Type: 'Parallel',
      Comment: `${stage.type} stage ${stage.id}: every attempt is recorded in the ledger${stage.retry.maxAttempts > 0 ? `, retried up to ${maxAttempts} times` : ''}`,
      Branches: [{ StartAt: startAttempt, States: inner }],
      ResultPath: `$.${stage.id}`,
      Next: output,
      ...(retry ? { Retry: retry } : {}),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failure }],
    };
    // the branch returns the stage output; the Parallel wraps it in an array: unwrap it
    scope[output] = {
      Type: 'Pass',
      InputPath: `$.${stage.id}[0]`,
      ResultPath: `$.${stage.id}`,
      ...continueWith(cont),
    };
    return wrapper;
  };

  const compileSequence = (
    steps: readonly FlowStep[],
    scope: Record<string, AslState>,
    cont: Continuation,
    topLevel: boolean,
    emptyLabel: string,
  ): string => {
    if (steps.length === 0) {
      if ('next' in cont) return cont.next;
      const name = claim(`${emptyLabel}: nothing to do`);
      scope[name] = { Type: 'Pass', End: true };
      return name;
    }
    // compile front to back (names number in reading order) with placeholder successors, then resolve them
    const placeholders = steps.map(() => `\u0000next${placeholderCount++}\u0000`);
    const starts = steps.map((step, i) =>
      compileStep(step, scope, i + 1 < steps.length ? { next: placeholders[i + 1]! } : cont, topLevel),
    );
    const replacements = new Map(placeholders.map((p, i) => [p, starts[i]!]));
    const replace = (value: unknown): unknown => {
      if (typeof value === 'string') return replacements.get(value) ?? value;
      if (Array.isArray(value)) return value.map(replace);
      if (value && typeof value === 'object')
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
      return value;
    };
    for (const [name, state] of Object.entries(scope)) scope[name] = replace(state) as AslState;
    return starts[0]!;
  };

  const compileStep = (
    step: FlowStep,
    scope: Record<string, AslState>,
    cont: Continuation,
    topLevel: boolean,
  ): string => {
    let start: string;
    if (step.kind === 'stage') {
      const stage = model.stages[step.stageId];
      if (!stage) throw new PipelineCompileError(`flow uses stage "${step.stageId}", which is not declared`);
      start = compileStage(stage, scope, cont, topLevel);
    } else if (step.kind === 'choice') {
      const name = claim(`choice ${++choiceCount}`);
      scope[name] = { Type: 'Choice' };
      const choices = step.branches.map((branch, i) => ({
        ...conditionToChoiceRule(parseCondition(branch.when)),
        Next: compileSequence(branch.then, scope, cont, topLevel, `${name} when ${i + 1}`),
      }));
      const fallback = compileSequence(step.otherwise, scope, cont, topLevel, `${name} otherwise`);
      scope[name] = {
        Type: 'Choice',
        Comment: step.branches.map((b) => `when ${b.when}`).join('; '),
        Choices: choices,
        Default: fallback,
      };
      start = name;
    } else {
      const name = claim(`parallel ${++parallelCount}`);
      scope[name] = { Type: 'Parallel' };
      const branches = step.branches.map((branch, i) => {
        const states: Record<string, AslState> = {};
        const startAt = compileSequence(branch, states, { end: true }, false, `${name} branch ${i + 1}`);
        return { StartAt: startAt, States: states };
      });
      // each branch returns the whole state plus its stages' outputs: merge them back into one state
      const merged = step.branches
        .map((_, i) => `$[${i}]`)
        .reduce((acc, path) => `States.JsonMerge(${acc}, ${path}, false)`);
      const catchers = [
        {
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.error',
          Next: topLevel ? decodeFailure(scope, name) : routeFailure(scope, name, false),
        },
      ];
      scope[name] = {
        Type: 'Parallel',
        Branches: branches,
        ResultSelector: { 'state.$': merged },
        OutputPath: '$.state',
        ...continueWith(cont),
        Catch: catchers,
      };
      start = name;
    }
    return start;
  };

  /** At the top level, a failure out of a flow parallel carries the failure JSON in its cause. */
  const decodeFailure = (scope: Record<string, AslState>, label: string): string => {
    const name = claim(`${label} failed`);
    scope[name] = {
      Type: 'Pass',
      Parameters: { 'failure.$': 'States.StringToJson($.error.Cause)' },
      OutputPath: '$.failure',
      Next: NOTIFY_FAILURE_STATE,
    };
    return name;
  };

  const states: Record<string, AslState> = {};
  for (const name of [
    RUN_DEFAULTS_STATE,
    RUN_INPUT_STATE,
    START_RUN_STATE,
    RUN_SUCCEEDED_STATE,
    NOTIFY_FAILURE_STATE,
    MARK_RUN_FAILED_STATE,
    RUN_FAILED_STATE,
  ])
    claim(name);
  // single-character delimiters only: AWS splits on each character of the delimiter, the local interpreter on the whole string
  const part = (value: string, delimiter: string, index: number) =>
    `States.ArrayGetItem(States.StringSplit(${value}, '${delimiter}'), ${index})`;
  const date = part('$$.Execution.StartTime', 'T', 0);
  const time = part('$$.Execution.StartTime', 'T', 1);
  const stamp = [
    part(date, '-', 0),
    part(date, '-', 1),
    part(date, '-', 2),
    part(time, ':', 0),
    part(time, ':', 1),
    part(part(part(time, ':', 2), '.', 0), 'Z', 0),
  ];
  states[RUN_DEFAULTS_STATE] = {
    Type: 'Pass',
    Comment:
      'A run started without a runId (schedule, S3 event, console) gets one minted from the start time: YYYYMMDDTHHMMSSZ-<6 digits>',
    Parameters: {
      defaults: {
        'runId.$': `States.Format('{}{}{}T{}{}{}Z-{}', ${stamp.join(', ')}, States.MathRandom(100000, 999999))`,
        trigger: 'manual',
      },
      'input.$': '$',
    },
    Next: RUN_INPUT_STATE,
  };
  states[RUN_INPUT_STATE] = {
    Type: 'Pass',
    Parameters: { 'state.$': 'States.JsonMerge($.defaults, $.input, false)' },
    OutputPath: '$.state',
    Next: START_RUN_STATE,
  };
  states[START_RUN_STATE] = {};
  const startFailed = routeFailure(states, START_RUN_STATE, true);
  const firstStep = compileSequence(model.flow, states, { next: RUN_SUCCEEDED_STATE }, true, 'flow');
  states[START_RUN_STATE] = ledgerState(START_RUN_STATE, 'start-run', startRunTask(table, model.name), {
    ResultPath: null,
    Next: firstStep,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: startFailed }],
  });
  const succeededFailed = routeFailure(states, RUN_SUCCEEDED_STATE, true);
  states[RUN_SUCCEEDED_STATE] = ledgerState(RUN_SUCCEEDED_STATE, 'run-succeeded', runSucceededTask(table), {
    ResultPath: null,
    End: true,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: succeededFailed }],
  });
  bindings[NOTIFY_FAILURE_STATE] = { kind: 'notify', topicArn: target.errorTopicArn };
  states[NOTIFY_FAILURE_STATE] = {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Comment: 'The one notification of a failed run: the error topic gets run id, stage, error and cause',
    Parameters: {
      TopicArn: target.errorTopicArn,
      'Subject.$': formatCall([
        `lakepipe ${model.name}: run `,
        { path: '$.runId' },
        ' failed in ',
        { path: '$.stage' },
      ]),
      'Message.$': 'States.JsonToString($)',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'failure' },
        pipeline: { DataType: 'String', StringValue: model.name },
        stage: { DataType: 'String', 'StringValue.$': '$.stage' },
        runId: { DataType: 'String', 'StringValue.$': '$.runId' },
      },
    },
    ResultPath: null,
    Next: MARK_RUN_FAILED_STATE,
    // a broken topic must not hide the failure from the ledger
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: MARK_RUN_FAILED_STATE }],
  };
  states[MARK_RUN_FAILED_STATE] = ledgerState(MARK_RUN_FAILED_STATE, 'run-failed', runFailedTask(table), {
    ResultPath: null,
    Next: RUN_FAILED_STATE,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.ledgerError', Next: RUN_FAILED_STATE }],
  });
  states[RUN_FAILED_STATE] = { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' };

  return {
    definition: {
      Comment: `lakepipe pipeline ${model.name}${model.description ? `: ${model.description}` : ''}`,
      StartAt: RUN_DEFAULTS_STATE,
      States: failureStatesLast(states),
    },
    bindings,
  };
}

const FAILURE_PATH: readonly string[] = [NOTIFY_FAILURE_STATE, MARK_RUN_FAILED_STATE, RUN_FAILED_STATE];

/** Reading order: the happy path first, then the per-stage failure states, then the shared failure path. */
function failureStatesLast(states: Record<string, AslState>): Record<string, AslState> {
  const rank = (name: string) => (FAILURE_PATH.includes(name) ? 2 : name.endsWith(' failed') ? 1 : 0);
  return Object.fromEntries(Object.entries(states).sort(([a], [b]) => rank(a) - rank(b)));
}
