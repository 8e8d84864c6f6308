import { randomUUID } from 'node:crypto';

/**
 * The context object to run a compiled pipeline with aws-local-stepfunctions (`run(input, { context })`):
 * it has no `$$.State.EnteredTime`, which the ledger tasks use for timestamps, so this supplies it live,
 * nor `$$.Execution.Id`, which names the execution item (`EXEC#<executionArn>`), so each call gives
 * one a local execution ARN of its own (the twin's runner sets its own).
 */
export function localExecutionContext(): Record<string, unknown> {
  const name = randomUUID();
  return {
    Execution: {
      Id: `arn:aws:states:local:000000000000:execution:lakepipe-local:${name}`,
      Name: name,
    },
    State: {
      get EnteredTime() {
        return new Date().toISOString();
      },
    },
  };
}
