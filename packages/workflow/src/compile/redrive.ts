import { stageStatusTask } from '../ledger-tasks';
import type { CompileContext } from './context';
import { MANIFEST_FIELD, manifestReadState } from './manifest-step';
import { type AslState, type Continuation, continueWith } from './types';

/** The Choice rule that is true when the execution input asked for a redrive (`redrive: true`). */
export const REDRIVE_REQUESTED = {
  And: [
    { Variable: '$.redrive', IsPresent: true },
    { Variable: '$.redrive', BooleanEquals: true },
  ],
} as const;

/**
 * The states in front of a stage that make a redrive resume where the run stopped: on a redrive,
 * a stage whose summary in this run is SUCCEEDED is not run again; its output is read back from its
 * manifest. A normal run goes straight to the stage (no ledger read). Returns the first state's name.
 *
 * Why not RedriveExecution: Step Functions resumes "from the unsuccessful step", which for a run that
 * failed through the failure path (notify, mark the ledger, Fail) is the final Fail state, so the failed
 * stage would never run again. A new execution of the same run id skips what succeeded instead, the
 * same way in the cloud and in the twin (docs/decisions/0010-redrive-by-run-id.md).
 */
export function addRedriveGuard(
  ctx: CompileContext,
  scope: Record<string, AslState>,
  args: { label: string; stageId: string; stage: string; failure: string; cont: Continuation },
): string {
  const { label, stageId, stage, failure, cont } = args;
  const redriven = ctx.claim(`${label}: redriven?`);
  const lookup = ctx.claim(`${label}: done before?`);
  const skip = ctx.claim(`${label}: skip?`);
  const earlier = ctx.claim(`${label}: earlier manifest`);
  const reuse = ctx.claim(`${label}: earlier output`);
  const toFailure = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failure }];
  scope[redriven] = {
    Type: 'Choice',
    Choices: [{ ...REDRIVE_REQUESTED, Next: lookup }],
    Default: stage,
  };
  scope[lookup] = ctx.ledgerState(lookup, 'stage-status', stageStatusTask(ctx.target.ledgerTable, stageId), {
    ResultPath: '$.done',
    Next: skip,
    Catch: toFailure,
  });
  scope[skip] = {
    Type: 'Choice',
    Choices: [
      {
        And: [
          { Variable: '$.done.Item.status.S', IsPresent: true },
          { Variable: '$.done.Item.status.S', StringEquals: 'SUCCEEDED' },
        ],
        Next: earlier,
      },
    ],
    Default: stage,
  };
  ctx.bindings[earlier] = { kind: 'manifest', stageId };
  scope[earlier] = {
    ...manifestReadState(ctx.target, stageId),
    ResultPath: `$.${stageId}`,
    Next: reuse,
    Catch: toFailure,
  };
  // what the stage's wrapper leaves at $.<stage>: its manifest's counts
  scope[reuse] = {
    Type: 'Pass',
    InputPath: `$.${stageId}.${MANIFEST_FIELD}.counts`,
    ResultPath: `$.${stageId}`,
    ...continueWith(cont),
  };
  return redriven;
}
