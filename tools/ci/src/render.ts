import { type ActionCounts, type PlanReview, reviewActions, type Verdict } from './plan-review';

const verdictBadge: Readonly<Record<Verdict, string>> = {
  pass: '✅ PASS: nothing stateful is destroyed or replaced',
  warn: '⚠️ WARN: stateful resources are destroyed or replaced (allowed in this environment)',
  blocked: '⛔ BLOCKED: this plan must not be applied as it is',
};

/** The review as markdown: for the Jenkins build page, the approval gate and the archived artifact. */
export function renderPlanReviewMarkdown(review: PlanReview): string {
  const title = review.stack ? `${review.stack} (${review.env})` : review.env;
  const lines: string[] = [`## Plan review: ${title}`, '', `**${verdictBadge[review.verdict]}**`, ''];
  for (const reason of review.reasons) lines.push(`- ${reason}`);
  if (review.reasons.length > 0) lines.push('');
  for (const address of review.unusedAllowances) {
    lines.push(`- note: --allow-destroy ${review.env}:${address} matches no destroy or replace in this plan`);
  }
  if (review.unusedAllowances.length > 0) lines.push('');

  lines.push(
    `${summarize(review.totals)}${review.terraformVersion ? ` (Terraform ${review.terraformVersion})` : ''}`,
    '',
  );
  if (Object.keys(review.byService).length > 0) {
    lines.push('### By service', '', ...countsTable('service', review.byService), '');
    lines.push('### By resource type', '', ...countsTable('resource type', review.byType), '');
  }
  if (review.risky.length > 0) {
    lines.push('### Stateful resources destroyed or replaced', '');
    lines.push('| address | action | why it matters | allowed |', '| --- | --- | --- | --- |');
    for (const change of review.risky) {
      lines.push(
        `| \`${change.address}\` | ${change.action} | ${change.risk} | ${change.allowed ? 'yes' : 'no'} |`,
      );
    }
    lines.push('');
  }
  if (review.changes.length > 0) {
    lines.push('### Changes', '');
    for (const change of review.changes) {
      const forcedBy = change.replacePaths ? ` (forced by ${change.replacePaths.join(', ')})` : '';
      lines.push(`- \`${symbol(change.action)}\` \`${change.address}\` ${change.action}${forcedBy}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The review as JSON (stable keys: what a dashboard or a later step reads). */
export function renderPlanReviewJson(review: PlanReview): string {
  return `${JSON.stringify(review, null, 2)}\n`;
}

/** `3 to create, 1 to update, 0 to replace, 1 to destroy, 12 unchanged` */
export function summarize(counts: ActionCounts): string {
  return `${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to destroy, ${counts['no-op']} unchanged`;
}

function countsTable(label: string, groups: Readonly<Record<string, ActionCounts>>): string[] {
  const columns = reviewActions.filter((action) =>
    Object.values(groups).some((counts) => counts[action] > 0),
  );
  const rows = [`| ${label} | ${columns.join(' | ')} |`, `| --- |${' ---: |'.repeat(columns.length)}`];
  for (const [key, counts] of Object.entries(groups)) {
    rows.push(`| ${key} | ${columns.map((action) => counts[action]).join(' | ')} |`);
  }
  return rows;
}

function symbol(action: string): string {
  switch (action) {
    case 'create':
      return '+';
    case 'update':
      return '~';
    case 'replace':
      return '-/+';
    case 'delete':
      return '-';
    default:
      return '·';
  }
}
