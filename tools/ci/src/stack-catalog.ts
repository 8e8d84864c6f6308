import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { listEnvironments as listEnvConfigs, loadEnvConfig } from '@lakepipe/constructs';
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

/** The fields of infra/config/<env>.yaml that delivery needs (validated by packages/constructs). */
export interface DeliveryEnvConfig {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly stateBucket: string;
  /**
   * The environment holds real data (prod): stateful destroys block, applies wait for approval.
   * @default false
   */
  readonly deletionProtection?: boolean;
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
  const configDir = path.join(workspaceRoot, 'infra', 'config');
  const envs = listEnvConfigs({ configDir });
  if (envs.length === 0) throw new StackCatalogError(configDir, ['holds no <env>.yaml file']);
  return envs;
}

/** Reads infra/config/<env>.yaml (through packages/constructs' validation) for what delivery needs. */
export function loadDeliveryEnvConfig(workspaceRoot: string, env: string): DeliveryEnvConfig {
  const envs = listEnvironments(workspaceRoot);
  if (!envs.includes(env)) throw new UnknownTargetError('env', env, envs);
  const config = loadEnvConfig(env, { configDir: path.join(workspaceRoot, 'infra', 'config') });
  const { name, accountId, region, stateBucket, deletionProtection } = config;
  return { name, accountId, region, stateBucket, deletionProtection };
}

/** The environments whose config turns on deletion protection (prod): reviewed strictly, approved by hand. */
export function protectedEnvironments(workspaceRoot: string): readonly string[] {
  return listEnvironments(workspaceRoot).filter(
    (env) => loadDeliveryEnvConfig(workspaceRoot, env).deletionProtection,
  );
}

/** planReview's `protectedEnvs` for one environment's config. */
export function protectedEnvsOf(config: DeliveryEnvConfig): readonly string[] {
  return config.deletionProtection ? [config.name] : [];
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

/**
 * The read-only role every plan runs with: `lakepipe-<env>-planner` (read the resources and the state,
 * write only the state's `.tflock` objects, read deploy records). Branches and pull requests get no other.
 */
export function plannerRoleName(env: string): string {
  return `lakepipe-${env}-planner`;
}

/** Why this build may not apply (a branch or a pull request), or undefined on main and outside multibranch jobs. */
export function applyRefusal(processEnv: NodeJS.ProcessEnv = process.env): string | undefined {
  if (processEnv.CHANGE_ID) return `pull request ${processEnv.CHANGE_ID}`;
  if (processEnv.BRANCH_NAME && processEnv.BRANCH_NAME !== 'main') return `branch ${processEnv.BRANCH_NAME}`;
  return undefined;
}
