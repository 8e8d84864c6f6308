/** A reference in the synthesized Terraform JSON that the policy reader cannot turn into a value. */
export class UnresolvedReferenceError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'UnresolvedReferenceError';
  }
}

/** The IAM simulator rejected a request or a policy (an unknown action, a context key of the wrong type). */
export class SimulationError extends Error {
  constructor(
    readonly request: string,
    readonly detail: string,
  ) {
    super(`simulating ${request}: ${detail}`);
    this.name = 'SimulationError';
  }
}

/** checkov found failed checks, could not parse a stack, or a skipped check has no reason. */
export class CheckovError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`checkov: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'CheckovError';
  }
}
