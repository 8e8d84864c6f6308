import { StateMachine } from 'aws-local-stepfunctions';
import type { AslState, CompiledPipeline } from '../compile';
import { localExecutionContext } from '../local-context';

export interface LedgerCall {
  readonly state: string;
  readonly action: string;
  readonly params: Record<string, unknown>;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Record<string, unknown>;
  readonly error?: { readonly name: string; readonly cause: string };
  readonly ledger: readonly LedgerCall[];
  readonly notifications: readonly Record<string, unknown>[];
  /** stage-step calls, in order: [state name, resolved input] */
  readonly stepCalls: readonly [string, unknown][];
}

function statesWithRetry(states: Record<string, AslState>, into: string[] = []): string[] {
  for (const [name, state] of Object.entries(states)) {
    if (state.Retry) into.push(name);
    for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? [])
      statesWithRetry(branch.States, into);
  }
  return into;
}

/**
 * Runs a compiled pipeline with aws-local-stepfunctions, binding every Task by name: stage steps
 * to `stages[stageId]` (whose last result becomes the counts of the stage's manifest), ledger tasks to an in-memory recorder (which numbers attempts like the
 * real ADD), the failure notification to a recorder. Retry waits are zero.
 */
export async function runLocally(
  compiled: CompiledPipeline,
  stages: Record<string, (input: unknown) => Promise<unknown>>,
  input: Record<string, unknown> = { runId: '20260101T000000Z-abc123' },
): Promise<LocalRunResult> {
  const ledger: LedgerCall[] = [];
  const notifications: Record<string, unknown>[] = [];
  const stepCalls: [string, unknown][] = [];
  const attemptCounters = new Map<string, number>();
  // a stage's manifest holds, as its counts, what the test's handler for the stage returned last
  const lastResults = new Map<string, unknown>();
  const handlers: Record<string, (input: never) => Promise<never>> = {};
  for (const [name, binding] of Object.entries(compiled.bindings)) {
    if (binding.kind === 'stage-step') {
      handlers[name] = (async (params: unknown) => {
        stepCalls.push([name, params]);
        const handler = stages[binding.stageId];
        if (!handler) throw new Error(`test bound no handler for stage ${binding.stageId}`);
        const result = await handler(params);
        lastResults.set(binding.stageId, result);
        return result;
      }) as never;
    } else if (binding.kind === 'manifest') {
      handlers[name] = (async () => ({
        Body: JSON.stringify({ stageId: binding.stageId, counts: lastResults.get(binding.stageId) ?? {} }),
      })) as never;
    } else if (binding.kind === 'ledger') {
      handlers[name] = (async (params: Record<string, unknown>) => {
        ledger.push({ state: name, action: binding.action, params });
        if (binding.action !== 'start-attempt') return {};
        const key = JSON.stringify(params.Key);
        const attempts = (attemptCounters.get(key) ?? 0) + 1;
        attemptCounters.set(key, attempts);
        return { Attributes: { attempts: { N: String(attempts) } } };
      }) as never;
    } else {
      handlers[name] = (async (params: Record<string, unknown>) => {
        notifications.push(params);
        return { MessageId: `message-${notifications.length}` };
      }) as never;
    }
  }
  const retryIntervalOverrides = Object.fromEntries(
    statesWithRetry(compiled.definition.States).map((name) => [name, 0]),
  );
  const machine = new StateMachine(compiled.definition as never, {
    validationOptions: { checkArn: false, checkPaths: false },
  });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
    context: localExecutionContext() as never,
  });
  try {
    const output = (await execution.result) as Record<string, unknown>;
    return { status: 'SUCCEEDED', output, ledger, notifications, stepCalls };
  } catch (error) {
    const cause = (error as { cause?: { name: string; message: string } }).cause;
    return {
      status: 'FAILED',
      error: { name: cause?.name ?? String(error), cause: cause?.message ?? '' },
      ledger,
      notifications,
      stepCalls,
    };
  }
}
