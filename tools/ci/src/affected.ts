import { existsSync, readdirSync } from 'node:fs';
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
  /**
   * What the caller must be told: uncommitted changes left out of the comparison, a base commit that is
   * missing (so every stack was taken). Printed on stderr by the commands.
   */
  readonly warnings: readonly string[];
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
  /^\.ci\//,
  /^\.groovylintrc\.json$/,
  /^\.gitignore$/,
  /^biome\.json$/,
];

/**
 * The stack catalog, the cdktf app, the stage composition root and the toolchain: what every stack is
 * built from, so a change to one deploys every stack in every environment. Nx cannot see these (they sit
 * outside every project, or change only scripts and versions), which is why CI names them itself.
 */
export const catalogFiles: readonly RegExp[] = [
  /^infra\/stacks\.ts$/,
  /^infra\/stack-factories\.ts$/,
  /^infra\/main\.ts$/,
  /^infra\/synth\.ts$/,
  /^packages\/stages\//,
  /^infra\/terraform-locks\//,
  /^pipeline\.yaml$/,
  /^cdktf\.json$/,
  /^package\.json$/,
  /^package-lock\.json$/,
  /^tsconfig\.base\.json$/,
];

/** `infra/config/<env>.yaml` reaches every stack of that environment, and only of that one. */
const envConfigFile = /^infra\/config\/([a-z][a-z0-9-]*)\.ya?ml$/;
/** Any other file under infra/config (a shared schema, a defaults file) reaches every environment. */
const sharedConfigFile = /^infra\/config\//;

/**
 * Splits changed files into environment configs (one environment's stacks), catalog files (every stack),
 * files that deploy nothing, and the rest, which Nx maps to projects.
 */
export function classifyChangedFiles(files: readonly string[]): {
  readonly forNx: readonly string[];
  readonly envConfigs: ReadonlyMap<string, string>;
  readonly everyStack: readonly string[];
  readonly ignored: readonly string[];
} {
  const forNx: string[] = [];
  const ignored: string[] = [];
  const everyStack: string[] = [];
  const envConfigs = new Map<string, string>();
  for (const file of files) {
    const envMatch = envConfigFile.exec(file);
    if (envMatch) envConfigs.set(envMatch[1]!, file);
    else if (catalogFiles.some((pattern) => pattern.test(file)) || sharedConfigFile.test(file))
      everyStack.push(file);
    else if (notDeployed.some((pattern) => pattern.test(file))) ignored.push(file);
    else forNx.push(file);
  }
  return { forNx, envConfigs, everyStack, ignored };
}

/**
 * The folders of the workspace's Nx projects (a project.json or package.json below the root), so a
 * changed file outside all of them is caught: Nx maps such a file to no project, and it must not deploy
 * nothing by accident.
 */
export function projectRoots(workspaceRoot: string, maxDepth = 4): readonly string[] {
  const skip = new Set(['node_modules', '.git', '.nx', '.cache', '.tmp', '.venv', 'cdktf.out', 'dist']);
  const roots: string[] = [];
  const walk = (relative: string, depth: number) => {
    const dir = path.join(workspaceRoot, relative);
    if (
      relative &&
      (existsSync(path.join(dir, 'project.json')) || existsSync(path.join(dir, 'package.json')))
    )
      roots.push(relative);
    if (depth >= maxDepth) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !skip.has(entry.name) && !entry.name.startsWith('.'))
        walk(relative ? `${relative}/${entry.name}` : entry.name, depth + 1);
    }
  };
  walk('', 0);
  return roots.sort();
}

/** Files of `files` that lie in no project root. */
export function outsideEveryProject(files: readonly string[], roots: readonly string[]): readonly string[] {
  return files.filter((file) => !roots.some((root) => file.startsWith(`${root}/`)));
}

/** Maps affected projects and changed environment configs to stack targets, in deploy order. */
export function targetsFor(
  projects: readonly string[],
  envConfigs: ReadonlyMap<string, string>,
  options: Pick<AffectedOptions, 'catalog' | 'environments' | 'protectedEnvs'>,
  everyStackReasons: readonly string[] = [],
): readonly AffectedTarget[] {
  const affectedProjects = new Set(projects);
  const targets: AffectedTarget[] = [];
  for (const env of deployOrder(options.environments, options.protectedEnvs)) {
    for (const entry of options.catalog) {
      const reasons: string[] = [...everyStackReasons];
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

/**
 * The stacks and environments a change (base..head) touches, from git and Nx's project graph. It cannot
 * miss: a catalog file or a file outside every project deploys every stack; a base commit that is missing
 * (first build, rebased history, shallow clone) deploys every stack, with a warning saying so.
 */
export async function affected(options: AffectedOptions): Promise<AffectedResult> {
  const head = options.head ?? 'HEAD';
  const root = options.workspaceRoot;
  const warnings = await uncommittedWarnings(root);
  await gitOrExplain(['rev-parse', '--verify', '--quiet', `${head}^{commit}`], root, options.base, head);
  const mergeBase = options.base ? await tryGit(['merge-base', options.base, head], root) : undefined;
  if (mergeBase === undefined) {
    const why = options.base
      ? `base ${options.base} is not a commit this clone shares with ${head} (rebased or force-pushed history, a re-created job, or a shallow clone)`
      : 'no base commit was given (the first build of this job)';
    warnings.push(`${why}: deploying every stack in every environment`);
    return {
      base: options.base,
      head,
      files: [],
      projects: [],
      targets: allTargets(options, `every stack: ${why}`),
      warnings,
    };
  }
  const files = (
    await gitOrExplain(
      ['diff', '--name-only', '--no-renames', mergeBase.trim(), head],
      root,
      options.base,
      head,
    )
  )
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const { forNx, envConfigs, everyStack } = classifyChangedFiles(files);
  const stray = outsideEveryProject(forNx, projectRoots(root));
  const everyStackReasons = [
    ...everyStack.map((file) => `${file} changed (every stack is built from it)`),
    ...stray.map((file) => `${file} changed (it is outside every Nx project)`),
  ];
  const projects = forNx.length > 0 ? await nxAffectedProjects(forNx, options) : [];
  return {
    base: options.base,
    head,
    files,
    projects,
    targets: targetsFor(projects, envConfigs, options, everyStackReasons),
    warnings,
  };
}

/** Every stack in every environment (a first build, or `--all`). */
export function allTargets(
  options: Pick<AffectedOptions, 'catalog' | 'environments' | 'protectedEnvs'>,
  reason = 'every stack was asked for',
): readonly AffectedTarget[] {
  return targetsFor(
    options.catalog.map((entry) => entry.project),
    new Map(),
    options,
  ).map((target) => ({ ...target, reasons: [reason] }));
}

/** A warning when the work tree has changes no commit holds: affected compares commits only. */
export async function uncommittedWarnings(workspaceRoot: string): Promise<string[]> {
  const status = await tryGit(['status', '--porcelain'], workspaceRoot);
  const changed = (status ?? '')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => line.slice(3));
  if (changed.length === 0) return [];
  const shown = changed.slice(0, 5).join(', ');
  return [
    `the work tree has ${changed.length} uncommitted change(s) (${shown}${changed.length > 5 ? ', …' : ''}): affected compares commits, so they are not counted; commit them to include them`,
  ];
}

async function tryGit(args: readonly string[], cwd: string): Promise<string | undefined> {
  try {
    return await captureOutput('git', args, cwd);
  } catch {
    return undefined;
  }
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
