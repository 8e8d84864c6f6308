import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { EnvConfigError, type EnvConfigProblem } from './errors';
import { displayPath, workspaceRoot } from './workspace';

/** The AWS commercial regions a lakepipe environment may live in. */
export const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
] as const;

/** The retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The smallest per-query bytes-scanned cutoff Athena accepts: 10 MB. */
export const MIN_ATHENA_BYTES_SCANNED_CUTOFF = 10_000_000;

/** Environments that hold real data: deletion protection and prevent_destroy are on. */
const PROTECTED_ENVIRONMENTS = new Set(['prod']);

const positiveDays = z.number().int('must be a whole number of days').positive('must be at least 1 day');

const subscriberSchema = z
  .strictObject({
    protocol: z.enum(['email', 'https', 'sqs'], 'must be one of email, https, sqs'),
    endpoint: z.string().min(1, 'must not be empty'),
  })
  .superRefine((subscriber, ctx) => {
    const checks = {
      email: [/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address for protocol email'],
      https: [/^https:\/\/[^\s/]+(\/\S*)?$/, 'must be an https:// URL for protocol https'],
      sqs: [
        /^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/,
        'must be an SQS queue ARN for protocol sqs',
      ],
    } as const;
    const [pattern, message] = checks[subscriber.protocol];
    if (!pattern.test(subscriber.endpoint)) ctx.addIssue({ code: 'custom', path: ['endpoint'], message });
  });

const roleArn = z
  .string('must be an IAM role ARN')
  .regex(
    /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  );

/** Who administers and who may use the environment's KMS key (shared-infra's key policy). */
const keyAccessSchema = z.strictObject({
  administratorRoleArn: roleArn,
  breakGlassRoleArn: roleArn,
  readerRoleArns: z.array(roleArn, 'must be a list of IAM role ARNs'),
});

const instanceTypeSchema = z
  .string('must be an EC2 instance type, e.g. m5.xlarge')
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type, e.g. m5.xlarge');

/** The always-on cluster lakepipe replaces, priced beside the pipeline by `lakepipe cost` (packages/cost). */
const costBaselineSchema = z.strictObject({
  description: z.string().min(1, 'must not be empty').optional(),
  master: z.strictObject({
    instanceType: instanceTypeSchema,
    count: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  }),
  core: z.strictObject({
    instanceType: instanceTypeSchema,
    count: z.number().int('must be a whole number').min(0, 'must be 0 or more'),
  }),
  hoursPerDay: z.number().gt(0, 'must be above 0').max(24, 'must be at most 24'),
  ebsGbPerInstance: z.number().int('must be a whole number of GB').min(0, 'must be 0 or more'),
  /** false for plain EC2 (self-managed Hadoop): no EMR uplift. @default true */
  emr: z.boolean().optional(),
});

const envConfigFileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,11}$/, 'must be 2-12 lower-case letters or digits, starting with a letter'),
  accountId: z.string().regex(/^\d{12}$/, 'must be 12 digits'),
  region: z.enum(AWS_REGIONS, `must be an AWS commercial region, one of: ${AWS_REGIONS.join(', ')}`),
  costCenter: z.string().min(1, 'must not be empty'),
  stateBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
  logRetentionDays: z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be a CloudWatch retention value, one of: ${LOG_RETENTION_DAYS.join(', ')}`,
  }),
  noncurrentVersionExpirationDays: positiveDays,
  rawTransitionDays: positiveDays.min(30, 'must be at least 30 days (S3 Standard-IA minimum)'),
  athena: z.strictObject({
    bytesScannedCutoffPerQuery: z
      .number()
      .int('must be a whole number of bytes')
      .min(MIN_ATHENA_BYTES_SCANNED_CUTOFF, 'must be at least 10000000 (10 MB, the Athena minimum)'),
    resultExpirationDays: positiveDays,
  }),
  errorTopic: z.strictObject({
    subscribers: z.array(subscriberSchema, 'must be a list of { protocol, endpoint }'),
  }),
  keyAccess: keyAccessSchema,
  /** the replaced cluster, for `lakepipe cost`; without it the cost report has no baseline */
  costBaseline: costBaselineSchema.optional(),
});

type EnvConfigFile = z.infer<typeof envConfigFileSchema>;

/** One environment's validated config (infra/config/<env>.yaml). */
export interface EnvConfig extends EnvConfigFile {
  /** true for environments holding real data (prod): deletion protection and prevent_destroy */
  readonly deletionProtection: boolean;
  /** the file it was read from, for messages */
  readonly sourceFile: string;
}

export interface LoadEnvConfigOptions {
  /**
   * The folder holding `<env>.yaml`.
   * @default the repository's infra/config
   */
  readonly configDir?: string;
}

export const defaultConfigDir = path.join(workspaceRoot, 'infra', 'config');

/** The environments that have a config file (`dev`, `prod`, ...), sorted. */
export function listEnvironments(options: LoadEnvConfigOptions = {}): readonly string[] {
  const dir = options.configDir ?? defaultConfigDir;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** Reads and validates `infra/config/<env>.yaml`; every problem is reported at once as an EnvConfigError. */
export function loadEnvConfig(env: string, options: LoadEnvConfigOptions = {}): EnvConfig {
  const file = path.join(options.configDir ?? defaultConfigDir, `${env}.yaml`);
  const shown = displayPath(file);
  if (!existsSync(file)) {
    const known = existsSync(path.dirname(file)) ? listEnvironments(options) : [];
    throw new EnvConfigError(shown, [
      { field: '', message: `no such environment "${env}" (known: ${known.join(', ') || 'none'})` },
    ]);
  }
  return parseEnvConfig(readFileSync(file, 'utf8'), { file: shown, expectedName: env });
}

/** Validates the text of an env config file; `file` is only used in messages. */
export function parseEnvConfig(
  text: string,
  source: { readonly file: string; readonly expectedName?: string },
): EnvConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  if (document.errors.length > 0) {
    throw new EnvConfigError(
      source.file,
      document.errors.map((error) => ({ field: '', line: lineOf(error.pos[0]), message: error.message })),
    );
  }
  const raw: unknown = document.toJS();
  const parsed = envConfigFileSchema.safeParse(raw);
  const problems: EnvConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(describeIssue(issue, raw, document, lineOf));
    }
  } else if (source.expectedName !== undefined && parsed.data.name !== source.expectedName) {
    const node = document.getIn(['name'], true);
    problems.push({
      field: 'name',
      line: lineOf(isNode(node) ? node.range?.[0] : undefined),
      message: `must match the file name "${source.expectedName}" (got ${JSON.stringify(parsed.data.name)})`,
    });
  }
  if (parsed.success) problems.push(...keyAccessProblems(parsed.data, document, lineOf));
  if (problems.length > 0 || !parsed.success) throw new EnvConfigError(source.file, problems);
  return {
    ...parsed.data,
    deletionProtection: PROTECTED_ENVIRONMENTS.has(parsed.data.name),
    sourceFile: source.file,
  };
}

/**
 * The key's roles must live in the environment's account, and administration, break-glass and
 * reading are different roles: a reader never administers, the administrator never reads data.
 */
function keyAccessProblems(
  config: EnvConfigFile,
  document: ReturnType<typeof parseDocument>,
  lineOf: (offset: number | undefined) => number | undefined,
): EnvConfigProblem[] {
  const problems: EnvConfigProblem[] = [];
  const { administratorRoleArn, breakGlassRoleArn, readerRoleArns } = config.keyAccess;
  const at = (fieldPath: readonly (string | number)[]) => {
    const node = document.getIn(fieldPath, true);
    return lineOf(isNode(node) ? node.range?.[0] : undefined);
  };
  const fields: [readonly (string | number)[], string][] = [
    [['keyAccess', 'administratorRoleArn'], administratorRoleArn],
    [['keyAccess', 'breakGlassRoleArn'], breakGlassRoleArn],
    ...readerRoleArns.map((arn, i): [readonly (string | number)[], string] => [
      ['keyAccess', 'readerRoleArns', i],
      arn,
    ]),
  ];
  for (const [fieldPath, arn] of fields) {
    if (arn.split(':')[4] !== config.accountId)
      problems.push({
        field: formatPath(fieldPath),
        line: at(fieldPath),
        message: `must be a role in the environment's account ${config.accountId} (got ${JSON.stringify(arn)})`,
      });
  }
  if (breakGlassRoleArn === administratorRoleArn)
    problems.push({
      field: 'keyAccess.breakGlassRoleArn',
      line: at(['keyAccess', 'breakGlassRoleArn']),
      message: `must differ from keyAccess.administratorRoleArn (got ${JSON.stringify(breakGlassRoleArn)})`,
    });
  readerRoleArns.forEach((arn, i) => {
    if (arn === administratorRoleArn || arn === breakGlassRoleArn)
      problems.push({
        field: `keyAccess.readerRoleArns[${i}]`,
        line: at(['keyAccess', 'readerRoleArns', i]),
        message: `must not be the administrator or break-glass role (got ${JSON.stringify(arn)})`,
      });
  });
  return problems;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  document: ReturnType<typeof parseDocument>,
  lineOf: (offset: number | undefined) => number | undefined,
): EnvConfigProblem {
  const fieldPath = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const node = document.getIn(fieldPath, true);
    const keyLine = findKeyLine(document, fieldPath, issue.keys[0]!, lineOf);
    return {
      field: formatPath(fieldPath),
      line: keyLine ?? lineOf(isNode(node) ? node.range?.[0] : undefined),
      message: `${fieldPath.length ? 'has' : 'the file has'} unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`,
    };
  }
  const value = valueAt(raw, fieldPath);
  // point at the value when present, else at the closest parent that exists
  let line: number | undefined;
  for (let depth = fieldPath.length; depth >= 0 && line === undefined; depth--) {
    const node = document.getIn(fieldPath.slice(0, depth), true);
    if (isNode(node)) line = lineOf(node.range?.[0]);
  }
  const field = formatPath(fieldPath);
  if (value === undefined) {
    const hint = FIELD_HINTS[field.replace(/\[\d+\]/g, '[]')];
    return { field, line, message: `is required${hint ? ` (${hint})` : ''}` };
  }
  const message = issue.code === 'invalid_type' ? `must be a ${issue.expected}` : issue.message;
  return { field: field || '(file)', line, message: `${message} (got ${JSON.stringify(value)})` };
}

