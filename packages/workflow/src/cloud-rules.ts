/**
 * What only AWS would reject: checks over a compiled state machine that neither asl-validator nor
 * the local interpreter make, each taken from the AWS documentation page it cites. Run by
 * `npm test` over the shipped pipeline and every example (cloud-rules.test.ts) and by `lakepipe compile`.
 */
import type { AslDefinition, AslState } from './compile';

/** One broken rule, at one state (and field). */
export interface CloudRuleViolation {
  readonly rule: CloudRuleId;
  /** the state's name, prefixed by its enclosing Parallel/Map states (`outer > inner`) */
  readonly state: string;
  /** what is wrong, naming the field and value */
  readonly message: string;
  /** the AWS page the rule comes from */
  readonly source: string;
}

export type CloudRuleId =
  | 'intrinsics-per-field'
  | 'sns-subject-length'
  | 'timeout-above-service-timeout'
  | 'lambda-transient-retry'
  | 'emittable-error-names'
  | 'transform-volume-kms-local-storage';

/** A Task state's own service timeout, as the compiler knows it (the state's clock must outlast it). */
export interface ServiceTimeout {
  /** the service's own limit, e.g. the Lambda function's or the Glue job's timeout */
  readonly seconds: number;
  /** what the limit is, for the message: "Lambda function timeout" */
  readonly what: string;
}

export interface CloudRuleOptions {
  /**
   * Service timeouts by state name (as in the definition, without enclosing states).
   * @default none: the timeout rule checks nothing
   */
  readonly serviceTimeouts?: Readonly<Record<string, ServiceTimeout>>;
}

export const CLOUD_RULE_SOURCES: Readonly<Record<CloudRuleId, string>> = {
  'intrinsics-per-field':
    'https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html (up to 10 intrinsic functions within a field)',
  'sns-subject-length':
    'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject: under 100 characters)',
  'timeout-above-service-timeout':
    'https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html and state TimeoutSeconds in https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (the state clock also counts scheduling and start-up)',
  'lambda-transient-retry':
    'https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html (retry Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException)',
  'emittable-error-names':
    'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html and https://docs.aws.amazon.com/step-functions/latest/dg/connect-glue.html, connect-sagemaker.html (service integrations report States.TaskFailed or <Service>.<Exception>)',
  'transform-volume-kms-local-storage':
    'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TransformResources.html (no VolumeKmsKeyId with an instance type that has local storage)',
};

/** AWS: "You can use up to 10 intrinsic functions within a field." */
export const MAX_INTRINSICS_PER_FIELD = 10;
/** SNS Publish: the Subject must be under 100 characters. */
export const MAX_SNS_SUBJECT = 99;
/** The seconds a state's timeout must exceed its service's own timeout by (scheduling, start-up, polling). */
export const SERVICE_TIMEOUT_MARGIN_SECONDS = 60;
/** The errors AWS recommends retrying on every Lambda task. */
export const LAMBDA_TRANSIENT_ERRORS: readonly string[] = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
/**
 * SageMaker ML instance families with local NVMe storage (the `d` variants, GPU families with
 * instance store): TransformResources.VolumeKmsKeyId is refused with them.
 */
export const LOCAL_STORAGE_INSTANCE =
  /^ml\.(?:[a-z]+\d+[a-z]*d[a-z]*|g4dn|g5|g6|g6e|p3dn|p4d|p4de|p5|p5e|p5en|inf2|trn1|trn1n)\./;

/** Error names Step Functions itself reports (States.ALL matches everything). */
const STATES_ERRORS = new Set([
  'States.ALL',
  'States.HeartbeatTimeout',
  'States.Timeout',
  'States.TaskFailed',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.ParameterPathFailure',
  'States.BranchFailed',
  'States.NoChoiceMatched',
  'States.IntrinsicFailure',
  'States.ExceedToleratedFailureThreshold',
  'States.ItemReaderFailed',
  'States.ResultWriterFailed',
  'States.QueryEvaluationError',
  'States.Runtime',
]);

