import { parseStackName, type StackCatalogEntry } from './stack-catalog';
import { parseTerraformPlan, type ResourceChange, type TerraformAction } from './terraform-plan';

/** What a review counts: Terraform's actions, with delete+create folded into `replace`. */
export type ReviewAction = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read' | 'forget';

export const reviewActions: readonly ReviewAction[] = [
  'create',
  'update',
  'replace',
  'delete',
  'no-op',
  'read',
  'forget',
];

/** Resource types that hold data or keys: destroying or replacing one loses it. */
export const statefulResourceTypes: Readonly<Record<string, string>> = {
  aws_s3_bucket: 'S3 bucket (its objects are lost)',
  aws_dynamodb_table: 'DynamoDB table (its items are lost)',
  aws_kms_key: 'KMS key (data encrypted with it becomes unreadable)',
  aws_glue_catalog_database: 'Glue database (every table in it is dropped)',
  aws_glue_catalog_table: 'Glue table (Athena queries over it break)',
  // operational state: losing it loses the evidence of what happened and who gets paged
  aws_cloudwatch_log_group: 'CloudWatch log group (its log events are lost)',
  aws_cloudwatch_metric_alarm: 'CloudWatch alarm (its history is lost and nobody is paged until it is back)',
  aws_cloudwatch_composite_alarm:
    'CloudWatch alarm (its history is lost and nobody is paged until it is back)',
};

export type Verdict = 'pass' | 'warn' | 'blocked';

export interface PlanReviewOptions {
  /** the environment the plan is for; stateful destroys are blocked in protected ones */
  readonly env: string;
  /**
   * Addresses whose destroy/replace is explicitly allowed (`--allow-destroy`, LAKEPIPE_ALLOW_DESTROY), each
   * `<env>:<address>` (`prod:aws_s3_bucket.lake`) or a bare `<address>`. A bare address counts only in an
   * unprotected environment: an allowance meant for dev never downgrades a prod review.
   * @default none: every stateful destroy or replace in a protected environment blocks
   */
  readonly allow?: readonly string[];
  /**
   * The stack the plan belongs to (`sourcing-prod`); names the service of untagged resources.
   * @default the service comes from the `service` tag or the address only
   */
  readonly stack?: string;
  /**
   * The stack catalog, to map the stack to its Nx project (the service).
   * @default the stack id itself is the service
   */
  readonly catalog?: readonly StackCatalogEntry[];
  /**
   * Addresses that carry `lifecycle.prevent_destroy` in the synthesized configuration.
   * @default none beyond the stateful types
   */
  readonly preventDestroy?: readonly string[];
  /**
   * The Terraform state bucket's name: a change to it is called out as such.
   * @default any bucket whose name contains `tfstate`
   */
  readonly stateBucket?: string;
  /**
   * Environments where stateful destroys block the apply.
   * @default ['prod']
   */
  readonly protectedEnvs?: readonly string[];
  /** file name of the plan, for error messages. @default 'plan' */
  readonly source?: string;
}

/** One resource instance in the review. */
export interface ReviewedChange {
  readonly address: string;
  readonly type: string;
  readonly service: string;
  readonly action: ReviewAction;
  /** why this change is dangerous; absent for changes that lose nothing */
  readonly risk?: string;
  /** an explicit allowance covers this risky change */
  readonly allowed: boolean;
  /** attributes that force the replacement (`replace_paths`) */
  readonly replacePaths?: readonly string[];
  readonly actionReason?: string;
}

export type ActionCounts = Readonly<Record<ReviewAction, number>>;

/** The outcome of `planReview`: counts, the risky changes, and whether the apply may run. */
export interface PlanReview {
  readonly env: string;
  readonly stack?: string;
  readonly terraformVersion?: string;
  readonly verdict: Verdict;
  /** one sentence per reason the verdict is not `pass` */
  readonly reasons: readonly string[];
  readonly errored: boolean;
  readonly totals: ActionCounts;
  readonly byType: Readonly<Record<string, ActionCounts>>;
  readonly byService: Readonly<Record<string, ActionCounts>>;
  /** every change that is not a no-op, in plan order */
  readonly changes: readonly ReviewedChange[];
  /** destroys and replaces of stateful resources (also listed in `changes`) */
  readonly risky: readonly ReviewedChange[];
  /** allowances for this environment that matched no risky change: probably a typo in the address */
  readonly unusedAllowances: readonly string[];
  /** bare allowances ignored because this environment is protected (they must name it: `prod:<address>`) */
  readonly unqualifiedAllowances: readonly string[];
}

