import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bucketName,
  errorTopicArn,
  glueDatabaseName,
  lakeBucketName,
  ledgerTableName,
  listEnvironments,
  loadEnvConfig,
} from '@lakepipe/constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../synth';
import {
  LAKEPIPE_ROLES,
  LEAST_PRIVILEGE_MATRIX,
  OTHER_PRINCIPALS,
  type OtherPrincipalId,
  RESOURCE_POLICY_MATRIX,
  RESOURCE_POLICY_SCENARIOS,
  type RoleId,
  type Targets,
} from './least-privilege-matrix';
import { ADMINISTRATOR_ACCESS, type Caller, decide, type IamRequest, simulated } from './simulate';
import { readSynthesizedPolicies, type SynthesizedPolicies } from './synthesized-policies';

const ENVS = listEnvironments();
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(path.join(os.tmpdir(), 'iam-decisions-'));
  await synthesize({ outdir });
}, 600_000);

afterAll(() => {
  console.log(`IAM decision test: ${simulated.requests} requests simulated with @cloud-copilot/iam-simulate`);
  rmSync(outdir, { recursive: true, force: true });
});

/** The environment as the rows address it, from its config and the synthesized stacks. */
function targetsOf(env: string, policies: SynthesizedPolicies): Targets {
  const config = loadEnvConfig(env);
  const { accountId, region } = config;
  const logGroup = (name: string) => `arn:aws:logs:${region}:${accountId}:log-group:${name}`;
  const artifact = (policies.resources.aws_s3_object ?? []).find((o) =>
    String(o.key).startsWith('_artifacts/'),
  );
  return {
    env,
    accountId,
    region,
    lakeBucket: lakeBucketName(config),
    resultsBucket: bucketName(env, 'athena-results', accountId, region),
    keyArn: policies.keyArn,
    keyAliasArn: `arn:aws:kms:${region}:${accountId}:alias/lakepipe-${env}-data`,
    ledgerTableArn: `arn:aws:dynamodb:${region}:${accountId}:table/${ledgerTableName(config)}`,
    errorTopicArn: errorTopicArn(config),
    database: glueDatabaseName(env),
    workgroup: `lakepipe-${env}-analytics`,
    stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:lakepipe-${env}-bench-quality`,
    modelArtifactKey: String(artifact?.key),
    ownLogGroup: {
      sourcing: logGroup(`/aws/lambda/lakepipe-${env}-sourcing`),
      etl: logGroup(`/aws-glue/jobs/lakepipe-${env}-etl-etl/output`),
      scoring: logGroup('/aws/sagemaker/TransformJobs'),
      scoringCounter: logGroup(`/aws/lambda/lakepipe-${env}-scoring-counter`),
      view: logGroup(`/aws/lambda/lakepipe-${env}-view`),
      ledgerApi: logGroup(`/aws/lambda/lakepipe-${env}-ledger-api`),
      stateMachine: undefined,
      executionCloser: logGroup(`/aws/lambda/lakepipe-${env}-bench-quality-closer`),
      events: undefined,
    },
  };
}

describe.each(ENVS)('least privilege in %s', (env) => {
  let policies: SynthesizedPolicies;
  let targets: Targets;
  const callers = new Map<RoleId, Caller>();

  beforeAll(() => {
    policies = readSynthesizedPolicies(path.join(outdir, 'stacks'), env);
    targets = targetsOf(env, policies);
    for (const { id, role } of LAKEPIPE_ROLES) {
      const found = policies.roles.find((r) => r.name === role(env));
      if (found)
        callers.set(id, {
          kind: 'role',
          arn: found.arn,
          identityPolicies: found.policies.map((p) => p.document),
        });
    }
  });

  /** Which lakepipe roles IAM allows every request of the row. */
  async function allowedRoles(
    requests: (t: Targets, role: RoleId) => readonly IamRequest[],
  ): Promise<RoleId[]> {
    const allowed: RoleId[] = [];
    for (const { id } of LAKEPIPE_ROLES) {
      let all = true;
      for (const request of requests(targets, id)) {
        if ((await decide(policies, callers.get(id)!, request)) !== 'Allowed') {
          all = false;
          break;
        }
      }
      if (all) allowed.push(id);
    }
    return allowed;
  }

  function otherCaller(id: OtherPrincipalId): Caller {
    const config = loadEnvConfig(env);
    const admin = (arn: string): Caller => ({ kind: 'role', arn, identityPolicies: [ADMINISTRATOR_ACCESS] });
    switch (id) {
      case 'deployer':
        return admin(config.keyAccess.administratorRoleArn);
      case 'breakGlass':
        return admin(config.keyAccess.breakGlassRoleArn);
      case 'reader':
        return admin(config.keyAccess.readerRoleArns[0]!);
      case 'accountAdmin':
        return admin(`arn:aws:iam::${config.accountId}:role/platform-admin`);
      case 'crossAccount':
        return admin('arn:aws:iam::999999999999:role/platform-admin');
      case 'anonymous':
        return { kind: 'anonymous' };
    }
  }

  it('creates exactly the roles the matrix documents, each trusted by its service for this account only', () => {
    // Assert
    expect(policies.roles.map((r) => r.name).sort()).toEqual(LAKEPIPE_ROLES.map((r) => r.role(env)).sort());
    for (const role of policies.roles) {
      for (const statement of role.trustPolicy.Statement) {
        expect(statement.Condition, `${role.name} trust policy`).toMatchObject({
          StringEquals: { 'aws:SourceAccount': targets.accountId },
          ArnLike: { 'aws:SourceArn': expect.any(String) },
        });
      }
    }
  });

  it('names the lake key by its ARN in every KMS statement, never by an alias IAM would not match', () => {
    // Act
    const aliased = policies.roles.flatMap((role) =>
      role.policies
        .flatMap((p) => p.document.Statement)
        .filter((s) => ([s.Action].flat() as string[]).some((a) => a.startsWith('kms:')))
        .flatMap((s) => [s.Resource].flat() as string[])
        .filter((resource) => resource.includes(':alias/'))
        .map((resource) => `${role.name}: ${resource}`),
    );

    // Assert
    expect(aliased).toEqual([]);
  });

  it('declares every log group, the Glue and SageMaker ones included, with the retention and the lake key', () => {
    // Arrange
    const retention = loadEnvConfig(env).logRetentionDays;

    // Act
    const groups = policies.resources.aws_cloudwatch_log_group ?? [];

    // Assert
    for (const group of groups)
      expect(group, String(group.name)).toMatchObject({
        retention_in_days: retention,
        kms_key_id: targets.keyArn,
      });
    expect(groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        '/aws/sagemaker/TransformJobs',
        `/aws-glue/jobs/lakepipe-${env}-etl-etl/output`,
        `/aws-glue/jobs/lakepipe-${env}-etl-etl/error`,
        `/aws/lambda/lakepipe-${env}-sourcing`,
      ]),
    );
  });

  it.each(LEAST_PRIVILEGE_MATRIX.map((row) => [`${row.group}: ${row.check}`, row] as const))(
    '%s',
    async (_, row) => {
      // Act
      const allowed = await allowedRoles(row.requests);

      // Assert: exactly these roles, every other role denied
      expect(allowed).toEqual(LAKEPIPE_ROLES.map((r) => r.id).filter((id) => row.allowed.includes(id)));
    },
  );

  it('documents every action a role is granted: nothing is allowed that the matrix does not show', () => {
    // Arrange
    const undocumented: string[] = [];

    // Act
    for (const { id, role } of LAKEPIPE_ROLES) {
      const granted = policies.roles
        .find((r) => r.name === role(env))!
        .policies.flatMap((p) => p.document.Statement)
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => [s.Action].flat() as string[]);
      for (const action of new Set(granted)) {
        const shown = LEAST_PRIVILEGE_MATRIX.some(
          (row) => row.allowed.includes(id) && row.requests(targets, id).some((r) => r.action === action),
        );
        if (!shown) undocumented.push(`${id}: ${action}`);
      }
    }

    // Assert
    expect(undocumented).toEqual([]);
  });

  it.each(RESOURCE_POLICY_MATRIX.map((row) => [row.check, row] as const))(
    'outside lakepipe: %s',
    async (_, row) => {
      // Act
      const allowed: OtherPrincipalId[] = [];
      for (const { id } of OTHER_PRINCIPALS) {
        const decisions = [];
        for (const request of row.requests(targets))
          decisions.push(await decide(policies, otherCaller(id), request));
        if (decisions.every((d) => d === 'Allowed')) allowed.push(id);
      }

      // Assert
      expect(allowed).toEqual(OTHER_PRINCIPALS.map((p) => p.id).filter((id) => row.allowed.includes(id)));
    },
  );

  it.each(RESOURCE_POLICY_SCENARIOS.map((row) => [row.scenario, row] as const))('%s', async (_, row) => {
    // Arrange
    const caller: Caller =
      'role' in row.caller
        ? callers.get(row.caller.role)!
        : 'other' in row.caller
          ? otherCaller(row.caller.other)
          : { kind: 'service', service: row.caller.service };

    // Act
    const decision = await decide(policies, caller, row.request(targets));

    // Assert
    expect(decision).toBe(row.expected);
  });
});
