import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { StackCatalogError, UnknownTargetError } from './errors';

/** One deployable stack as infra/stacks.ts declares it (the single source of truth CI reads). */
export interface StackCatalogEntry {
  /** stack id; the Terraform stack of an environment is `<id>-<env>` */
  readonly id: string;
  /** the Nx project whose code the stack deploys */
  readonly project: string;
  /** compute that is created on demand and destroyed after use; false = always-on storage */
  readonly ephemeral: boolean;
}

/** One stack in one environment: what CI plans and applies. */
export interface StackTarget extends StackCatalogEntry {
  readonly env: string;
  /** `<id>-<env>`: the folder under cdktf.out/stacks and the state key */
  readonly stackName: string;
}

/** The few fields of infra/config/<env>.yaml that delivery needs (the full schema is packages/constructs'). */
export interface DeliveryEnvConfig {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly stateBucket: string;
}

const catalogSchema = z
  .array(
    z.looseObject({
      id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'stack ids are lower-case kebab-case'),
      project: z.string().min(1),
      ephemeral: z.boolean(),
    }),
  )
  .min(1, 'the catalog lists no stacks');

const envConfigSchema = z.looseObject({
  name: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/, 'accountId must be 12 digits'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region must look like eu-west-1'),
  stateBucket: z.string().min(3),
});

/** Validates a catalog (e.g. the `stackCatalog` export of infra/stacks.ts); ids must be unique. */
export function parseStackCatalog(value: unknown, source = 'infra/stacks.ts'): readonly StackCatalogEntry[] {
  const parsed = catalogSchema.safeParse(value);
  if (!parsed.success) {
    throw new StackCatalogError(
      source,
      parsed.error.issues.map((issue) => `stackCatalog.${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const seen = new Set<string>();
  const duplicates = parsed.data.filter((entry) => seen.size === seen.add(entry.id).size).map((e) => e.id);
  if (duplicates.length > 0) {
    throw new StackCatalogError(source, [`stackCatalog lists stack id(s) twice: ${duplicates.join(', ')}`]);
  }
  return parsed.data.map(({ id, project, ephemeral }) => ({ id, project, ephemeral }));
}

/** Imports `stackCatalog` from <workspaceRoot>/infra/stacks.ts (runs under tsx or vitest). */
export async function loadStackCatalog(workspaceRoot: string): Promise<readonly StackCatalogEntry[]> {
  const file = path.join(workspaceRoot, 'infra', 'stacks.ts');
  let module: { stackCatalog?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { stackCatalog?: unknown };
  } catch (error) {
    throw new StackCatalogError(file, [`cannot be imported: ${(error as Error).message}`]);
  }
  if (module.stackCatalog === undefined) throw new StackCatalogError(file, ['has no `stackCatalog` export']);
  return parseStackCatalog(module.stackCatalog, file);
}

/** The environments: one per infra/config/<env>.yaml, sorted. */
export function listEnvironments(workspaceRoot: string): readonly string[] {
  const folder = path.join(workspaceRoot, 'infra', 'config');
  const envs = readdirSync(folder)
    .filter((file) => /^[a-z][a-z0-9-]*\.ya?ml$/.test(file))
    .map((file) => file.replace(/\.ya?ml$/, ''))
    .sort();
  if (envs.length === 0) throw new StackCatalogError(folder, ['holds no <env>.yaml file']);
  return envs;
}

/** Reads infra/config/<env>.yaml for the account, region and state bucket of an environment. */
export function loadDeliveryEnvConfig(workspaceRoot: string, env: string): DeliveryEnvConfig {
  const envs = listEnvironments(workspaceRoot);
  if (!envs.includes(env)) throw new UnknownTargetError('env', env, envs);
  const file = path.join(workspaceRoot, 'infra', 'config', `${env}.yaml`);
  const parsed = envConfigSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new StackCatalogError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`),
    );
  }
  const { name, accountId, region, stateBucket } = parsed.data;
  return { name, accountId, region, stateBucket };
}

/** `<id>-<env>`, the stack's name in cdktf.out/stacks and in the state key. */
export function stackName(id: string, env: string): string {
  return `${id}-${env}`;
}

/** Finds a stack by id; the error lists the ids that exist. */
export function findStack(catalog: readonly StackCatalogEntry[], id: string): StackCatalogEntry {
  const entry = catalog.find((candidate) => candidate.id === id);
  if (!entry)
    throw new UnknownTargetError(
      'stack',
      id,
      catalog.map((e) => e.id),
    );
  return entry;
}

/** Resolves a stack name such as `sourcing-prod` back to its catalog entry and environment. */
export function parseStackName(
  catalog: readonly StackCatalogEntry[],
  name: string,
): { readonly entry: StackCatalogEntry; readonly env: string } | undefined {
  // longest id first: `spark-etl-catalog-dev` must not resolve to `spark-etl` + env `catalog-dev`
  const byLength = [...catalog].sort((a, b) => b.id.length - a.id.length);
  for (const entry of byLength) {
    if (name.startsWith(`${entry.id}-`)) return { entry, env: name.slice(entry.id.length + 1) };
  }
  return undefined;
}

export function toTarget(entry: StackCatalogEntry, env: string): StackTarget {
  return { ...entry, env, stackName: stackName(entry.id, env) };
}

/**
 * The role Jenkins assumes to plan and apply in an environment: `lakepipe-<env>-deployer`, created once
 * per account outside this repo (docs/delivery.md). Its trust policy names only the Jenkins agents.
 */
export function deployerRoleName(env: string): string {
  return `lakepipe-${env}-deployer`;
}
