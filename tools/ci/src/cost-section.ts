import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CostSectionError } from './cost-section-error';
import type { StackTarget } from './stack-catalog';
import { stackPaths } from './terraform';

/** The summary line of a rendered plan review: `3 to create, 1 to update, ...`. */
const SUMMARY_LINE = /^\d+ to create, \d+ to update, \d+ to replace, \d+ to destroy, \d+ unchanged.*$/m;

/**
 * The plan review with a markdown section (`npx lakepipe cost --env <env> --format markdown`) placed
 * right after the terraform plan summary line, so the approver reads what the change costs beside
 * what it changes; appended at the end when the review has no summary line.
 */
export function withCostSection(reviewMarkdown: string, costMarkdown: string): string {
  const section = costMarkdown.trim();
  if (!section) return reviewMarkdown;
  const match = SUMMARY_LINE.exec(reviewMarkdown);
  if (!match) return `${reviewMarkdown.trimEnd()}\n\n${section}\n`;
  const end = match.index + match[0].length;
  return `${reviewMarkdown.slice(0, end)}\n\n${section}${reviewMarkdown.slice(end)}`;
}

/** Reads the `--cost FILE` of `plan` / `review`: the markdown `lakepipe cost --format markdown` printed. */
export function readCostSection(file: string): string {
  if (!existsSync(file)) throw new CostSectionError(file, 'does not exist');
  const text = readFileSync(file, 'utf8');
  if (!/^#+ /m.test(text)) throw new CostSectionError(file, 'has no markdown heading');
  return text;
}

/** The review with the `--cost FILE` section, or as it is without the option. */
export function withCostFile(reviewMarkdown: string, costFile: string | undefined): string {
  return costFile === undefined ? reviewMarkdown : withCostSection(reviewMarkdown, readCostSection(costFile));
}

/**
 * Puts the cost section into the review `plan` wrote for a stack (cdktf.out/reviews/<stack>.md: what
 * Jenkins archives, echoes and shows at the approval), and returns the new review.
 */
export function addCostToStackReview(
  workspaceRoot: string,
  target: StackTarget,
  costMarkdown: string,
): string {
  const file = stackPaths(workspaceRoot, target).reviewMarkdown;
  const markdown = withCostSection(readFileSync(file, 'utf8'), costMarkdown);
  writeFileSync(file, markdown);
  return markdown;
}