/** An allowance split into its environment (undefined when bare) and its resource address. */
export function parseAllowance(allowance: string): { readonly env?: string; readonly address: string } {
  // a resource address never contains `:` outside an index key (`aws_x.y["a:b"]`), so only a leading
  // `<env>:` before any `.` or `[` is an environment
  const match = /^([a-z][a-z0-9-]*):([^:].*)$/.exec(allowance);
  return match && !match[1]!.includes('.') ? { env: match[1]!, address: match[2]! } : { address: allowance };
}

/**
 * The addresses an allowance list allows in one environment: `<env>:<address>` entries for this env, and
 * bare addresses only when the environment is unprotected. Returns the bare ones it refused, too.
 */
export function allowancesFor(
  allow: readonly string[],
  env: string,
  protectedEnv: boolean,
): { readonly addresses: ReadonlySet<string>; readonly refused: readonly string[] } {
  const addresses = new Set<string>();
  const refused: string[] = [];
  for (const entry of allow) {
    const parsed = parseAllowance(entry);
    if (parsed.env === env) addresses.add(parsed.address);
    else if (parsed.env === undefined && protectedEnv) refused.push(entry);
    else if (parsed.env === undefined) addresses.add(parsed.address);
  }
  return { addresses, refused };
}

/** Reviews `terraform show -json` output: what changes, what would lose data, and whether it may apply. */
export function planReview(planJson: unknown, options: PlanReviewOptions): PlanReview {
  const plan = parseTerraformPlan(planJson, options.source);
  const preventDestroy = new Set(options.preventDestroy ?? []);
  const protectedEnv = (options.protectedEnvs ?? ['prod']).includes(options.env);
  const { addresses: allow, refused } = allowancesFor(options.allow ?? [], options.env, protectedEnv);
  const stackService = serviceOfStack(options.stack, options.catalog);
  const knownServices = [...new Set((options.catalog ?? []).map((entry) => entry.project))];

  const reviewed = (plan.resource_changes ?? [])
    .filter((change) => change.mode === 'managed')
    .map((change): ReviewedChange => {
      const action = reviewAction(change.change.actions);
      const risk = riskOf(change, action, preventDestroy, options.stateBucket);
      const replacePaths = change.change.replace_paths?.map((segments) => segments.join('.'));
      return {
        address: change.address,
        type: change.type,
        service: serviceOf(change, stackService, knownServices),
        action,
        ...(risk ? { risk } : {}),
        allowed: risk !== undefined && allow.has(change.address),
        ...(replacePaths && replacePaths.length > 0 ? { replacePaths } : {}),
        ...(change.action_reason ? { actionReason: change.action_reason } : {}),
      };
    });

  const risky = reviewed.filter((change) => change.risk !== undefined);
  const errorDiagnostics = (plan.diagnostics ?? []).filter((d) => d.severity === 'error');
  const errored = plan.errored === true || errorDiagnostics.length > 0;

  const reasons: string[] = [];
  if (errored) {
    const detail = errorDiagnostics
      .map((d) => `${d.summary}${d.address ? ` (${d.address})` : ''}`)
      .join('; ');
    reasons.push(`the plan has errors and is incomplete${detail ? `: ${detail}` : ''}`);
  }
  for (const change of risky) {
    const what = `${change.action} of ${change.address}: ${change.risk}`;
    if (change.allowed) reasons.push(`${what} (explicitly allowed)`);
    else if (protectedEnv)
      reasons.push(`${what}; pass --allow-destroy ${options.env}:${change.address} to allow it`);
    else reasons.push(what);
  }
  for (const entry of refused) {
    reasons.push(
      `allowance ${entry} names no environment, so it does not apply to ${options.env} (protected): write ${options.env}:${entry}`,
    );
  }
  const blocked = errored || (protectedEnv && risky.some((change) => !change.allowed));
  const verdict: Verdict = blocked ? 'blocked' : risky.length > 0 ? 'warn' : 'pass';

  return {
    env: options.env,
    ...(options.stack ? { stack: options.stack } : {}),
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    verdict,
    reasons,
    errored,
    totals: countActions(reviewed),
    byType: groupCounts(reviewed, (change) => change.type),
    byService: groupCounts(reviewed, (change) => change.service),
    changes: reviewed.filter((change) => change.action !== 'no-op'),
    risky,
    unusedAllowances: [...allow].filter((address) => !risky.some((change) => change.address === address)),
    unqualifiedAllowances: refused,
  };
}

