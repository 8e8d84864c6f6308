import { ReviewEnvError } from './errors';
import { allowancesFromEnv, type PlanReview, planReview } from './plan-review';
import { renderPlanReviewJson, renderPlanReviewMarkdown } from './render';
import { parseStackName, type StackCatalogEntry } from './stack-catalog';
import { readJsonFile } from './stack-plan';

export type ReviewFormat = 'markdown' | 'json';

export interface PlanReviewCommandOptions {
  readonly env?: string;
  readonly stack?: string;
  readonly format?: ReviewFormat;
  readonly allowDestroy?: readonly string[];
  /** the LAKEPIPE_ALLOW_DESTROY variable (a Jenkins parameter) @default none */
  readonly allowDestroyEnv?: string;
  readonly catalog?: readonly StackCatalogEntry[];
}

/** Exit code of a blocked review: CI stops before apply. */
export const BLOCKED_EXIT_CODE = 2;

/**
 * `plan-review PLAN.json`: the review of a saved `terraform show -json` file, rendered, with the exit
 * code (0, or 2 when blocked). The environment comes from --env, else from the stack name (`envSource`
 * says which); with neither it throws ReviewEnvError rather than assume one.
 */
export function planReviewCommand(
  planFile: string,
  options: PlanReviewCommandOptions,
): {
  readonly review: PlanReview;
  readonly output: string;
  readonly exitCode: number;
  /** where the environment came from: `--env`, or `--stack sourcing-prod` */
  readonly envSource: string;
} {
  const fromStack =
    options.stack && options.catalog ? parseStackName(options.catalog, options.stack)?.env : undefined;
  const env = options.env ?? fromStack;
  if (!env) throw new ReviewEnvError(planFile);
  const review = planReview(readJsonFile(planFile), {
    env,
    stack: options.stack,
    catalog: options.catalog,
    allow: [...(options.allowDestroy ?? []), ...allowancesFromEnv(options.allowDestroyEnv)],
    source: planFile,
  });
  const output = options.format === 'json' ? renderPlanReviewJson(review) : renderPlanReviewMarkdown(review);
  return {
    review,
    output,
    exitCode: review.verdict === 'blocked' ? BLOCKED_EXIT_CODE : 0,
    envSource: options.env ? '--env' : `--stack ${options.stack}`,
  };
}
