import { CompileContext } from './compile/context';
import { addFailurePath, failureStatesLast, routeFailure } from './compile/failure-path';
import { compileSequence } from './compile/flow';
import { REDRIVE_REQUESTED } from './compile/redrive';
import { addRunDefaults } from './compile/run-defaults';
import {
  MARK_RUN_FAILED_STATE,
  NOTIFY_FAILURE_STATE,
  RECORD_EXECUTION_STATE,
  REDRIVE_CHOICE_STATE,
  RESTART_RUN_STATE,
  RUN_DEFAULTS_STATE,
  RUN_FAILED_STATE,
  RUN_HELD_CHOICE_STATE,
  RUN_ID_STATE,
  RUN_INPUT_STATE,
  RUN_SUCCEEDED_STATE,
  START_RUN_STATE,
} from './compile/state-names';
import type { AslState, CompiledPipeline } from './compile/types';
import { recordExecutionTask, restartRunTask, runSucceededTask, startRunTask } from './ledger-tasks';
import type { PipelineModel } from './pipeline-model';
import type { StageRegistry } from './registry';
import type { CompileTarget } from './stage-type';

export {
  MANIFEST_FIELD,
  MANIFEST_STEP_KEY,
  manifestReadPermission,
  manifestReadState,
} from './compile/manifest-step';
export { NON_RETRYABLE_ERRORS } from './compile/retry';
export * from './compile/state-names';
export type { AslDefinition, AslState, CompiledPipeline, StateBinding } from './compile/types';

/**
 * Compiles a validated pipeline to Amazon States Language.
 *
 * Shape: mint/normalize the run input (compile/run-defaults) -> map the execution to the run id
 * (`EXEC#<executionArn>`, for the execution closer) -> start (or, on a redrive, restart) the run in the ledger ->
 * the flow (compile/flow, each stage a wrapper from compile/stage-wrapper) -> mark the run
 * SUCCEEDED. Every Catch leads to the one failure path (compile/failure-path): notify the error
 * topic, mark the run FAILED, Fail. Inside flow parallels a failed stage rethrows its failure
 * (as JSON in the cause) so only the outermost Parallel's Catch notifies: one notification per
 * failed run.
 */
export function compilePipeline(
  model: PipelineModel,
  registry: StageRegistry,
  target: CompileTarget,
): CompiledPipeline {
  const ctx = new CompileContext(model, registry, target);
  const table = target.ledgerTable;
  const states: Record<string, AslState> = {};
  for (const name of [
    RUN_DEFAULTS_STATE,
    RUN_ID_STATE,
    RUN_INPUT_STATE,
    RECORD_EXECUTION_STATE,
    REDRIVE_CHOICE_STATE,
    START_RUN_STATE,
    RESTART_RUN_STATE,
    RUN_SUCCEEDED_STATE,
    NOTIFY_FAILURE_STATE,
    RUN_HELD_CHOICE_STATE,
    MARK_RUN_FAILED_STATE,
    RUN_FAILED_STATE,
  ])
    ctx.claim(name);

  addRunDefaults(states);
  states[RECORD_EXECUTION_STATE] = {};
  states[REDRIVE_CHOICE_STATE] = {
    Type: 'Choice',
    Comment:
      'lakepipe redrive starts the same run again with redrive: true; stages that succeeded are not run again',
    Choices: [{ ...REDRIVE_REQUESTED, Next: RESTART_RUN_STATE }],
    Default: START_RUN_STATE,
  };
  states[START_RUN_STATE] = {};
  states[RESTART_RUN_STATE] = {};
  const startFailed = routeFailure(ctx, states, START_RUN_STATE, true);
  // before the run is RUNNING, so a run whose execution is stopped from outside is always traceable
  states[RECORD_EXECUTION_STATE] = ctx.ledgerState(
    RECORD_EXECUTION_STATE,
    'record-execution',
    recordExecutionTask(table),
    {
      ResultPath: null,
      Next: REDRIVE_CHOICE_STATE,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: startFailed }],
    },
  );
  const firstStep = compileSequence(ctx, model.flow, states, { next: RUN_SUCCEEDED_STATE }, true, 'flow');
  states[START_RUN_STATE] = ctx.ledgerState(START_RUN_STATE, 'start-run', startRunTask(table, model.name), {
    ResultPath: null,
    Next: firstStep,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: startFailed }],
  });
  states[RESTART_RUN_STATE] = ctx.ledgerState(RESTART_RUN_STATE, 'restart-run', restartRunTask(table), {
    ResultPath: null,
    Next: firstStep,
    // a run that is not FAILED or ABORTED (or does not exist) cannot be redriven: say so, touch nothing
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: startFailed }],
  });
  const succeededFailed = routeFailure(ctx, states, RUN_SUCCEEDED_STATE, true);
  states[RUN_SUCCEEDED_STATE] = ctx.ledgerState(
    RUN_SUCCEEDED_STATE,
    'run-succeeded',
    runSucceededTask(table),
    {
      ResultPath: null,
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: succeededFailed }],
    },
  );
  addFailurePath(ctx, states);

  return {
    definition: {
      Comment: `lakepipe pipeline ${model.name}${model.description ? `: ${model.description}` : ''}`,
      StartAt: RUN_DEFAULTS_STATE,
      States: failureStatesLast(states),
    },
    bindings: ctx.bindings,
    serviceTimeouts: ctx.serviceTimeouts,
  };
}
