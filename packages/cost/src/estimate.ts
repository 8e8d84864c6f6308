import { CostInputError } from './errors';
import {
  athenaQueries,
  BYTES_PER_GB,
  clusterInstances,
  dynamodbRequests,
  dynamodbStorage,
  ebsGp3,
  glueJobRun,
  kmsUse,
  type LineItem,
  lambdaInvocations,
  logsUse,
  requireAmount,
  s3Requests,
  s3Storage,
  sagemakerTransform,
  snsUse,
  stateTransitions,
} from './formulas';
import { type PriceBook, regionPrices } from './price-book';

/** Where a stage runs in the cloud, and on what. */
export type StageCompute =
  | { readonly kind: 'glue'; readonly workerType: string; readonly workers: number }
  | { readonly kind: 'sagemaker'; readonly instanceType: string; readonly count: number }
  | { readonly kind: 'lambda'; readonly memoryMb: number }
  /** a Step Functions task that publishes to the topic (notify) */
  | { readonly kind: 'sns' };

/** One stage of one run as it would be billed in the cloud. */
export interface StageWorkload {
  readonly stageId: string;
  /** the stage type of pipeline.yaml, e.g. spark-etl */
  readonly type: string;
  readonly compute: StageCompute;
  /** cloud seconds of each attempt, retries included (one entry per attempt) */
  readonly attemptSeconds: readonly number[];
  /** how attemptSeconds were obtained, for --explain */
  readonly secondsFrom: string;
  /** objects the stage wrote to the lake, and their bytes */
  readonly objectsWritten: number;
  readonly bytesWritten: number;
  /** of bytesWritten, the part under raw/ (moves to Standard-IA after rawTransitionDays) */
  readonly rawBytesWritten: number;
  /** objects the stage read from the lake */
  readonly objectsRead: number;
  /** rows the stage processed, when it counts them (for the report; not priced) */
  readonly rows?: number;
  /** bytes scanned by each Athena SQL query of the stage, when recorded (DDL is free and not listed) */
  readonly athenaBytesScanned?: readonly number[];
}

/** One run of the pipeline, as the cloud would bill it. */
export interface RunWorkload {
  /** the ledger's run id, when the workload comes from a recorded run */
  readonly runId?: string;
  readonly from: 'ledger' | 'pipeline';
  readonly stages: readonly StageWorkload[];
  /** Step Functions state transitions of the run */
  readonly stateTransitions: number;
  /** DynamoDB ledger writes and reads (request units) and the bytes of items the run adds */
  readonly ledgerWriteUnits: number;
  readonly ledgerReadUnits: number;
  readonly ledgerBytes: number;
  /** CloudWatch Logs bytes the run writes (Lambda, Glue, SageMaker, Step Functions) */
  readonly logBytes: number;
  /** KMS requests of the run (the lake bucket uses S3 Bucket Keys, so few) */
  readonly kmsRequests: number;
  /** publishes to the error topic (notify stages, failures) */
  readonly snsPublishes: number;
  /** assumptions made, in words, for --explain and the report */
  readonly notes: readonly string[];
}

/** The cluster being replaced, as declared in the env config (`costBaseline`). */
export interface Baseline {
  readonly description?: string;
  readonly master: { readonly instanceType: string; readonly count: number };
  readonly core: { readonly instanceType: string; readonly count: number };
  readonly hoursPerDay: number;
  /** EBS gp3 attached to every node (HDFS and OS disks), GB */
  readonly ebsGbPerInstance: number;
  /** @default true — EMR on EC2: the EMR uplift is paid on every instance */
  readonly emr?: boolean;
}

/** What of an environment changes the bill: region, retention, lifecycle, subscribers, baseline. */
export interface EnvironmentProfile {
  readonly name: string;
  readonly region: string;
  readonly logRetentionDays: number;
  readonly rawTransitionDays: number;
  readonly subscribers: { readonly email: number; readonly https: number; readonly sqs: number };
  /** customer managed KMS keys of the environment (shared-infra: one) */
  readonly kmsKeys: number;
  /** the ledger table has point-in-time recovery on */
  readonly ledgerPitr: boolean;
  readonly baseline?: Baseline;
}

