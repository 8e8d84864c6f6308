/** The base of every error of the constructs package (config, construct props, bundling). */
export class ConstructsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConstructsError';
  }
}

/** One problem found in an environment config file. */
export interface EnvConfigProblem {
  /** dotted field path, e.g. `athena.bytesScannedCutoffPerQuery` (empty for the whole file) */
  readonly field: string;
  /** 1-based line in the YAML file, when known */
  readonly line?: number;
  readonly message: string;
}

/** infra/config/<env>.yaml is missing, unreadable or invalid; `problems` lists every problem found. */
export class EnvConfigError extends ConstructsError {
  constructor(
    readonly file: string,
    readonly problems: readonly EnvConfigProblem[],
  ) {
    super(
      problems
        .map(
          (p) =>
            `${file}${p.line === undefined ? '' : `:${p.line}`}: ${p.field ? `${p.field} ` : ''}${p.message}`,
        )
        .join('\n'),
    );
    this.name = 'EnvConfigError';
  }
}

/** A construct received props it cannot build from (bad name, missing entry file, ...). */
export class ConstructPropsError extends ConstructsError {
  constructor(
    readonly construct: string,
    message: string,
  ) {
    super(`${construct}: ${message}`);
    this.name = 'ConstructPropsError';
  }
}

/** esbuild could not bundle a Lambda entry point. */
export class BundleError extends ConstructsError {
  constructor(
    readonly entry: string,
    readonly details: readonly string[],
  ) {
    super(`cannot bundle ${entry}:\n${details.join('\n')}`);
    this.name = 'BundleError';
  }
}

/** A zip entry name that is not a relative path with forward slashes. */
export class ZipEntryNameError extends ConstructsError {
  constructor(readonly entryName: string) {
    super(`zip entry name must be a relative path with forward slashes (got "${entryName}")`);
    this.name = 'ZipEntryNameError';
  }
}

/** Two entries of one zip archive with the same name. */
export class DuplicateZipEntryError extends ConstructsError {
  constructor(readonly entryName: string) {
    super(`zip entry "${entryName}" appears twice`);
    this.name = 'DuplicateZipEntryError';
  }
}

/** An entry (or the whole archive, when `entryName` is absent) beyond what zip32 offsets can address. */
export class Zip32LimitError extends ConstructsError {
  constructor(readonly entryName?: string) {
    super(
      `${entryName === undefined ? 'zip archive' : `zip entry "${entryName}"`} is beyond the 4 GiB zip32 limit`,
    );
    this.name = 'Zip32LimitError';
  }
}

/** A stack test asked for the one resource of a type matching some arguments, and found none or several. */
export class ResourceMatchError extends ConstructsError {
  constructor(
    readonly resourceType: string,
    readonly match: Readonly<Record<string, unknown>>,
    readonly found: number,
  ) {
    super(`expected exactly one ${resourceType} with ${JSON.stringify(match)}, found ${found}`);
    this.name = 'ResourceMatchError';
  }
}

/** A stack test asked for an IAM statement by Sid that the policy does not have. */
export class MissingStatementError extends ConstructsError {
  constructor(
    readonly sid: string,
    /** the Sids the policy has (`(no Sid)` for a statement without one) */
    readonly present: readonly string[],
  ) {
    super(`no statement ${sid}; found ${present.join(', ')}`);
    this.name = 'MissingStatementError';
  }
}
