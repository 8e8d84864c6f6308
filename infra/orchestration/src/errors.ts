/** The base of every error of the orchestration stack and its execution closer. */
export class OrchestrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrchestrationError';
  }
}

/** The execution closer received an event that is not a Step Functions execution status change. */
export class ExecutionEventError extends OrchestrationError {
  constructor(readonly problems: readonly string[]) {
    super(`not a Step Functions execution status change event: ${problems.join('; ')}`);
    this.name = 'ExecutionEventError';
  }
}

/** The execution closer's Lambda is missing an environment variable its stack sets. */
export class ExecutionCloserConfigError extends OrchestrationError {
  constructor(readonly variable: string) {
    super(
      `environment variable ${variable} is not set on the execution closer (the orchestration stack sets it)`,
    );
    this.name = 'ExecutionCloserConfigError';
  }
}