export interface Totals {
  readonly total: number;
  readonly byService: Readonly<Record<string, number>>;
  readonly byCategory: Readonly<Record<string, number>>;
  readonly byScope: Readonly<Record<string, number>>;
}

export function totalsOf(items: readonly LineItem[]): Totals {
  const sum = (key: (i: LineItem) => string) => {
    const out: Record<string, number> = {};
    for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + i.usd;
    return out;
  };
  return {
    total: items.reduce((acc, i) => acc + i.usd, 0),
    byService: sum((i) => i.service),
    byCategory: sum((i) => i.category),
    byScope: sum((i) => i.scope),
  };
}

/**
 * The cost of one run: every stage's compute, requests and a month of storage of what it wrote; the
 * orchestration, the ledger, logs and keys.
 */
export function priceRun(
  workload: RunWorkload,
  env: EnvironmentProfile,
  book: PriceBook,
): { readonly items: readonly LineItem[] } & Totals {
  const region = env.region;
  regionPrices(book, region); // an unknown region fails first, naming the priced ones
  validateWorkload(workload);
  const items: LineItem[] = [];
  for (const stage of workload.stages) {
    const scope = stage.stageId;
    stage.attemptSeconds.forEach((seconds, i) => {
      const label = stage.attemptSeconds.length > 1 ? ` (attempt ${i + 1})` : '';
      const compute = stage.compute;
      if (compute.kind === 'glue') {
        const line = glueJobRun(book, region, { scope, ...compute, seconds });
        items.push({ ...line, what: line.what + label });
      } else if (compute.kind === 'sagemaker') {
        const line = sagemakerTransform(book, region, { scope, ...compute, seconds });
        items.push({ ...line, what: line.what + label });
      } else if (compute.kind === 'lambda') {
        for (const line of lambdaInvocations(book, region, {
          scope,
          memoryMb: compute.memoryMb,
          durationMs: seconds * 1000,
          invocations: 1,
        }))
          items.push({ ...line, what: line.what + label });
      }
    });
    if (stage.objectsWritten > 0 || stage.objectsRead > 0)
      items.push(...s3Requests(book, region, { scope, puts: stage.objectsWritten, gets: stage.objectsRead }));
    if (stage.athenaBytesScanned && stage.athenaBytesScanned.length > 0)
      items.push(athenaQueries(book, region, { scope, bytesScanned: stage.athenaBytesScanned }));
    // what keeping this run's output costs for a month; the monthly view accumulates it instead
    if (stage.bytesWritten > 0)
      items.push(
        s3Storage(book, region, {
          scope,
          storageClass: 'STANDARD',
          gbMonths: stage.bytesWritten / BYTES_PER_GB,
          what: `a month of the ${stage.bytesWritten} bytes it wrote`,
        }),
      );
  }
  items.push(
    stateTransitions(book, region, { scope: 'pipeline', transitions: workload.stateTransitions }),
    ...dynamodbRequests(book, region, {
      scope: 'ledger',
      writeUnits: workload.ledgerWriteUnits,
      readUnits: workload.ledgerReadUnits,
      what: 'run, stage attempts, object movements',
    }),
    ...logsUse(book, region, {
      scope: 'logs',
      ingestedGb: workload.logBytes / BYTES_PER_GB,
      what: `${workload.logBytes} bytes of logs`,
    }),
    ...kmsUse(book, region, { scope: 'keys', requests: workload.kmsRequests }),
  );
  if (workload.snsPublishes > 0)
    items.push(
      ...snsUse(book, region, {
        scope: 'notify',
        publishes: workload.snsPublishes,
        subscribers: env.subscribers,
      }),
    );
  const kept = items.filter((i) => i.quantity > 0);
  return { items: kept, ...totalsOf(kept) };
}

/** Average of min(t, cap) over t in [0, horizon]: what accumulates at a constant rate and expires after `cap`. */
export function averageRetained(horizon: number, cap: number): number {
  if (horizon <= 0) return 0;
  if (horizon <= cap) return horizon / 2;
  return (cap * cap) / 2 / horizon + cap * ((horizon - cap) / horizon);
}

