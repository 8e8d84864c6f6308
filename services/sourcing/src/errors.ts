/**
 * Sources that cannot be read at all because of how they are configured (a missing folder, a
 * prefix that cannot be listed, an index URL that does not answer, a dataset with no source).
 * Retrying does not help; the stage fails with every problem listed.
 */
export class SourcingConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`sourcing cannot read its sources:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SourcingConfigurationError';
  }
}

/** The Lambda's event or environment is not what the state machine and the stack provide. */
export class SourcingEventError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid sourcing invocation:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SourcingEventError';
  }
}
