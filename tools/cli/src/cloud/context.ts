import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import {
  DEPLOYED_PARAMETERS,
  loadEnvConfig,
  SHARED_PARAMETERS,
  ssmParameterName,
} from '@lakepipe/constructs/env';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsUnreachableError, DeploymentNotFoundError, MissingCredentialsError } from './errors';

/** What every `--env` command talks to: one environment's region, credentials and AWS clients. */
export interface CloudContext {
  readonly env: string;
  readonly region: string;
  /** resolves the user's credentials; rejects with MissingCredentialsError */
  readonly credentials: AwsCredentialIdentityProvider;
  readonly ssm: SSMClient;
  readonly sfn: SFNClient;
  /** the lake bucket's client, made on first use */
  s3(): S3Client;
  /** the fetch the ledger API client uses. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  close(): void;
}

export interface CloudContextOverrides {
  /** @default the AWS SDK's default chain (env vars, AWS_PROFILE / SSO, container and instance roles) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default SDK clients in the environment's region (AWS_ENDPOINT_URL_SSM / _SFN are honoured) */
  readonly ssm?: SSMClient;
  readonly sfn?: SFNClient;
  readonly s3?: S3Client;
  readonly fetch?: typeof fetch;
}

/** Errors AWS answers when the credentials are absent, unknown, expired or unsigned. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'TokenRefreshRequired',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * Turns a credentials failure from any AWS call into MissingCredentialsError, and an endpoint that
 * cannot be reached into AwsUnreachableError; other errors pass.
 */
export function credentialFailure(env: string, error: unknown, service = 'AWS'): Error {
  const e = error as Error & { name?: string; code?: string };
  if (e && CREDENTIAL_ERRORS.has(e.name)) return new MissingCredentialsError(env, `${e.name}: ${e.message}`);
  if (e && (NETWORK_CODES.has(e.code ?? '') || e.name === 'TimeoutError'))
    return new AwsUnreachableError(env, service, e.message);
  return error as Error;
}

/** The clients of one environment (infra/config/<env>.yaml names its region). */
export function cloudContextFor(env: string, overrides: CloudContextOverrides = {}): CloudContext {
  const { region } = loadEnvConfig(env);
  const given = overrides.credentials;
  const chain: AwsCredentialIdentityProvider =
    given === undefined ? defaultProvider() : typeof given === 'function' ? given : async () => given;
  const credentials: AwsCredentialIdentityProvider = async (options) => {
    try {
      return await chain(options);
    } catch (error) {
      throw new MissingCredentialsError(env, (error as Error).message.split('\n')[0]!);
    }
  };
  // standard retries: throttling and 5xx are retried with backoff before an error surfaces
  const ssm = overrides.ssm ?? new SSMClient({ region, credentials, maxAttempts: 5 });
  const sfn = overrides.sfn ?? new SFNClient({ region, credentials, maxAttempts: 8 });
  let s3 = overrides.s3;
  return {
    env,
    region,
    credentials,
    ssm,
    sfn,
    s3: () => {
      s3 ??= new S3Client({ region, credentials });
      return s3;
    },
    fetch: overrides.fetch,
    close() {
      if (!overrides.ssm) ssm.destroy();
      if (!overrides.sfn) sfn.destroy();
      if (!overrides.s3) s3?.destroy();
    },
  };
}

/** Where the deployed pipeline is, from the SSM parameters its stacks publish. */
export interface Deployment {
  readonly env: string;
  readonly region: string;
  readonly ledgerApiUrl?: string;
  readonly stateMachineArn?: string;
  readonly lakeBucket?: string;
}

export interface DeploymentQuery {
  /** read `/lakepipe/<env>/ledger-api/url` @default false */
  readonly ledgerApi?: boolean;
  /** read this pipeline's `/lakepipe/<env>/orchestration/<pipeline>/state-machine-arn` @default none */
  readonly pipeline?: string;
  /** read `/lakepipe/<env>/storage/lake-bucket-name` (optional: absent is not an error) @default false */
  readonly lake?: boolean;
}

/**
 * Reads the parameters in one GetParameters call. A required one that is missing means its stack
 * is not deployed in this account and region: DeploymentNotFoundError says which and how to deploy.
 */
export async function findDeployment(context: CloudContext, query: DeploymentQuery): Promise<Deployment> {
  const { env } = context;
  const wanted: { key: keyof Deployment; path: string; stack: string; required: boolean }[] = [];
  if (query.ledgerApi)
    wanted.push({
      key: 'ledgerApiUrl',
      path: DEPLOYED_PARAMETERS.ledgerApiUrl,
      stack: 'ledger-api',
      required: true,
    });
  if (query.pipeline)
    wanted.push({
      key: 'stateMachineArn',
      path: DEPLOYED_PARAMETERS.stateMachineArn(query.pipeline),
      stack: 'orchestration',
      required: true,
    });
  if (query.lake)
    wanted.push({
      key: 'lakeBucket',
      path: SHARED_PARAMETERS.lakeBucketName,
      stack: 'shared-infra',
      required: false,
    });
  const names = wanted.map((w) => ssmParameterName(env, w.path));
  let values = new Map<string, string>();
  if (names.length > 0) {
    try {
      const answer = await context.ssm.send(new GetParametersCommand({ Names: names }));
      values = new Map((answer.Parameters ?? []).map((p) => [p.Name!, p.Value!]));
    } catch (error) {
      throw credentialFailure(env, error, `SSM in ${context.region}`);
    }
  }
  const found: Record<string, string> = {};
  for (const [i, w] of wanted.entries()) {
    const value = values.get(names[i]!);
    if (value === undefined) {
      if (w.required) throw new DeploymentNotFoundError(env, context.region, names[i]!, w.stack);
      continue;
    }
    found[w.key] = value;
  }
  return { env, region: context.region, ...found };
}
