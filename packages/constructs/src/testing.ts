import { type TerraformStack, Testing } from 'cdktf';
import type { EnvConfig } from './env-config';
import { MissingStatementError, ResourceMatchError } from './errors';

/** The synthesized Terraform JSON of one stack, as `cdk.tf.json` holds it. */
export interface TerraformJson {
  readonly terraform?: Record<string, unknown> & {
    readonly backend?: Record<string, Record<string, unknown>>;
  };
  readonly provider?: Record<string, readonly Record<string, unknown>[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One resource (or data source) of the synthesized JSON: its Terraform name and its arguments. */
export interface SynthesizedResource {
  readonly name: string;
  readonly config: Record<string, unknown>;
}

/**
 * Synthesizes a stack (aspects included) and parses the Terraform JSON. Stacks with
 * cross-stack references must have `prepareStack()` called first.
 */
export function synthJson(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** Every resource of a Terraform type, e.g. `resourcesOfType(json, 'aws_s3_bucket')`. */
export function resourcesOfType(json: TerraformJson, type: string): SynthesizedResource[] {
  return Object.entries(json.resource?.[type] ?? {}).map(([name, config]) => ({ name, config }));
}

/** Every data source of a Terraform type, e.g. `dataSourcesOfType(json, 'aws_ssm_parameter')`. */
export function dataSourcesOfType(json: TerraformJson, type: string): SynthesizedResource[] {
  return Object.entries(json.data?.[type] ?? {}).map(([name, config]) => ({ name, config }));
}

/** The one resource of a type whose arguments include `match` (shallow equality); throws if not exactly one. */
export function resourceWhere(
  json: TerraformJson,
  type: string,
  match: Readonly<Record<string, unknown>> = {},
): SynthesizedResource {
  const found = resourcesOfType(json, type).filter((r) =>
    Object.entries(match).every(([key, value]) => JSON.stringify(r.config[key]) === JSON.stringify(value)),
  );
  if (found.length !== 1) throw new ResourceMatchError(type, match, found.length);
  return found[0]!;
}

/** Every resource of the stack, whatever its type. */
export function allResources(json: TerraformJson): (SynthesizedResource & { readonly type: string })[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({ type, name, config })),
  );
}

/** A `${type}.${name}` reference as it appears in synthesized expressions, e.g. `${aws_kms_key.key.arn}`. */
export function ref(resource: { readonly name: string }, type: string, attribute: string): string {
  return `\${${type}.${resource.name}.${attribute}}`;
}

/** One IAM statement with Action/Resource normalized to arrays. */
export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/**
 * The statements of an IAM policy as synthesized: a JSON string (aws_iam_role_policy.policy,
 * aws_s3_bucket_policy.policy, ...) or an object. Action and Resource always come back as arrays.
 */
export function policyDocument(policy: unknown): IamStatement[] {
  const document = (typeof policy === 'string' ? JSON.parse(policy) : policy) as { Statement?: unknown };
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.map((raw: Record<string, unknown>) => ({
    ...raw,
    Effect: raw.Effect as 'Allow' | 'Deny',
    Action: toArray(raw.Action),
    Resource: toArray(raw.Resource),
  }));
}

/** The statement with a given Sid; throws listing the Sids present when it is missing. */
export function statementWithSid(policy: unknown, sid: string): IamStatement {
  const statements = policyDocument(policy);
  const found = statements.find((s) => s.Sid === sid);
  if (!found)
    throw new MissingStatementError(
      sid,
      statements.map((s) => s.Sid ?? '(no Sid)'),
    );
  return found;
}

function toArray(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as string[];
}

/**
 * A valid environment config for stack tests (dev-like, account 111111111111 in eu-west-1);
 * pass `{ name: 'prod', deletionProtection: true }` for prod behaviour. Tests that want the
 * repo's real config use `loadEnvConfig('dev')` instead.
 */
export function testEnvConfig(overrides: Partial<EnvConfig> = {}): EnvConfig {
  return {
    name: 'dev',
    accountId: '111111111111',
    region: 'eu-west-1',
    costCenter: 'data-platform',
    stateBucket: 'lakepipe-tfstate-111111111111-eu-west-1',
    logRetentionDays: 14,
    noncurrentVersionExpirationDays: 30,
    rawTransitionDays: 30,
    athena: { bytesScannedCutoffPerQuery: 10_737_418_240, resultExpirationDays: 7 },
    errorTopic: { subscribers: [{ protocol: 'email', endpoint: 'team@example.com' }] },
    keyAccess: {
      administratorRoleArn: 'arn:aws:iam::111111111111:role/lakepipe-deployer',
      breakGlassRoleArn: 'arn:aws:iam::111111111111:role/lakepipe-kms-break-glass',
      readerRoleArns: ['arn:aws:iam::111111111111:role/data-analyst'],
    },
    deletionProtection: false,
    sourceFile: 'infra/config/dev.yaml',
    ...overrides,
  };
}