/** Average of max(0, t - after) over t in [0, horizon]: what has moved on to a colder class. */
export function averageAfter(horizon: number, after: number): number {
  if (horizon <= after) return 0;
  return (horizon - after) ** 2 / (2 * horizon);
}

export interface MonthOptions {
  readonly runsPerDay: number;
  /** the horizon: storage grows with every run, so a month is the average month of the first `months` */
  readonly months: number;
}

export interface MonthlyCost extends Totals {
  readonly items: readonly LineItem[];
  /** what the runs cost in the average month */
  readonly runs: number;
  /** what is paid with no run at all, and what accumulates from the runs (storage) */
  readonly alwaysOn: number;
  readonly runsPerMonth: number;
}

/**
 * The average month of the first `months`: the runs (each priced by priceRun), the lake, ledger and
 * logs they accumulate (by storage class, expiry and transition), and the keys. Linear in runsPerDay.
 */
export function priceMonth(
  workload: RunWorkload,
  env: EnvironmentProfile,
  book: PriceBook,
  options: MonthOptions,
): MonthlyCost {
  const runsPerDay = requireAmount('--runs-per-day', options.runsPerDay);
  const months = requireAmount('--months', options.months, true);
  const region = env.region;
  const daysPerMonth = book.rules.hoursPerMonth / 24;
  const runsPerMonth = runsPerDay * daysPerMonth;
  const horizonDays = months * daysPerMonth;
  const perRun = priceRun(workload, env, book);
  // a run's own month of storage is left out here: the lake's storage is accumulated below
  const runItems: LineItem[] = perRun.items
    .filter((i) => i.category !== 'storage')
    .map((i) => ({
      ...i,
      what: `${i.what}; x ${round(runsPerMonth)} runs/month (${runsPerDay}/day x ${round(daysPerMonth)} days)`,
      quantity: i.quantity * runsPerMonth,
      usd: i.usd * runsPerMonth,
    }));

  const perDay = (bytes: number) => (bytes * runsPerDay) / BYTES_PER_GB; // GB added per day
  const rawBytes = sum(workload.stages.map((s) => s.rawBytesWritten));
  const otherBytes = sum(workload.stages.map((s) => s.bytesWritten)) - rawBytes;
  const horizon = `average over ${months} month${months === 1 ? '' : 's'} of ${runsPerDay} run(s)/day`;
  const alwaysOn: LineItem[] = [
    s3Storage(book, region, {
      scope: 'lake',
      storageClass: 'STANDARD',
      gbMonths: perDay(otherBytes) * averageRetained(horizonDays, horizonDays),
      what: `curated/rejected/features/scored/_manifests: ${otherBytes} bytes/run, ${horizon}`,
    }),
    s3Storage(book, region, {
      scope: 'lake',
      storageClass: 'STANDARD',
      gbMonths: perDay(rawBytes) * averageRetained(horizonDays, env.rawTransitionDays),
      what: `raw/ before ${env.rawTransitionDays} days: ${rawBytes} bytes/run, ${horizon}`,
    }),
    s3Storage(book, region, {
      scope: 'lake',
      storageClass: 'STANDARD_IA',
      gbMonths: perDay(rawBytes) * averageAfter(horizonDays, env.rawTransitionDays),
      what: `raw/ after ${env.rawTransitionDays} days: ${rawBytes} bytes/run, ${horizon}`,
    }),
    ...dynamodbStorage(book, region, {
      scope: 'ledger',
      gbMonths: perDay(workload.ledgerBytes) * averageRetained(horizonDays, horizonDays),
      pitr: env.ledgerPitr,
      what: `ledger items: ${workload.ledgerBytes} bytes/run, ${horizon}`,
    }),
    ...logsUse(book, region, {
      scope: 'logs',
      storedGbMonths: perDay(workload.logBytes) * averageRetained(horizonDays, env.logRetentionDays),
      what: `logs kept ${env.logRetentionDays} days: ${workload.logBytes} bytes/run, ${horizon}`,
    }),
    ...kmsUse(book, region, { scope: 'keys', keyMonths: env.kmsKeys }),
  ].filter((i) => i.quantity > 0);
  const items = [...runItems, ...alwaysOn];
  return {
    items,
    ...totalsOf(items),
    runs: sum(runItems.map((i) => i.usd)),
    alwaysOn: sum(alwaysOn.map((i) => i.usd)),
    runsPerMonth,
  };
}