/** What a service integration can raise, by its Resource ARN: `open` means any name (a Lambda function's own error types). */
function integrationErrors(resource: string): {
  readonly prefixes: readonly string[];
  readonly open: boolean;
} {
  if (/^arn:aws:states:::lambda:invoke/.test(resource) || /^arn:aws:lambda:/.test(resource))
    return { prefixes: ['Lambda.'], open: true };
  const service = /^arn:aws:states:::(?:aws-sdk:)?([a-z0-9]+)[:.]/.exec(resource)?.[1];
  const prefix: Record<string, string> = {
    glue: 'Glue.',
    sagemaker: 'SageMaker.',
    dynamodb: 'DynamoDB.',
    sns: 'SNS.',
    s3: 'S3.',
    sqs: 'SQS.',
    athena: 'Athena.',
    states: 'StepFunctions.',
  };
  return { prefixes: service && prefix[service] ? [prefix[service]!] : [], open: false };
}

const INTRINSIC_CALL = /States\.[A-Za-z]+\(/g;

/** Checks a compiled definition against every rule; an empty list means AWS would accept what these rules cover. */
export function checkCloudRules(
  definition: AslDefinition,
  options: CloudRuleOptions = {},
): CloudRuleViolation[] {
  const violations: CloudRuleViolation[] = [];
  const report = (rule: CloudRuleId, state: string, message: string) =>
    violations.push({ rule, state, message, source: CLOUD_RULE_SOURCES[rule] });
  const literalSubjects = collectLiteralFields(definition.States);
  walkStates(definition.States, '', (name, qualified, state, states) => {
    checkIntrinsics(state, qualified, report);
    if (state.Type === 'Task') checkTask(name, qualified, state, options, literalSubjects, report);
    for (const rules of [state.Retry, state.Catch] as unknown[]) {
      if (!Array.isArray(rules)) continue;
      const emittable = emittableErrors(state, states);
      for (const rule of rules as { ErrorEquals?: string[] }[])
        for (const error of rule.ErrorEquals ?? []) {
          if (emittable.names.has(error) || emittable.open) continue;
          if (STATES_ERRORS.has(error) || emittable.prefixes.some((p) => error.startsWith(p))) continue;
          report(
            'emittable-error-names',
            qualified,
            `${state.Type} state ${JSON.stringify(name)} retries or catches ${JSON.stringify(error)}, which AWS never reports for it (it can raise: ${describeEmittable(emittable)})`,
          );
        }
    }
  });
  return violations;
}

/** Formats violations one per line, each with its source page. */
export function formatCloudRuleViolations(violations: readonly CloudRuleViolation[]): string {
  return violations.map((v) => `${v.state}: [${v.rule}] ${v.message}\n    see ${v.source}`).join('\n');
}

function describeEmittable(emittable: Emittable): string {
  const prefixes = [...new Set(emittable.prefixes)].sort().map((p) => `${p}*`);
  return ['States.*', ...prefixes, ...[...emittable.names].sort()].join(', ');
}

type Report = (rule: CloudRuleId, state: string, message: string) => void;

function walkStates(
  states: Readonly<Record<string, AslState>>,
  prefix: string,
  visit: (
    name: string,
    qualified: string,
    state: AslState,
    scope: Readonly<Record<string, AslState>>,
  ) => void,
): void {
  for (const [name, state] of Object.entries(states)) {
    const qualified = `${prefix}${name}`;
    visit(name, qualified, state, states);
    for (const branch of childMachines(state)) walkStates(branch.States, `${qualified} > `, visit);
  }
}

function childMachines(state: AslState): { States: Record<string, AslState> }[] {
  const branches = (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? [];
  const iterator = (state.ItemProcessor ?? state.Iterator) as
    | { States: Record<string, AslState> }
    | undefined;
  return iterator ? [...branches, iterator] : branches;
}

function checkIntrinsics(state: AslState, qualified: string, report: Report): void {
  const visit = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${path}[${i}]`);
    } else if (value && typeof value === 'object')
      for (const [key, v] of Object.entries(value)) {
        const field = path ? `${path}.${key}` : key;
        if (key.endsWith('.$') && typeof v === 'string') {
          const calls = v.match(INTRINSIC_CALL)?.length ?? 0;
          if (calls > MAX_INTRINSICS_PER_FIELD)
            report(
              'intrinsics-per-field',
              qualified,
              `${field} uses ${calls} intrinsic function calls; AWS allows at most ${MAX_INTRINSICS_PER_FIELD} in one field (split it over several fields or states)`,
            );
        } else visit(v, field);
      }
  };
  for (const field of ['Parameters', 'ResultSelector', 'Arguments', 'Output'] as const)
    if (state[field] !== undefined) visit(state[field], field);
}

function checkTask(
  name: string,
  qualified: string,
  state: AslState,
  options: CloudRuleOptions,
  literalFields: ReadonlyMap<string, readonly (string | null)[]>,
  report: Report,
): void {
  const resource = String(state.Resource ?? '');
  const parameters = (state.Parameters ?? {}) as Record<string, unknown>;

  if (resource.startsWith('arn:aws:states:::sns:publish')) {
    if (typeof parameters.Subject === 'string' && parameters.Subject.length > MAX_SNS_SUBJECT)
      report(
        'sns-subject-length',
        qualified,
        `Subject is ${parameters.Subject.length} characters; SNS requires fewer than 100`,
      );
    const dynamic = parameters['Subject.$'];
    if (typeof dynamic === 'string') {
      const field = /^\$\.([A-Za-z0-9_]+)$/.exec(dynamic)?.[1];
      const producers = field ? literalFields.get(field) : undefined;
      if (!producers || producers.length === 0 || producers.includes(null))
        report(
          'sns-subject-length',
          qualified,
          `Subject.$ is ${JSON.stringify(dynamic)}, whose length is unbounded; SNS requires fewer than 100 characters: take it from a field every producer sets to a literal of at most ${MAX_SNS_SUBJECT}`,
        );
      else
        for (const subject of producers.filter((s): s is string => s !== null && s.length > MAX_SNS_SUBJECT))
          report(
            'sns-subject-length',
            qualified,
            `Subject.$ ${dynamic} can be ${JSON.stringify(subject)} (${subject.length} characters); SNS requires fewer than 100`,
          );
    }
  }

  if (/^arn:aws:states:::lambda:invoke/.test(resource)) {
    const retried = new Set(
      ((state.Retry as { ErrorEquals?: string[]; MaxAttempts?: number }[] | undefined) ?? [])
        .filter((r) => (r.MaxAttempts ?? 3) > 0)
        .flatMap((r) => r.ErrorEquals ?? []),
    );
    const missing = LAMBDA_TRANSIENT_ERRORS.filter((e) => !retried.has(e));
    if (missing.length > 0)
      report(
        'lambda-transient-retry',
        qualified,
        `Lambda task has no Retry for ${missing.join(', ')} (AWS's recommended transient-error retry, apart from the stage's own retry)`,
      );
  }

  if (/^arn:aws:states:::sagemaker:createTransformJob/.test(resource)) {
    const resources = (parameters.TransformResources ?? {}) as Record<string, unknown>;
    const instanceType = resources.InstanceType;
    const hasKey = resources.VolumeKmsKeyId !== undefined || resources['VolumeKmsKeyId.$'] !== undefined;
    if (typeof instanceType === 'string' && LOCAL_STORAGE_INSTANCE.test(instanceType) && hasKey)
      report(
        'transform-volume-kms-local-storage',
        qualified,
        `TransformResources.VolumeKmsKeyId is set with ${instanceType}, an instance type with local storage; SageMaker refuses the job (local volumes are encrypted by the instance)`,
      );
  }

  const service = options.serviceTimeouts?.[name];
  if (service) {
    const timeout = state.TimeoutSeconds;
    if (typeof timeout !== 'number')
      report(
        'timeout-above-service-timeout',
        qualified,
        `has no TimeoutSeconds; it needs more than the ${service.what} (${service.seconds} s) plus ${SERVICE_TIMEOUT_MARGIN_SECONDS} s`,
      );
    else if (timeout < service.seconds + SERVICE_TIMEOUT_MARGIN_SECONDS)
      report(
        'timeout-above-service-timeout',
        qualified,
        `TimeoutSeconds ${timeout} does not exceed the ${service.what} (${service.seconds} s) by ${SERVICE_TIMEOUT_MARGIN_SECONDS} s: the state would time out with States.Timeout before the service reports its own error`,
      );
  }
}

/**
 * The values Pass states give each key (at any depth), for bounding a `$.x` path: a string for a
 * literal, null for a computed value (unbounded); a plain copy of another field keeps its producers.
 */
function collectLiteralFields(states: Readonly<Record<string, AslState>>): Map<string, (string | null)[]> {
  const fields = new Map<string, (string | null)[]>();
  const add = (key: string, values: readonly (string | null)[]) =>
    fields.set(key, [...(fields.get(key) ?? []), ...values]);
  walkStates(states, '', (_name, _qualified, state) => {
    if (state.Type !== 'Pass' || !state.Parameters) return;
    const visit = (value: unknown) => {
      if (!value || typeof value !== 'object') return;
      for (const [key, v] of Object.entries(value)) {
        if (typeof v === 'string' && !key.endsWith('.$')) add(key, [v]);
        else if (key.endsWith('.$')) {
          const copied = /^\$\.([A-Za-z0-9_]+)$/.exec(String(v))?.[1];
          add(key.slice(0, -2), copied ? (fields.get(copied) ?? [null]) : [null]);
        } else visit(v);
      }
    };
    visit(state.Parameters);
  });
  return fields;
}

interface Emittable {
  readonly names: Set<string>;
  readonly prefixes: string[];
  /** any error name can come out (a Lambda function's own errors) */
  open: boolean;
}

/** The error names that can leave a state: its integration's, or for a Parallel/Map, what its branches raise. */
function emittableErrors(state: AslState, _scope: Readonly<Record<string, AslState>>): Emittable {
  const result: Emittable = { names: new Set(), prefixes: [], open: false };
  if (state.Type === 'Task') {
    const errors = integrationErrors(String(state.Resource ?? ''));
    result.prefixes.push(...errors.prefixes);
    result.open = errors.open;
    return result;
  }
  for (const machine of childMachines(state)) {
    const inner = machineErrors(machine.States);
    for (const name of inner.names) result.names.add(name);
    result.prefixes.push(...inner.prefixes);
    result.open ||= inner.open;
  }
  return result;
}

/** What a (sub)state machine can fail with: static Fail errors, and what re-thrown catches carry. */
function machineErrors(states: Readonly<Record<string, AslState>>): Emittable {
  const result: Emittable = { names: new Set(), prefixes: [], open: false };
  // a Fail with ErrorPath re-raises a caught error, or a name a Pass state set (`Error: "RejectRatioExceededError"`)
  if (Object.values(states).some((s) => s.Type === 'Fail' && s.ErrorPath !== undefined))
    for (const value of collectLiteralFields(states).get('Error') ?? []) if (value) result.names.add(value);
  for (const state of Object.values(states)) {
    if (state.Type === 'Fail') {
      if (typeof state.Error === 'string') result.names.add(state.Error);
      // ErrorPath re-raises what some Catch caught: whatever the machine's tasks and branches can raise
      continue;
    }
    const inner = emittableErrors(state, states);
    for (const name of inner.names) result.names.add(name);
    result.prefixes.push(...inner.prefixes);
    result.open ||= inner.open;
  }
  return result;
}