/** What a missing field should hold, for the "is required" message. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  name: 'the environment name, e.g. dev',
  accountId: 'the 12-digit AWS account id, quoted',
  region: 'an AWS region, e.g. eu-west-1',
  costCenter: 'the cost-center tag value',
  stateBucket: 'the Terraform state bucket created by infra/bootstrap',
  logRetentionDays: 'CloudWatch log retention in days',
  noncurrentVersionExpirationDays: 'days before noncurrent lake object versions expire',
  rawTransitionDays: 'days before raw/ objects move to Standard-IA',
  athena: 'bytesScannedCutoffPerQuery and resultExpirationDays',
  'athena.bytesScannedCutoffPerQuery': 'the per-query bytes-scanned cutoff, at least 10000000',
  'athena.resultExpirationDays': 'days before Athena results expire',
  errorTopic: 'subscribers: a list of { protocol, endpoint }',
  'errorTopic.subscribers': 'a list of { protocol, endpoint }, may be empty',
  'errorTopic.subscribers[].protocol': 'email, https or sqs',
  'errorTopic.subscribers[].endpoint': 'an email address, https:// URL or SQS queue ARN',
  keyAccess: 'administratorRoleArn, breakGlassRoleArn and readerRoleArns of the KMS key policy',
  'keyAccess.administratorRoleArn': 'the deployer role that administers the KMS key (never reads data)',
  'keyAccess.breakGlassRoleArn': 'the role that may restore the key policy (see docs/security.md)',
  'keyAccess.readerRoleArns': 'roles besides lakepipe that may decrypt lake data, may be empty',
  'costBaseline.master': 'instanceType and count of the master node(s)',
  'costBaseline.core': 'instanceType and count of the core nodes',
  'costBaseline.master.instanceType': 'an EC2 instance type, e.g. m5.xlarge',
  'costBaseline.core.instanceType': 'an EC2 instance type, e.g. r5.2xlarge',
  'costBaseline.hoursPerDay': 'hours a day the cluster runs, 24 when always on',
  'costBaseline.ebsGbPerInstance': 'GB of EBS gp3 (HDFS) on every node',
};

function findKeyLine(
  document: ReturnType<typeof parseDocument>,
  parentPath: readonly (string | number)[],
  key: string,
  lineOf: (offset: number | undefined) => number | undefined,
): number | undefined {
  const parent = parentPath.length ? document.getIn(parentPath, true) : document.contents;
  if (!parent || typeof parent !== 'object' || !('items' in parent) || !Array.isArray(parent.items))
    return undefined;
  for (const item of parent.items as { key?: unknown }[]) {
    if (isNode(item.key) && (item.key as { value?: unknown }).value === key)
      return lineOf(item.key.range?.[0]);
  }
  return undefined;
}

function valueAt(root: unknown, fieldPath: readonly (string | number)[]): unknown {
  let current = root;
  for (const key of fieldPath) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function formatPath(fieldPath: readonly (string | number)[]): string {
  return fieldPath.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key),
    '',
  );
}
