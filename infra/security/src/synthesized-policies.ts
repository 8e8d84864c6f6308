import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UnresolvedReferenceError } from './errors';

/** An IAM policy document as IAM reads it. */
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** One IAM role of the synthesized stacks with its inline policies and trust policy, every reference resolved. */
export interface SynthesizedRole {
  readonly name: string;
  readonly arn: string;
  /** the stack that declares it, e.g. `sourcing-dev` */
  readonly stack: string;
  readonly trustPolicy: PolicyDocument;
  readonly policies: readonly { readonly name: string; readonly document: PolicyDocument }[];
}

/** What the synthesized stacks of one environment grant, as IAM would see it after `terraform apply`. */
export interface SynthesizedPolicies {
  readonly env: string;
  readonly accountId: string;
  readonly region: string;
  readonly roles: readonly SynthesizedRole[];
  /** the KMS key's ARN (a stand-in key id: the real one exists only after apply) */
  readonly keyArn: string;
  readonly keyPolicy: PolicyDocument;
  /** bucket name -> bucket policy */
  readonly bucketPolicies: Readonly<Record<string, PolicyDocument>>;
  /** topic ARN -> topic policy */
  readonly topicPolicies: Readonly<Record<string, PolicyDocument>>;
  /** every resource of every stack by type, resolved (for assertions on names and settings) */
  readonly resources: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

/** The key id the resolver gives the KMS key: Terraform knows it only after apply. */
export const STAND_IN_KEY_ID = '0b7a4d2e-5c1f-4e8a-9d3b-6f2c1a8e4b70';

type Json = Record<string, unknown>;

interface Stack {
  readonly name: string;
  readonly json: Json;
  readonly accountId: string;
  readonly region: string;
}

/** Reads `<stacksDir>/<stack>-<env>/cdk.tf.json` of one environment and resolves every reference. */
export function readSynthesizedPolicies(stacksDir: string, env: string): SynthesizedPolicies {
  const stacks: Stack[] = readdirSync(stacksDir)
    .filter((dir) => dir.endsWith(`-${env}`))
    .sort()
    .map((dir) => {
      const json = JSON.parse(readFileSync(path.join(stacksDir, dir, 'cdk.tf.json'), 'utf8')) as Json;
      const provider = ((json.provider as Json).aws as Json[])[0]!;
      return {
        name: dir,
        json,
        accountId: (provider.allowed_account_ids as string[])[0]!,
        region: provider.region as string,
      };
    });
  if (stacks.length === 0) throw new UnresolvedReferenceError(stacksDir, `no stacks of environment ${env}`);
  const resolver = new ReferenceResolver(stacks);
  const { accountId, region } = stacks[0]!;

  const roles: SynthesizedRole[] = [];
  const resources: Record<string, Record<string, unknown>[]> = {};
  let keyPolicy: PolicyDocument | undefined;
  const bucketPolicies: Record<string, PolicyDocument> = {};
  const topicPolicies: Record<string, PolicyDocument> = {};
  for (const stack of stacks) {
    const byType = (stack.json.resource ?? {}) as Record<string, Record<string, Json>>;
    for (const [type, named] of Object.entries(byType)) {
      const list = resources[type] ?? [];
      resources[type] = list;
      for (const id of Object.keys(named))
        list.push(resolver.resolveDeep(stack, named[id]) as Record<string, unknown>);
    }
    for (const [id, role] of Object.entries(byType.aws_iam_role ?? {})) {
      const name = resolver.resolve(stack, role.name as string);
      const policies = Object.values(byType.aws_iam_role_policy ?? {})
        .filter((policy) => {
          const target = policy.role as string;
          return target === `\${aws_iam_role.${id}.name}` || target === `\${aws_iam_role.${id}.id}`;
        })
        .map((policy) => ({
          name: policy.name as string,
          document: resolver.document(stack, policy.policy as string),
        }));
      roles.push({
        name,
        arn: `arn:aws:iam::${stack.accountId}:role/${name}`,
        stack: stack.name,
        trustPolicy: resolver.document(stack, role.assume_role_policy as string),
        policies,
      });
    }
    for (const key of Object.values(byType.aws_kms_key ?? {}))
      keyPolicy = resolver.document(stack, key.policy as string);
    for (const policy of Object.values(byType.aws_s3_bucket_policy ?? {})) {
      bucketPolicies[resolver.resolve(stack, policy.bucket as string)] = resolver.document(
        stack,
        policy.policy as string,
      );
    }
    for (const policy of Object.values(byType.aws_sns_topic_policy ?? {})) {
      topicPolicies[resolver.resolve(stack, policy.arn as string)] = resolver.document(
        stack,
        policy.policy as string,
      );
    }
  }
  if (!keyPolicy) throw new UnresolvedReferenceError(stacksDir, `environment ${env} declares no KMS key`);
  return {
    env,
    accountId,
    region,
    roles: roles.sort((a, b) => a.name.localeCompare(b.name)),
    keyArn: `arn:aws:kms:${region}:${accountId}:key/${STAND_IN_KEY_ID}`,
    keyPolicy,
    bucketPolicies,
    topicPolicies,
    resources,
  };
}

/**
 * Turns `${type.id.attribute}` and `${data.aws_ssm_parameter.id.value}` into the values AWS
 * would hold after apply: an SSM parameter read is the value the publishing stack writes, an
 * ARN is built from the resource's name. A reference it cannot resolve is an error, so a new
 * kind of reference is noticed, never silently left in a policy.
 */
class ReferenceResolver {
  private readonly parameters = new Map<string, { stack: Stack; value: string }>();

