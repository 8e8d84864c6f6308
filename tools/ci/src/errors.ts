/** A `terraform show -json` document that cannot be read as a plan. */
export class PlanFormatError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a terraform plan (terraform show -json output):\n  - ${problems.join('\n  - ')}`);
    this.name = 'PlanFormatError';
  }
}

/** infra/stacks.ts or infra/config/ does not describe the stacks and environments the way CI expects. */
export class StackCatalogError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid stack catalog:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StackCatalogError';
  }
}

/** A stack id or environment asked for on the command line that the catalog does not know. */
export class UnknownTargetError extends Error {
  constructor(
    readonly field: 'stack' | 'env',
    readonly value: string,
    readonly allowed: readonly string[],
  ) {
    super(`--${field} ${JSON.stringify(value)} is not known: expected one of ${allowed.join(', ')}`);
    this.name = 'UnknownTargetError';
  }
}

/** The ephemeral runner was asked to touch a stack that keeps data (never allowed). */
export class NotEphemeralError extends Error {
  constructor(
    readonly stackName: string,
    readonly action: string,
  ) {
    super(
      `refusing to ${action} stack ${JSON.stringify(stackName)}: it is not ephemeral in infra/stacks.ts (shared storage is never deployed or destroyed by the ephemeral job)`,
    );
    this.name = 'NotEphemeralError';
  }
}

/** An external command (git, nx, terraform) exited with a non-zero status. */
export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `${command} exited with ${exitCode ?? 'a signal'}${stderr.trim() ? `:\n${stderr.trim().split('\n').slice(-20).join('\n')}` : ''}`,
    );
    this.name = 'CommandFailedError';
  }
}

/** `nx show projects --affected` could not compute the affected projects. */
export class AffectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AffectedError';
  }
}

/** A plan review said no: the apply must not run. */
export class PlanBlockedError extends Error {
  constructor(
    readonly stackName: string,
    readonly reasons: readonly string[],
  ) {
    super(`plan of ${stackName} is blocked:\n  - ${reasons.join('\n  - ')}`);
    this.name = 'PlanBlockedError';
  }
}

/** A pipeline execution started by the ephemeral runner did not succeed. */
export class PipelineRunError extends Error {
  constructor(
    readonly executionArn: string,
    readonly status: string,
    readonly detail: string,
  ) {
    super(`pipeline execution ${executionArn} ended ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'PipelineRunError';
  }
}
