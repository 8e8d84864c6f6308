/** A CLI option with a value it cannot use. */
export class InvalidOptionError extends Error {
  constructor(
    readonly option: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${option} ${JSON.stringify(value)} is not valid: ${expected}`);
    this.name = 'InvalidOptionError';
  }
}

/** The local run ended with a failed execution; the message names the stage and the cause. */
export class LocalRunFailedError extends Error {
  constructor(
    readonly runId: string,
    readonly stageId: string | undefined,
    readonly errorName: string,
    readonly causeText: string,
  ) {
    super(`run ${runId} FAILED${stageId ? ` in stage ${stageId}` : ''}: ${errorName}: ${causeText}`);
    this.name = 'LocalRunFailedError';
  }
}