  constructor(stacks: readonly Stack[]) {
    for (const stack of stacks) {
      const published = ((stack.json.resource as Json | undefined)?.aws_ssm_parameter ?? {}) as Record<
        string,
        Json
      >;
      for (const parameter of Object.values(published)) {
        this.parameters.set(parameter.name as string, { stack, value: parameter.value as string });
      }
    }
  }

  document(stack: Stack, text: string): PolicyDocument {
    return JSON.parse(this.resolve(stack, text)) as PolicyDocument;
  }

  /** Resolves what it can; a value it cannot (a Glue location template's `${dt}`) stays as written. */
  resolveDeep(stack: Stack, value: unknown): unknown {
    if (typeof value === 'string') {
      try {
        return this.resolve(stack, value);
      } catch {
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(stack, item));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => key !== '//')
          .map(([key, item]) => [key, this.resolveDeep(stack, item)]),
      );
    return value;
  }

  resolve(stack: Stack, text: string, depth = 0): string {
    if (depth > 5) throw new UnresolvedReferenceError(stack.name, `reference cycle in ${text}`);
    return text.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
      const resolved = this.reference(stack, expression.trim());
      return this.resolve(resolved.stack, resolved.value, depth + 1);
    });
  }

  private reference(stack: Stack, expression: string): { stack: Stack; value: string } {
    const parts = expression.split('.');
    if (parts[0] === 'data' && parts[1] === 'aws_ssm_parameter' && parts[3] === 'value') {
      const data = ((stack.json.data as Json).aws_ssm_parameter as Record<string, Json>)[parts[2]!];
      const name = data?.name as string | undefined;
      const published = name === undefined ? undefined : this.parameters.get(name);
      if (!published)
        throw new UnresolvedReferenceError(
          stack.name,
          `no stack publishes the SSM parameter ${name ?? expression}`,
        );
      return published;
    }
    const [type, id, attribute] = parts;
    const resources = stack.json.resource as Record<string, Record<string, Json>> | undefined;
    const config = resources?.[type!]?.[id!];
    if (!config || attribute === undefined)
      throw new UnresolvedReferenceError(stack.name, `no resource for \${${expression}}`);
    const value = attributeOf(stack, type!, config, attribute);
    if (value === undefined)
      throw new UnresolvedReferenceError(
        stack.name,
        `cannot resolve attribute ${attribute} of ${type}.${id}`,
      );
    return { stack, value };
  }
}

function attributeOf(stack: Stack, type: string, config: Json, attribute: string): string | undefined {
  const { accountId, region } = stack;
  const name = (config.name ?? config.bucket ?? config.function_name) as string | undefined;
  const arns: Record<string, string | undefined> = {
    aws_s3_bucket: `arn:aws:s3:::${config.bucket}`,
    aws_kms_key: `arn:aws:kms:${region}:${accountId}:key/${STAND_IN_KEY_ID}`,
    aws_dynamodb_table: `arn:aws:dynamodb:${region}:${accountId}:table/${name}`,
    aws_sns_topic: `arn:aws:sns:${region}:${accountId}:${name}`,
    aws_iam_role: `arn:aws:iam::${accountId}:role/${name}`,
    aws_cloudwatch_log_group: `arn:aws:logs:${region}:${accountId}:log-group:${name}`,
    aws_lambda_function: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
    aws_sfn_state_machine: `arn:aws:states:${region}:${accountId}:stateMachine:${name}`,
    aws_cloudwatch_event_rule: `arn:aws:events:${region}:${accountId}:rule/${name}`,
    aws_glue_job: `arn:aws:glue:${region}:${accountId}:job/${name}`,
  };
  switch (attribute) {
    case 'arn':
      return arns[type];
    case 'name':
    case 'bucket':
    case 'function_name':
      return name;
    case 'id':
      return type === 'aws_s3_bucket' || type === 'aws_iam_role' ? name : `${type}-${name ?? 'id'}`;
    case 'key_id':
      return type === 'aws_kms_key' ? STAND_IN_KEY_ID : undefined;
    case 'invoke_arn':
      return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arns[type]}/invocations`;
    case 'execution_arn':
      return `arn:aws:execute-api:${region}:${accountId}:api0000001`;
    case 'api_endpoint':
      return `https://api0000001.execute-api.${region}.amazonaws.com`;
    default:
      return undefined;
  }
}
