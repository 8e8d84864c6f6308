import { conditionToChoiceRule, parseCondition } from '../condition';
import { PipelineCompileError } from '../errors';
import type { FlowStep } from '../pipeline-model';
import type { CompileContext } from './context';
import { decodeFailure, routeFailure } from './failure-path';
import { compileStage } from './stage-wrapper';
import { type AslState, type Continuation, continueWith } from './types';

/**
 * A sequence of flow steps into `scope`; returns the name of its first state. An empty
 * sequence goes straight to `cont` (or ends in a "nothing to do" Pass at the end of a branch).
 */
export function compileSequence(
  ctx: CompileContext,
  steps: readonly FlowStep[],
  scope: Record<string, AslState>,
  cont: Continuation,
  topLevel: boolean,
  emptyLabel: string,
): string {
  if (steps.length === 0) {
    if ('next' in cont) return cont.next;
    const name = ctx.claim(`${emptyLabel}: nothing to do`);
    scope[name] = { Type: 'Pass', End: true };
    return name;
  }
  // compile front to back (names number in reading order) with placeholder successors, then resolve them
  const placeholders = steps.map(() => ctx.nextPlaceholder());
  const starts = steps.map((step, i) =>
    compileStep(ctx, step, scope, i + 1 < steps.length ? { next: placeholders[i + 1]! } : cont, topLevel),
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
}

/** One flow step: a stage, a choice or a parallel; returns the name of its first state. */
export function compileStep(
  ctx: CompileContext,
  step: FlowStep,
  scope: Record<string, AslState>,
  cont: Continuation,
  topLevel: boolean,
): string {
  if (step.kind === 'stage') {
    const stage = ctx.model.stages[step.stageId];
    if (!stage) throw new PipelineCompileError(`flow uses stage "${step.stageId}", which is not declared`);
    return compileStage(ctx, stage, scope, cont, topLevel);
  }
  if (step.kind === 'choice') return compileChoice(ctx, step, scope, cont, topLevel);
  return compileParallel(ctx, step, scope, cont, topLevel);
}

function compileChoice(
  ctx: CompileContext,
  step: Extract<FlowStep, { kind: 'choice' }>,
  scope: Record<string, AslState>,
  cont: Continuation,
  topLevel: boolean,
): string {
  const name = ctx.nextChoiceName();
  scope[name] = { Type: 'Choice' };
  const choices = step.branches.map((branch, i) => ({
    ...conditionToChoiceRule(parseCondition(branch.when)),
    Next: compileSequence(ctx, branch.then, scope, cont, topLevel, `${name} when ${i + 1}`),
  }));
  const fallback = compileSequence(ctx, step.otherwise, scope, cont, topLevel, `${name} otherwise`);
  scope[name] = {
    Type: 'Choice',
    Comment: step.branches.map((b) => `when ${b.when}`).join('; '),
    Choices: choices,
    Default: fallback,
  };
  return name;
}

function compileParallel(
  ctx: CompileContext,
  step: Extract<FlowStep, { kind: 'parallel' }>,
  scope: Record<string, AslState>,
  cont: Continuation,
  topLevel: boolean,
): string {
  const name = ctx.nextParallelName();
  scope[name] = { Type: 'Parallel' };
  const branches = step.branches.map((branch, i) => {
    const states: Record<string, AslState> = {};
    const startAt = compileSequence(ctx, branch, states, { end: true }, false, `${name} branch ${i + 1}`);
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
      Next: topLevel ? decodeFailure(ctx, scope, name) : routeFailure(ctx, scope, name, false),
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
  return name;
}