/** Folds Terraform's action list into one review action (`["delete","create"]` is a replace). */
export function reviewAction(actions: readonly TerraformAction[]): ReviewAction {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  const [only] = actions;
  return only ?? 'no-op';
}

function riskOf(
  change: ResourceChange,
  action: ReviewAction,
  preventDestroy: ReadonlySet<string>,
  stateBucket: string | undefined,
): string | undefined {
  // `forget` (a `removed` block) keeps the real resource: only delete and replace lose data
  if (action !== 'delete' && action !== 'replace') return undefined;
  const bucket = stringAttribute(change, 'bucket');
  if (change.type === 'aws_s3_bucket' && bucket && isStateBucket(bucket, stateBucket)) {
    return `Terraform state bucket ${bucket} (every stack's state is lost)`;
  }
  // the stack's own declaration first: it says the author meant this resource to outlive every deploy
  if (preventDestroy.has(change.address)) return 'declared with lifecycle.prevent_destroy';
  return statefulResourceTypes[change.type];
}

function isStateBucket(bucket: string, stateBucket: string | undefined): boolean {
  return stateBucket ? bucket === stateBucket : bucket.includes('tfstate');
}

function stringAttribute(change: ResourceChange, key: string): string | undefined {
  const value = change.change.before?.[key] ?? change.change.after?.[key];
  return typeof value === 'string' ? value : undefined;
}

function serviceOf(
  change: ResourceChange,
  stackService: string | undefined,
  known: readonly string[],
): string {
  for (const attributes of [change.change.after, change.change.before]) {
    for (const tagKey of ['tags_all', 'tags']) {
      const tags = attributes?.[tagKey];
      if (tags && typeof tags === 'object') {
        const service = (tags as Record<string, unknown>).service;
        if (typeof service === 'string' && service.length > 0) return service;
      }
    }
  }
  if (stackService) return stackService;
  const address = change.address.toLowerCase().replace(/_/g, '-');
  const fromAddress = [...known].sort((a, b) => b.length - a.length).find((svc) => address.includes(svc));
  return fromAddress ?? 'unknown';
}

function serviceOfStack(
  stack: string | undefined,
  catalog: readonly StackCatalogEntry[] | undefined,
): string | undefined {
  if (!stack) return undefined;
  const resolved = catalog ? parseStackName(catalog, stack) : undefined;
  return resolved?.entry.project ?? stack;
}

function emptyCounts(): Record<ReviewAction, number> {
  return { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0, forget: 0 };
}

function countActions(changes: readonly ReviewedChange[]): ActionCounts {
  const counts = emptyCounts();
  for (const change of changes) counts[change.action] += 1;
  return counts;
}

function groupCounts(
  changes: readonly ReviewedChange[],
  keyOf: (change: ReviewedChange) => string,
): Record<string, ActionCounts> {
  const groups: Record<string, Record<ReviewAction, number>> = {};
  for (const change of changes) {
    const key = keyOf(change);
    groups[key] ??= emptyCounts();
    groups[key][change.action] += 1;
  }
  return Object.fromEntries(Object.entries(groups).sort(([a], [b]) => a.localeCompare(b)));
}

/** Addresses allowed by the LAKEPIPE_ALLOW_DESTROY variable (Jenkins parameter): comma or space separated. */
export function allowancesFromEnv(value: string | undefined): readonly string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((address) => address.trim())
    .filter((address) => address.length > 0);
}
