/** One problem found in an environment config file. */
export interface EnvConfigProblem {
  /** dotted field path, e.g. `athena.bytesScannedCutoffPerQuery` (empty for the whole file) */
  readonly field: string;
  /** 1-based line in the YAML file, when known */
  readonly line?: number;
  readonly message: string;
}

/** infra/config/<env>.yaml is missing, unreadable or invalid; `problems` lists every problem found. */
export class EnvConfigError extends Error {
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
export class ConstructPropsError extends Error {
  constructor(
    readonly construct: string,
    message: string,
  ) {
    super(`${construct}: ${message}`);
    this.name = 'ConstructPropsError';
  }
}

/** esbuild could not bundle a Lambda entry point. */
export class BundleError extends Error {
  constructor(
    readonly entry: string,
    readonly details: readonly string[],
  ) {
    super(`cannot bundle ${entry}:\n${details.join('\n')}`);
    this.name = 'BundleError';
  }
}