/** The replaced cluster for a month: every node's EC2 hours, the EMR uplift, the EBS gp3 volumes. */
export function priceBaseline(
  baseline: Baseline,
  region: string,
  book: PriceBook,
): { readonly items: readonly LineItem[] } & Totals {
  const hoursPerDay = requireAmount('costBaseline.hoursPerDay', baseline.hoursPerDay);
  if (hoursPerDay > 24)
    throw new CostInputError([
      { field: 'costBaseline.hoursPerDay', message: `must be at most 24 (got ${hoursPerDay})` },
    ]);
  const daysPerMonth = book.rules.hoursPerMonth / 24;
  const hours = hoursPerDay * daysPerMonth;
  const emr = baseline.emr ?? true;
  const nodes =
    requireAmount('costBaseline.master.count', baseline.master.count) +
    requireAmount('costBaseline.core.count', baseline.core.count);
  const ebsGb = requireAmount('costBaseline.ebsGbPerInstance', baseline.ebsGbPerInstance);
  const items = [
    ...clusterInstances(book, region, {
      scope: 'costBaseline',
      role: 'master',
      ...baseline.master,
      hours,
      emr,
    }),
    ...clusterInstances(book, region, { scope: 'costBaseline', role: 'core', ...baseline.core, hours, emr }),
    // volumes are billed whether or not the instances run
    ebsGp3(book, region, {
      scope: 'costBaseline',
      gbMonths: nodes * ebsGb,
      what: `${nodes} nodes x ${ebsGb} GB gp3`,
    }),
  ].filter((i) => i.quantity > 0);
  return { items, ...totalsOf(items) };
}

export interface Comparison {
  readonly serverless: MonthlyCost;
  readonly baseline?: { readonly items: readonly LineItem[] } & Totals;
  /** serverless / baseline per month; absent without a baseline */
  readonly ratio?: number;
  /**
   * Runs per day at which the serverless month costs as much as the cluster's; absent without a
   * baseline, or when no number of runs reaches it (the always-on part alone costs more).
   */
  readonly breakEvenRunsPerDay?: number;
}

/** The month, the baseline beside it, their ratio and the break-even runs per day (the month is linear in runs). */
export function compare(
  workload: RunWorkload,
  env: EnvironmentProfile,
  book: PriceBook,
  options: MonthOptions,
): Comparison {
  const serverless = priceMonth(workload, env, book, options);
  if (!env.baseline) return { serverless };
  const baseline = priceBaseline(env.baseline, env.region, book);
  const idle = priceMonth(workload, env, book, { ...options, runsPerDay: 0 }).total;
  const oneADay = priceMonth(workload, env, book, { ...options, runsPerDay: 1 }).total;
  const perRunPerDay = oneADay - idle;
  const breakEven =
    perRunPerDay > 0 && baseline.total >= idle ? (baseline.total - idle) / perRunPerDay : undefined;
  return {
    serverless,
    baseline,
    ratio: baseline.total > 0 ? serverless.total / baseline.total : undefined,
    breakEvenRunsPerDay: breakEven,
  };
}

function validateWorkload(workload: RunWorkload): void {
  const problems: { field: string; message: string }[] = [];
  for (const stage of workload.stages) {
    if (stage.attemptSeconds.length === 0 && stage.compute.kind !== 'sns')
      problems.push({
        field: `${stage.stageId}: durations`,
        message: 'are missing (no attempt has a duration)',
      });
    stage.attemptSeconds.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 0)
        problems.push({
          field: `${stage.stageId}: attempt ${i + 1} seconds`,
          message: `must be a number of 0 or more (is ${JSON.stringify(s)})`,
        });
    });
    for (const key of ['objectsWritten', 'bytesWritten', 'rawBytesWritten', 'objectsRead'] as const) {
      const v = stage[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        problems.push({
          field: `${stage.stageId}: ${key}`,
          message: `must be a number of 0 or more (is ${JSON.stringify(v)})`,
        });
    }
  }
  if (problems.length > 0) throw new CostInputError(problems);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
