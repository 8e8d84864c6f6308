/** The base of every error of the security checks (infra/security). */
export class SecurityCheckError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecurityCheckError';
  }
}

/** A reference in the synthesized Terraform JSON that the policy reader cannot turn into a value. */
export class UnresolvedReferenceError extends SecurityCheckError {
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'UnresolvedReferenceError';
  }
}

/** The IAM simulator rejected a request or a policy (an unknown action, a context key of the wrong type). */
export class SimulationError extends SecurityCheckError {
  constructor(
    readonly request: string,
    readonly detail: string,
  ) {
    super(`simulating ${request}: ${detail}`);
    this.name = 'SimulationError';
  }
}

/** checkov found failed checks, could not parse a stack, or a skipped check has no reason. */
export class CheckovError extends SecurityCheckError {
  constructor(readonly problems: readonly string[]) {
    super(`checkov: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'CheckovError';
  }
}

/** docs/security.md lacks the markers between which the generated permission matrix goes. */
export class SecurityDocMarkersError extends SecurityCheckError {
  constructor(
    readonly document: string,
    readonly startMarker: string,
    readonly endMarker: string,
  ) {
    super(`${document} has no ${startMarker} ... ${endMarker} block`);
    this.name = 'SecurityDocMarkersError';
  }
}
