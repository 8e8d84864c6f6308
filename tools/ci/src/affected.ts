import path from 'node:path';
import { AffectedError } from './errors';
import { captureOutput } from './exec';
import { type StackCatalogEntry, type StackTarget, toTarget } from './stack-catalog';

/** One stack × environment a change reaches, and why. */
export interface AffectedTarget extends StackTarget {
  /** e.g. `project sourcing is affected`, `infra/config/prod.yaml changed` */
  readonly reasons: readonly string[];
}

export interface AffectedResult {
  readonly base: string;
  readonly head: string;
  /** files changed between the merge base of base/head and head */
  readonly files: readonly string[];
  /** Nx projects affected by the files that can change a deployment */
  readonly projects: readonly string[];
  /** in deploy order: catalog order (shared infrastructure first), unprotected environments first */
  readonly targets: readonly AffectedTarget[];
}

export interface AffectedOptions {
  /** git ref the change is measured from (the last successful build, or the merge base with main) */
  readonly base: string;
  /** @default 'HEAD' */
  readonly head?: string;
  /** the Nx workspace (and git work tree) */
  readonly workspaceRoot: string;
  readonly catalog: readonly StackCatalogEntry[];
  /** every environment (infra/config/<env>.yaml) */
  readonly environments: readonly string[];
  /**
   * Environments deployed last (after the others have gone through).
   * @default ['prod']
   */
  readonly protectedEnvs?: readonly string[];
  /** @default `<workspaceRoot>/node_modules/.bin/nx` */
  readonly nxBin?: string;
}

/** Files that never change what a stack deploys: they go to verify, not to plan. */
const notDeployed = [
  /(^|\/)Jenkinsfile$/,
  /\.md$/,
  /\.test\.ts$/,
  /(^|\/)(test-fixtures|__fixtures__)\//,
  /^jenkins\//,
  /^docs\//,
  /^bench\//,
  /^\.groovylintrc\.json$/,
];

/** `infra/config/<env>.yaml` reaches every stack of that environment, and only of that one. */
const envConfigFile = /^infra\/config\/([a-z][a-z0-9-]*)\.ya?ml$/;

/** Splits changed files into the ones Nx maps to projects and the environment configs CI maps itself. */
export function classifyChangedFiles(files: readonly string[]): {
  readonly forNx: readonly string[];
  readonly envConfigs: ReadonlyMap<string, string>;
  readonly ignored: readonly string[];
} {
  const forNx: string[] = [];
  const ignored: string[] = [];
  const envConfigs = new Map<string, string>();
  for (const file of files) {
    const envMatch = envConfigFile.exec(file);
    if (envMatch) envConfigs.set(envMatch[1]!, file);
    else if (notDeployed.some((pattern) => pattern.test(file))) ignored.push(file);
    else forNx.push(file);
  }
  return { forNx, envConfigs, ignored };
}

/** Maps affected projects and changed environment configs to stack targets, in deploy order. */
export function targetsFor(
  projects: readonly string[],
  envConfigs: ReadonlyMap<string, string>,
  options: Pick<AffectedOptions, 'catalog' | 'environments' | 'protectedEnvs'>,
): readonly AffectedTarget[] {
  const affectedProjects = new Set(projects);
  const targets: AffectedTarget[] = [];
  for (const env of deployOrder(options.environments, options.protectedEnvs)) {
    for (const entry of options.catalog) {
      const reasons: string[] = [];
      if (affectedProjects.has(entry.project)) reasons.push(`project ${entry.project} is affected`);
      const config = envConfigs.get(env);
      if (config) reasons.push(`${config} changed`);
      if (reasons.length > 0) targets.push({ ...toTarget(entry, env), reasons });
    }
  }
  return targets;
}

/** Environments in the order a change is promoted: unprotected ones first, then the protected ones. */
export function deployOrder(
  environments: readonly string[],
  protectedEnvs: readonly string[] = ['prod'],
): string[] {
  const isProtected = (env: string) => protectedEnvs.includes(env);
  return [...environments.filter((env) => !isProtected(env)), ...environments.filter(isProtected)];
}

/** The stacks and environments a change (base..head) touches, from git and Nx's project graph. */
export async function affected(options: AffectedOptions): Promise<AffectedResult> {
  const head = options.head ?? 'HEAD';
  const root = options.workspaceRoot;
  const mergeBase = (await gitOrExplain(['merge-base', options.base, head], root, options.base, head)).trim();
  const files = (
    await gitOrExplain(['diff', '--name-only', '--no-renames', mergeBase, head], root, options.base, head)
  )
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const { forNx, envConfigs } = classifyChangedFiles(files);
  const projects = forNx.length > 0 ? await nxAffectedProjects(forNx, options) : [];
  return { base: options.base, head, files, projects, targets: targetsFor(projects, envConfigs, options) };
}

/** Every stack in every environment (a first build, or `--all`). */
export function allTargets(
  options: Pick<AffectedOptions, 'catalog' | 'environments' | 'protectedEnvs'>,
): readonly AffectedTarget[] {
  return targetsFor(
    options.catalog.map((entry) => entry.project),
    new Map(),
    options,
  ).map((target) => ({ ...target, reasons: ['every stack was asked for'] }));
}

async function nxAffectedProjects(files: readonly string[], options: AffectedOptions): Promise<string[]> {
  const nx = options.nxBin ?? path.join(options.workspaceRoot, 'node_modules', '.bin', 'nx');
  let output: string;
  try {
    output = await captureOutput(
      nx,
      ['show', 'projects', '--affected', `--files=${files.join(',')}`, '--json'],
      options.workspaceRoot,
    );
  } catch (error) {
    throw new AffectedError(`nx could not compute the affected projects: ${(error as Error).message}`);
  }
  const parsed: unknown = JSON.parse(output.slice(output.indexOf('[')));
  if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string')) {
    throw new AffectedError(
      `nx show projects printed ${JSON.stringify(output.slice(0, 200))}, not a JSON list of names`,
    );
  }
  return [...parsed].sort();
}

async function gitOrExplain(
  args: readonly string[],
  cwd: string,
  base: string,
  head: string,
): Promise<string> {
  try {
    return await captureOutput('git', args, cwd);
  } catch (error) {
    throw new AffectedError(
      `cannot compare --base ${base} with --head ${head} (is the ref fetched? a shallow clone needs the base commit): ${(error as Error).message}`,
    );
  }
}
