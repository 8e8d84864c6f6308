import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PlanBlockedError, PlanFormatError } from './errors';
import type { CommandRunner } from './exec';
import { type PlanReview, planReview } from './plan-review';
import { renderPlanReviewJson, renderPlanReviewMarkdown } from './render';
import {
  type DeliveryEnvConfig,
  protectedEnvsOf,
  type StackCatalogEntry,
  type StackTarget,
} from './stack-catalog';
import { applyCommand, planCommands, stackPaths } from './terraform';

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

/**
 * Plans one stack and reviews the plan: init, plan -out, show -json, then the review written to
 * cdktf.out/reviews/<stack>.md|.json for Jenkins to archive and show. Returns undefined on a dry run.
 */
export async function planStack(options: StackPlanOptions): Promise<PlanReview | undefined> {
  const { workspaceRoot, target, config } = options;
  const paths = stackPaths(workspaceRoot, target);
  for (const line of planCommands({ workspaceRoot, target, config, terraformBin: options.terraformBin })) {
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

/** Applies the saved plan of a stack, but only if its review (written by planStack) did not block it. */
export async function applyStack(options: Omit<StackPlanOptions, 'allow' | 'catalog'>): Promise<void> {
  const { workspaceRoot, target, config } = options;
  const paths = stackPaths(workspaceRoot, target);
  if (existsSync(paths.reviewJson)) {
    const review = readJsonFile(paths.reviewJson) as Pick<PlanReview, 'verdict' | 'reasons'>;
    if (review.verdict === 'blocked') throw new PlanBlockedError(target.stackName, review.reasons);
  }
  await options.runner.run(
    applyCommand({ workspaceRoot, target, config, terraformBin: options.terraformBin }),
  );
}
