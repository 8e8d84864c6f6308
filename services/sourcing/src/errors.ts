import type { SkipReason } from './inspect';

/** The base of every error the sourcing service throws. */
export class SourcingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SourcingError';
  }
}

/**
 * Sources that cannot be read at all because of how they are configured (a missing folder, a
 * prefix that cannot be listed, an index URL that does not answer, a dataset with no source).
 * Retrying does not help; the stage fails with every problem listed.
 */
export class SourcingConfigurationError extends SourcingError {
  constructor(readonly problems: readonly string[]) {
    super(`sourcing cannot read its sources:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SourcingConfigurationError';
  }
}

/** The Lambda's event or environment is not what the state machine and the stack provide. */
export class SourcingEventError extends SourcingError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid sourcing invocation:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SourcingEventError';
  }
}

/**
 * One source cannot be listed (the message names it and why: a missing folder, a prefix in the
 * lake's own output, an index that does not answer); collected per dataset into a
 * SourcingConfigurationError.
 */
export class SourceListingError extends SourcingError {
  constructor(message: string) {
    super(message);
    this.name = 'SourceListingError';
  }
}

/** One file that cannot be landed; caught per file, never fails the stage. */
export class SkipFileError extends SourcingError {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
    this.name = 'SkipFileError';
  }
}

/** An HTTP attempt that may succeed if tried again (caught by the download's retry loop). */
export class RetryableError extends SourcingError {
  constructor(
    readonly reason: 'http_status' | 'timeout' | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}
