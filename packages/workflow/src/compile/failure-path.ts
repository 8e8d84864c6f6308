import { runFailedTask } from '../ledger-tasks';
import type { CompileContext } from './context';
import {
  FAILURE_PATH,
  MARK_RUN_FAILED_STATE,
  NOTIFY_FAILURE_STATE,
  RUN_FAILED_STATE,
  RUN_HELD_CHOICE_STATE,
  START_RUN_STATE,
} from './state-names';
import type { AslState } from './types';

/** SNS refuses a Subject of 100 characters or more; the notification would be lost. */
const MAX_SUBJECT = 99;

/**
 * The notification's subject, fixed at compile time so its length is known (the run id is in the
 * message and its attributes): `lakepipe <pipeline>: run failed in <stage>`, cut to 99 characters.
 */
export function failureSubject(pipelineName: string, stage: string): string {
  const subject = `lakepipe ${pipelineName}: run failed in ${stage}`;
  return subject.length <= MAX_SUBJECT ? subject : `${subject.slice(0, MAX_SUBJECT - 1)}\u2026`;
}

/** A failure state `{ pipeline, runId, stage, subject, error, cause }` built from a Catch's `$.error`. */
function failureParameters(pipelineName: string, stage: string) {
  return {
    pipeline: pipelineName,
    'runId.$': '$.runId',
    stage,
    subject: failureSubject(pipelineName, stage),
    'error.$': '$.error.Error',
    'cause.$': '$.error.Cause',
  };
}

/**
 * Where a failure goes: the shared failure path at the top level, a rethrow inside a branch
 * (the failure JSON travels in the cause, so only the outermost Catch notifies). Returns the
 * name of the first state a Catch should go to.
 */
export function routeFailure(
  ctx: CompileContext,
  scope: Record<string, AslState>,
  label: string,
  topLevel: boolean,
  stage: string = label,
): string {
  const failed = ctx.claim(`${label} failed`);
  if (topLevel) {
    scope[failed] = {
      Type: 'Pass',
      Parameters: failureParameters(ctx.model.name, stage),
      Next: NOTIFY_FAILURE_STATE,
    };
    return failed;
  }
  const encode = ctx.claim(`${label}: encode failure`);
  const rethrow = ctx.claim(`${label}: rethrow`);
  scope[failed] = { Type: 'Pass', Parameters: failureParameters(ctx.model.name, stage), Next: encode };
  scope[encode] = {
    Type: 'Pass',
    Parameters: { 'error.$': '$.error', 'cause.$': 'States.JsonToString($)' },
    Next: rethrow,
  };
  scope[rethrow] = { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' };
  return failed;
}

/** At the top level, a failure out of a flow parallel carries the failure JSON in its cause. */
export function decodeFailure(ctx: CompileContext, scope: Record<string, AslState>, label: string): string {
  const name = ctx.claim(`${label} failed`);
  scope[name] = {
    Type: 'Pass',
    Parameters: { 'failure.$': 'States.StringToJson($.error.Cause)' },
    OutputPath: '$.failure',
    Next: NOTIFY_FAILURE_STATE,
  };
  return name;
}

/**
 * The one failure path: notify the error topic, mark the run FAILED in the ledger (unless the
 * execution failed before it held the run), Fail.
 */
export function addFailurePath(ctx: CompileContext, states: Record<string, AslState>): void {
  const { model, target } = ctx;
  ctx.bindings[NOTIFY_FAILURE_STATE] = { kind: 'notify', topicArn: target.errorTopicArn };
  states[NOTIFY_FAILURE_STATE] = {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Comment: 'The one notification of a failed run: the error topic gets run id, stage, error and cause',
    Parameters: {
      TopicArn: target.errorTopicArn,
      // every producer of $.subject is a compile-time literal of at most 99 characters (failureSubject)
      'Subject.$': '$.subject',
      'Message.$': 'States.JsonToString($)',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'failure' },
        pipeline: { DataType: 'String', StringValue: model.name },
        stage: { DataType: 'String', 'StringValue.$': '$.stage' },
        runId: { DataType: 'String', 'StringValue.$': '$.runId' },
      },
    },
    ResultPath: null,
    Next: RUN_HELD_CHOICE_STATE,
    // a broken topic must not hide the failure from the ledger
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: RUN_HELD_CHOICE_STATE }],
  };
  // An execution that could not start or restart its run (a reused run id, a redrive of a run still
  // RUNNING in another execution) must not mark that run FAILED: it never held it.
  states[RUN_HELD_CHOICE_STATE] = {
    Type: 'Choice',
    Choices: [{ Variable: '$.stage', StringEquals: START_RUN_STATE, Next: RUN_FAILED_STATE }],
    Default: MARK_RUN_FAILED_STATE,
  };
  states[MARK_RUN_FAILED_STATE] = ctx.ledgerState(
    MARK_RUN_FAILED_STATE,
    'run-failed',
    runFailedTask(target.ledgerTable),
    {
      ResultPath: null,
      Next: RUN_FAILED_STATE,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.ledgerError', Next: RUN_FAILED_STATE }],
    },
  );
  states[RUN_FAILED_STATE] = { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' };
}

/** Reading order: the happy path first, then the per-stage failure states, then the shared failure path. */
export function failureStatesLast(states: Record<string, AslState>): Record<string, AslState> {
  const rank = (name: string) => (FAILURE_PATH.includes(name) ? 2 : name.endsWith(' failed') ? 1 : 0);
  return Object.fromEntries(Object.entries(states).sort(([a], [b]) => rank(a) - rank(b)));
}
