/** The base of every error the CI scripts (tools/ci) throw. */
export class CiError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CiError';
  }
}

/** A `terraform show -json` document that cannot be read as a plan. */
export class PlanFormatError extends CiError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a terraform plan (terraform show -json output):\n  - ${problems.join('\n  - ')}`);
    this.name = 'PlanFormatError';
  }
}

/** infra/stacks.ts or infra/config/ does not describe the stacks and environments the way CI expects. */
export class StackCatalogError extends CiError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid stack catalog:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StackCatalogError';
  }
}

/** A stack id or environment asked for on the command line that the catalog does not know. */
export class UnknownTargetError extends CiError {
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
export class NotEphemeralError extends CiError {
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
export class CommandFailedError extends CiError {
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
export class AffectedError extends CiError {
  constructor(message: string) {
    super(message);
    this.name = 'AffectedError';
  }
}

/** A plan review said no: the apply must not run. */
export class PlanBlockedError extends CiError {
  constructor(
    readonly stackName: string,
    readonly reasons: readonly string[],
  ) {
    super(`plan of ${stackName} is blocked:\n  - ${reasons.join('\n  - ')}`);
    this.name = 'PlanBlockedError';
  }
}

/** A pipeline execution started by the ephemeral runner did not succeed. */
export class PipelineRunError extends CiError {
  constructor(
    readonly executionArn: string,
    readonly status: string,
    readonly detail: string,
  ) {
    super(`pipeline execution ${executionArn} ended ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'PipelineRunError';
  }
}

/** A plan review without an environment: whether a stateful destroy blocks depends on it, so none is assumed. */
export class ReviewEnvError extends CiError {
  constructor(readonly planFile: string) {
    super(
      `plan-review ${planFile}: --env is required (or --stack <id>-<env>, e.g. sourcing-prod): a stateful destroy blocks in prod and only warns in dev, so no environment is assumed`,
    );
    this.name = 'ReviewEnvError';
  }
}

/** An apply (or a promotion) of a commit that does not descend from the one recorded before it. */
export class DeployOrderError extends CiError {
  constructor(
    readonly target: string,
    readonly recordedCommit: string,
    readonly commit: string,
    readonly why: string,
  ) {
    super(
      `refusing ${target} at ${commit}: ${why} (recorded: ${recordedCommit}); an older commit landing after a newer one is a silent rollback. Revert on main instead, so the revert commit descends from what is deployed`,
    );
    this.name = 'DeployOrderError';
  }
}

/** A deploy record (S3 object) that is not the JSON CI writes. */
export class DeployRecordError extends CiError {
  constructor(
    readonly location: string,
    readonly problems: readonly string[],
  ) {
    super(`${location} is not a lakepipe deploy record:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DeployRecordError';
  }
}

/** An apply asked for where only a plan may run: a branch or pull-request build. */
export class ApplyNotAllowedError extends CiError {
  constructor(
    readonly branch: string,
    readonly what: string,
  ) {
    super(
      `refusing to ${what} from ${branch}: only main applies (branches and pull requests plan with the read-only planner role)`,
    );
    this.name = 'ApplyNotAllowedError';
  }
}

/** An apply without the stack's committed provider lock file. */
export class MissingProviderLockError extends CiError {
  constructor(
    readonly stackName: string,
    readonly lockFile: string,
  ) {
    super(
      `refusing to apply ${stackName}: ${lockFile} is not committed. Generate it where the Terraform registry is reachable (Jenkins job lakepipe/provider-locks, or \`npx tsx tools/ci/src/bin.ts provider-locks\` after \`npm run synth -- --env dev\`) and commit it, so every apply uses the provider builds that were reviewed`,
    );
    this.name = 'MissingProviderLockError';
  }
}

/** The nightly job asked for the commit promoted to an environment that has none yet. */
export class NothingPromotedError extends CiError {
  constructor(
    readonly env: string,
    readonly location: string,
  ) {
    super(
      `nothing has been promoted to ${env} yet (${location} does not exist): let main's delivery build deploy ${env} first`,
    );
    this.name = 'NothingPromotedError';
  }
}
