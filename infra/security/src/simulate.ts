import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { SimulationError } from './errors';
import type { PolicyDocument, SynthesizedPolicies } from './synthesized-policies';

/** One API call as IAM evaluates it. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  /** request context keys, e.g. `{ 'dynamodb:LeadingKeys': ['RUN#...'] }` @default none beyond the caller's */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** Who makes the request: a role (with its identity policies), another account's role, or nobody (anonymous). */
export type Caller =
  | {
      readonly kind: 'role';
      readonly arn: string;
      readonly identityPolicies: readonly PolicyDocument[];
    }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'service'; readonly service: string };

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Counts every request simulated in this process (the report prints it). */
export const simulated = { requests: 0 };

/**
 * IAM's decision for one request, evaluating the caller's identity policies together with the
 * resource's policy from the synthesized stacks: the lake and Athena buckets' policies, the KMS
 * key policy, the error topic's policy, and a role's trust policy for sts:AssumeRole.
 */
export async function decide(
  policies: SynthesizedPolicies,
  caller: Caller,
  request: IamRequest,
): Promise<Decision> {
  const resourcePolicy = resourcePolicyOf(policies, request);
  const callerAccount = caller.kind === 'role' ? caller.arn.split(':')[4]! : undefined;
  const context: Record<string, string | string[]> = { 'aws:SecureTransport': 'true' };
  if (caller.kind === 'role') {
    context['aws:PrincipalArn'] = caller.arn;
    context['aws:PrincipalAccount'] = callerAccount!;
  }
  for (const [key, value] of Object.entries(request.context ?? {}))
    context[key] = typeof value === 'string' ? value : [...value];
  const simulation: Simulation = {
    identityPolicies:
      caller.kind === 'role'
        ? caller.identityPolicies.map((policy, i) => ({ name: `policy${i}`, policy: policy as never }))
        : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy: resourcePolicy as never } : {}),
    request: {
      principal:
        caller.kind === 'role' ? caller.arn : caller.kind === 'service' ? caller.service : anonymousPrincipal,
      action: request.action,
      resource: { resource: request.resource, accountId: policies.accountId },
      contextVariables: context,
    },
  };
  simulated.requests++;
  const response = await runSimulation(simulation, {});
  const label = `${request.action} on ${request.resource}`;
  if (response.resultType === 'error') throw new SimulationError(label, JSON.stringify(response.errors));
  // a resource with `*` (actions that take no resource, a log group's streams) is a wildcard request
  return response.overallResult as Decision;
}

function resourcePolicyOf(policies: SynthesizedPolicies, request: IamRequest): PolicyDocument | undefined {
  const { resource, action } = request;
  if (resource.startsWith('arn:aws:s3:::')) return policies.bucketPolicies[resource.slice(13).split('/')[0]!];
  if (resource.startsWith('arn:aws:kms:') && resource.includes(':key/')) return policies.keyPolicy;
  if (resource.startsWith('arn:aws:sns:')) return policies.topicPolicies[resource];
  if (action === 'sts:AssumeRole') return policies.roles.find((role) => role.arn === resource)?.trustPolicy;
  return undefined;
}

/** AdministratorAccess: what a principal outside lakepipe holds at most, so only resource policies stop it. */
export const ADMINISTRATOR_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
