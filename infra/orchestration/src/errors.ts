/** The execution closer received an event that is not a Step Functions execution status change. */
export class ExecutionEventError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`not a Step Functions execution status change event: ${problems.join('; ')}`);
    this.name = 'ExecutionEventError';
  }
}

/** The execution closer's Lambda is missing an environment variable its stack sets. */
export class ExecutionCloserConfigError extends Error {
  constructor(readonly variable: string) {
    super(
      `environment variable ${variable} is not set on the execution closer (the orchestration stack sets it)`,
    );
    this.name = 'ExecutionCloserConfigError';
  }
}
