import { PipelineCompileError } from '../errors';
import {
  attemptFailedTask,
  attemptSucceededTask,
  recordAttemptTask,
  startAttemptTask,
} from '../ledger-tasks';
import type { StageModel } from '../pipeline-model';
import type { CompileContext } from './context';
import { routeFailure } from './failure-path';
import { MANIFEST_FIELD, MANIFEST_STEP_KEY, manifestReadState } from './manifest-step';
import { addRedriveGuard } from './redrive';
import { classifyErrorStates, stageRetry, taskRetry } from './retry';
import { type AslState, type Continuation, continueWith } from './types';

/** A manifest is a small JSON object: reading it takes well under this. */
export const MANIFEST_READ_TIMEOUT_SECONDS = 60;

/** A state's clock also counts scheduling and start-up: it outlasts its service's own timeout by this much. */
export const SERVICE_TIMEOUT_MARGIN_SECONDS = 60;

/**
 * One stage: a Parallel state with one branch [start attempt, record attempt, the stage's steps,
 * the manifest read (compile/manifest-step), attempt succeeded] whose Catch records the failed attempt and rethrows. The wrapper carries the
 * stage's Retry (a retry re-runs the branch: a new attempt) and a Catch to the failure path.
 * Returns the wrapper's name.
 */
export function compileStage(
  ctx: CompileContext,
  stage: StageModel,
  scope: Record<string, AslState>,
  cont: Continuation,
  topLevel: boolean,
): string {
  const { model, registry, target } = ctx;
  const table = target.ledgerTable;
  const stageType = registry.get(stage.type);
  if (!stageType)
    throw new PipelineCompileError(
      `stage "${stage.id}" has type "${stage.type}", which is not in the registry (registered: ${registry.names.join(', ')})`,
    );
  const label = ctx.stageLabel(stage.id);
  const wrapper = ctx.claim(label);
  const output = ctx.claim(`${label}: output`);
  const startAttempt = ctx.claim(`${label}: start attempt`);
  const recordAttempt = ctx.claim(`${label}: record attempt`);
  const succeeded = ctx.claim(`${label}: attempt succeeded`);
  const attemptFailed = ctx.claim(`${label}: attempt failed`);
  const attemptError = ctx.claim(`${label}: attempt error`);
  const steps = stageType.compile({
    stageId: stage.id,
    attributes: stage.attributes,
    timeoutSeconds: stage.timeoutSeconds,
    datasets: model.datasets,
    pipelineName: model.name,
    target,
    pipeline: model,
  });
  if (steps.length === 0)
    throw new PipelineCompileError(`stage type "${stage.type}" compiled stage "${stage.id}" to no steps`);
  const writesManifest = stageType.writesManifest !== false;
  if (writesManifest && steps.some((step) => step.key === MANIFEST_STEP_KEY))
    throw new PipelineCompileError(
      `stage type "${stage.type}" names a step "${MANIFEST_STEP_KEY}", the key of the compiler's manifest read: rename it`,
    );
  const stepNames = steps.map((step) => ctx.claim(`${label}.${step.key}`));
  const manifestStep = writesManifest ? ctx.claim(`${label}.${MANIFEST_STEP_KEY}`) : undefined;
  // after the manifest read the stage's output is its manifest's counts
  const outputPath = manifestStep ? `$.${stage.id}.${MANIFEST_FIELD}` : `$.${stage.id}`;
  // a caught error is first named the way this stage's retry policy reads it, then recorded
  const classify = ctx.claim(`${label}: classify error`);
  const catchAttempt = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: classify }];

  const inner: Record<string, AslState> = {};
  inner[startAttempt] = ctx.ledgerState(startAttempt, 'start-attempt', startAttemptTask(table, stage.id), {
    ResultPath: '$.attempt',
    Next: recordAttempt,
  });
  inner[recordAttempt] = ctx.ledgerState(
    recordAttempt,
    'record-attempt',
    recordAttemptTask(table, stage.id),
    { ResultPath: null, Next: stepNames[0], Catch: catchAttempt },
  );
  steps.forEach((step, i) => {
    const name = stepNames[i]!;
    ctx.bindings[name] = { kind: 'stage-step', stageId: stage.id, stageType: stage.type, stepKey: step.key };
    const retry = taskRetry(step);
    if (step.serviceTimeoutSeconds !== undefined)
      ctx.serviceTimeouts[name] = {
        seconds: step.serviceTimeoutSeconds,
        what: `${stage.type} service timeout`,
      };
    inner[name] = {
      ...step.state,
      TimeoutSeconds:
        step.serviceTimeoutSeconds === undefined
          ? stage.timeoutSeconds
          : step.serviceTimeoutSeconds + SERVICE_TIMEOUT_MARGIN_SECONDS,
      ResultPath: `$.${stage.id}`,
      Next: stepNames[i + 1] ?? manifestStep ?? succeeded,
      ...(retry.length > 0 ? { Retry: retry } : {}),
      Catch: catchAttempt,
    };
  });
  if (manifestStep) {
    ctx.bindings[manifestStep] = { kind: 'manifest', stageId: stage.id };
    inner[manifestStep] = {
      ...manifestReadState(target, stage.id),
      TimeoutSeconds: MANIFEST_READ_TIMEOUT_SECONDS,
      ResultPath: `$.${stage.id}`,
      Next: succeeded,
      Catch: catchAttempt,
    };
  }
  inner[succeeded] = ctx.ledgerState(
    succeeded,
    'attempt-succeeded',
    attemptSucceededTask(table, stage.id, stageType.counts ?? [], outputPath),
    {
      ResultPath: null,
      OutputPath: manifestStep ? `${outputPath}.counts` : outputPath,
      End: true,
      Catch: catchAttempt,
    },
  );
  inner[attemptFailed] = ctx.ledgerState(
    attemptFailed,
    'attempt-failed',
    attemptFailedTask(table, stage.id),
    { ResultPath: null, Next: attemptError },
  );
  inner[attemptError] = { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };
  Object.assign(inner, classifyErrorStates(ctx, label, classify, stageType, attemptFailed));

  const retry = stageRetry(stage, stageType);
  // reserve the wrapper's and output's places so they read before the failure states
  scope[wrapper] = {};
  scope[output] = {};
  const failure = routeFailure(ctx, scope, label, topLevel, stage.id);
  // a stage that writes a manifest can be skipped by a redrive once it succeeded (its manifest is its output)
  const guard: Record<string, AslState> = {};
  const entry = manifestStep
    ? addRedriveGuard(ctx, guard, { label, stageId: stage.id, stage: wrapper, failure, cont })
    : wrapper;
  insertBefore(scope, wrapper, guard);
  scope[wrapper] = {
    Type: 'Parallel',
    Comment: `${stage.type} stage ${stage.id}: every attempt is recorded in the ledger${stage.retry.maxAttempts > 0 ? `, retried up to ${stage.retry.maxAttempts} times` : ''}`,
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
  return entry;
}

/** Puts `states` into `scope` just before `name`, so the ASL reads in the order it runs. */
function insertBefore(scope: Record<string, AslState>, name: string, states: Record<string, AslState>): void {
  if (Object.keys(states).length === 0) return;
  const entries = Object.entries(scope);
  for (const key of Object.keys(scope)) delete scope[key];
  for (const [key, value] of entries) {
    if (key === name) Object.assign(scope, states);
    scope[key] = value;
  }
}
