/**
 * The context object to run a compiled pipeline with aws-local-stepfunctions (`run(input, { context })`):
 * it has no `$$.State.EnteredTime`, which the ledger tasks use for timestamps, so this supplies it live.
 */
export function localExecutionContext(): Record<string, unknown> {
  return {
    State: {
      get EnteredTime() {
        return new Date().toISOString();
      },
    },
  };
}
