import { CliError } from '../errors';
/** No AWS credentials could be found (or they were rejected) for a `--env` command. */
export class MissingCredentialsError extends CliError {
  constructor(
    readonly env: string,
    readonly detail: string,
  ) {
    super(
      `no usable AWS credentials for --env ${env} (${detail}): sign in with \`aws sso login --profile <profile>\` and set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; check with \`aws sts get-caller-identity\``,
    );
    this.name = 'MissingCredentialsError';
  }
}

/** A parameter the CLI reads to find the deployed pipeline is not in SSM: that stack is not deployed. */
export class DeploymentNotFoundError extends CliError {
  constructor(
    readonly env: string,
    readonly region: string,
    readonly parameter: string,
    readonly stackName: string,
  ) {
    super(
      `the ${stackName} stack of --env ${env} is not deployed: SSM parameter ${parameter} does not exist in ${region}. Deploy it with \`npx tsx tools/ci/src/bin.ts plan --stack ${stackName} --env ${env}\` then \`apply\` (or the Jenkins deploy, docs/delivery.md), or check that AWS_PROFILE is the account of ${env}`,
    );
    this.name = 'DeploymentNotFoundError';
  }
}

/** The ledger HTTP API answered with an error (after retries for throttling and 5xx). */
export class LedgerApiRequestError extends CliError {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
    readonly attempts: number,
  ) {
    super(
      `GET ${url} answered ${status} after ${attempts} attempt(s): ${LedgerApiRequestError.describe(status, body)}`,
    );
    this.name = 'LedgerApiRequestError';
  }

  private static describe(status: number, body: string): string {
    let message = body.slice(0, 300);
    try {
      const parsed = JSON.parse(body) as { message?: string; Message?: string };
      message = parsed.message ?? parsed.Message ?? message;
    } catch {
      // not JSON: keep the text
    }
    if (status === 403)
      return `${message} — your identity may not call execute-api:Invoke on the ledger API (see docs/security.md), or the credentials belong to another account`;
    return message;
  }
}

/** An execution of the deployed state machine ended without succeeding. */
export class ExecutionFailedError extends CliError {
  constructor(
    readonly executionArn: string,
    readonly status: string,
    readonly stageId: string | undefined,
    readonly errorName: string,
    readonly causeText: string,
  ) {
    super(
      `execution ${executionArn} ${status}${stageId ? ` in stage ${stageId}` : ''}${errorName ? `: ${errorName}` : ''}${causeText ? `: ${causeText}` : ''}`,
    );
    this.name = 'ExecutionFailedError';
  }
}

/** An AWS endpoint could not be reached at all (network, proxy, a wrong AWS_ENDPOINT_URL_*). */
export class AwsUnreachableError extends CliError {
  constructor(
    readonly env: string,
    readonly service: string,
    readonly detail: string,
  ) {
    super(
      `could not reach ${service} for --env ${env} (${detail}): check the network or proxy (HTTPS_PROXY), and any AWS_ENDPOINT_URL_* you set`,
    );
    this.name = 'AwsUnreachableError';
  }
}
