import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertDescendsFromDeployed, type DeployRecordStore } from './deploy-record';
import { MissingProviderLockError, PlanBlockedError, PlanFormatError } from './errors';
import type { CommandRunner } from './exec';
import { type PlanReview, planReview } from './plan-review';
import { renderPlanReviewJson, renderPlanReviewMarkdown } from './render';
import {
  type DeliveryEnvConfig,
  protectedEnvsOf,
  type StackCatalogEntry,
  type StackTarget,
} from './stack-catalog';
import {
  applyCommand,
  initCommand,
  planCommands,
  pluginCacheDirOf,
  providerLockFile,
  stackPaths,
  type TerraformOptions,
} from './terraform';

export interface StackPlanOptions {
  readonly workspaceRoot: string;
  readonly target: StackTarget;
  readonly config: DeliveryEnvConfig;
  readonly catalog: readonly StackCatalogEntry[];
  readonly runner: CommandRunner;
  /** @default no destroy of a stateful resource is allowed in a protected environment */
  readonly allow?: readonly string[];
  /** @default process.env.TERRAFORM_BIN, else `terraform` */
  readonly terraformBin?: string;
  /** @default process.env.TF_PLUGIN_CACHE_DIR, else ~/.cache/lakepipe/terraform-plugins */
  readonly pluginCacheDir?: string;
}

/**
 * Puts the committed provider lock file (infra/terraform-locks/<id>.terraform.lock.hcl) into the stack's
 * folder and creates the plugin cache. Returns whether a committed lock file exists (then init is
 * `-lockfile=readonly`: no other provider build than the committed one can be installed).
 */
export function prepareStackDir(options: TerraformOptions): boolean {
  mkdirSync(pluginCacheDirOf(options), { recursive: true });
  const committed = providerLockFile(options.workspaceRoot, options.target.id);
  if (!existsSync(committed)) return false;
  const { stackDir } = stackPaths(options.workspaceRoot, options.target);
  mkdirSync(stackDir, { recursive: true });
  copyFileSync(committed, path.join(stackDir, '.terraform.lock.hcl'));
  return true;
}

/** Addresses with `lifecycle.prevent_destroy` in a synthesized cdk.tf.json (`{ resource: { type: { name } } }`). */
export function preventDestroyAddresses(cdktfJson: unknown): readonly string[] {
  const resources = (cdktfJson as { resource?: Record<string, Record<string, { lifecycle?: unknown }>> })
    ?.resource;
  const addresses: string[] = [];
  for (const [type, byName] of Object.entries(resources ?? {})) {
    for (const [name, block] of Object.entries(byName ?? {})) {
      if ((block?.lifecycle as { prevent_destroy?: unknown } | undefined)?.prevent_destroy === true) {
        addresses.push(`${type}.${name}`);
      }
    }
  }
  return addresses.sort();
}

/** Reads a JSON file, naming the file when it is missing or malformed. */
export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new PlanFormatError(file, ['file does not exist']);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PlanFormatError(file, [`not JSON: ${(error as Error).message}`]);
  }
}

/** What terraform needs of a plan or an apply: the stack's folder, config and binaries. */
function terraformOptionsOf(options: Omit<StackPlanOptions, 'allow' | 'catalog'>): TerraformOptions {
  const { workspaceRoot, target, config, terraformBin, pluginCacheDir } = options;
  return { workspaceRoot, target, config, terraformBin, pluginCacheDir };
}

/**
 * Plans one stack and reviews the plan: init, plan -out, show -json, then the review written to
 * cdktf.out/reviews/<stack>.md|.json for Jenkins to archive and show. Returns undefined on a dry run.
 */
export async function planStack(options: StackPlanOptions): Promise<PlanReview | undefined> {
  const { workspaceRoot, target, config } = options;
  const paths = stackPaths(workspaceRoot, target);
  const terraformOptions = terraformOptionsOf(options);
  const lockfileReadonly = prepareStackDir(terraformOptions);
  for (const line of planCommands({ ...terraformOptions, lockfileReadonly })) {
    await options.runner.run(line);
  }
  if (!existsSync(paths.planJson)) return undefined; // dry run: nothing was planned
  const cdktfJsonFile = path.join(paths.stackDir, 'cdk.tf.json');
  const review = planReview(readJsonFile(paths.planJson), {
    env: target.env,
    stack: target.stackName,
    catalog: options.catalog,
    allow: options.allow,
    stateBucket: config.stateBucket,
    protectedEnvs: protectedEnvsOf(config),
    preventDestroy: existsSync(cdktfJsonFile) ? preventDestroyAddresses(readJsonFile(cdktfJsonFile)) : [],
    source: paths.planJson,
  });
  writeReview(paths.reviewMarkdown, paths.reviewJson, review);
  return review;
}

export function writeReview(markdownFile: string, jsonFile: string, review: PlanReview): void {
  mkdirSync(path.dirname(markdownFile), { recursive: true });
  writeFileSync(markdownFile, renderPlanReviewMarkdown(review));
  writeFileSync(jsonFile, renderPlanReviewJson(review));
}

/** Who is applying what, for the deploy record: checked before the apply, written after it. */
export interface ApplyRecordOptions {
  readonly store: DeployRecordStore;
  /** the full commit id being applied */
  readonly commit: string;
  /** the Jenkins build (`lakepipe/lakepipe/main#42`) @default none */
  readonly build?: string;
}

export interface ApplyStackOptions extends Omit<StackPlanOptions, 'allow' | 'catalog'> {
  /**
   * Record the apply per stack and environment, and refuse it unless the commit descends from the one
   * last deployed there.
   * @default no record: a local apply by hand
   */
  readonly record?: ApplyRecordOptions;
  /**
   * Refuse the apply without the stack's committed provider lock file.
   * @default true
   */
  readonly requireProviderLock?: boolean;
}

/**
 * Applies the saved plan of a stack (init, then `apply plan.tfplan`), but only if its review (written by
 * planStack) did not block it, the stack's provider lock file is committed, and, with `record`, the
 * commit descends from the one last deployed to this stack and environment.
 */
export async function applyStack(options: ApplyStackOptions): Promise<void> {
  const { workspaceRoot, target } = options;
  const paths = stackPaths(workspaceRoot, target);
  if (existsSync(paths.reviewJson)) {
    const review = readJsonFile(paths.reviewJson) as Pick<PlanReview, 'verdict' | 'reasons'>;
    if (review.verdict === 'blocked') throw new PlanBlockedError(target.stackName, review.reasons);
  }
  const terraformOptions = terraformOptionsOf(options);
  const locked = prepareStackDir(terraformOptions);
  if (!locked && (options.requireProviderLock ?? true)) {
    throw new MissingProviderLockError(
      target.stackName,
      path.relative(workspaceRoot, providerLockFile(workspaceRoot, target.id)),
    );
  }
  if (options.record) {
    await assertDescendsFromDeployed({
      store: options.record.store,
      env: target.env,
      stackName: target.stackName,
      commit: options.record.commit,
      workspaceRoot,
    });
  }
  // init again: the plan may come from another agent (stashed), whose providers are not installed here
  await options.runner.run(initCommand({ ...terraformOptions, lockfileReadonly: locked }));
  await options.runner.run(applyCommand(terraformOptions));
  if (options.record) {
    await options.record.store.write(
      { kind: 'deployed', env: target.env, stackName: target.stackName },
      {
        commit: options.record.commit,
        ...(options.record.build ? { build: options.record.build } : {}),
        at: new Date().toISOString(),
      },
    );
  }
}
