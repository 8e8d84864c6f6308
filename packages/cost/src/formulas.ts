import { CostInputError, UnpricedError } from './errors';
import { type PriceBook, type PriceEntry, type PriceRef, regionPrices, unitPrice } from './price-book';

/** What a line item pays for: running something, keeping bytes, or calling an API. */
export type CostCategory = 'compute' | 'storage' | 'requests';

/** One priced quantity: how much of which price-book entry, and what it comes to. */
export interface LineItem {
  /** the stage id, or `pipeline`, `lake`, `ledger`, `logs`, `keys`, `baseline` */
  readonly scope: string;
  /** the AWS service, e.g. `Glue`, `SageMaker`, `Lambda` */
  readonly service: string;
  readonly category: CostCategory;
  /** how the quantity was reached, in words and numbers */
  readonly what: string;
  /** in the entry's unit (e.g. DPU-hours, requests) */
  readonly quantity: number;
  readonly unit: string;
  readonly price: PriceRef;
  readonly usd: number;
}

export const BYTES_PER_GB = 1024 ** 3;
export const BYTES_PER_TB = 1024 ** 4;
const BYTES_PER_MB = 1024 ** 2;

/** Throws a CostInputError unless value is a finite number >= 0 (or > 0 with `positive`). */
export function requireAmount(field: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    const what = value === undefined ? 'is missing' : `is ${JSON.stringify(value)}`;
    throw new CostInputError([
      { field, message: `must be a number ${positive ? 'above 0' : 'of 0 or more'} (${what})` },
    ]);
  }
  return value;
}

function ref(region: string, pathInRegion: string, entry: PriceEntry): PriceRef {
  return { key: `${region}.${pathInRegion}`, entry };
}

function item(fields: Omit<LineItem, 'usd' | 'unit'>): LineItem {
  return { ...fields, unit: fields.price.entry.unit, usd: fields.quantity * unitPrice(fields.price) };
}

function pick(
  table: Readonly<Record<string, PriceEntry>>,
  kind: string,
  name: string,
  where: string,
): PriceEntry {
  const entry = table[name];
  if (!entry) throw new UnpricedError(kind, name, Object.keys(table), where);
  return entry;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6))));

/** A Glue Spark job run: DPUs x billed seconds (per second, with the minimum) / 3600, at the DPU-hour price. */
export function glueJobRun(
  book: PriceBook,
  region: string,
  run: {
    readonly scope: string;
    readonly workerType: string;
    readonly workers: number;
    readonly seconds: number;
  },
): LineItem {
  const prices = regionPrices(book, region);
  const seconds = requireAmount(`${run.scope}: Glue run seconds`, run.seconds);
  const workers = requireAmount(`${run.scope}: Glue workers`, run.workers, true);
  const dpuPerWorker = book.rules.glueWorkerDpus[run.workerType];
  if (dpuPerWorker === undefined)
    throw new UnpricedError(
      'Glue worker type',
      run.workerType,
      Object.keys(book.rules.glueWorkerDpus),
      run.scope,
    );
  const billed = Math.max(book.rules.glueMinimumSeconds, Math.ceil(seconds));
  const dpus = workers * dpuPerWorker;
  return item({
    scope: run.scope,
    service: 'Glue',
    category: 'compute',
    what: `${workers} x ${run.workerType} (${fmt(dpus)} DPU) x ${billed} s billed (${fmt(seconds)} s, per second, min ${book.rules.glueMinimumSeconds} s) / 3600`,
    quantity: (dpus * billed) / 3600,
    price: ref(region, 'glue.dpuHour', prices.glue.dpuHour),
  });
}

/** A SageMaker batch transform: instances x billed seconds (per second) / 3600, at the instance-hour price. */
export function sagemakerTransform(
  book: PriceBook,
  region: string,
  job: {
    readonly scope: string;
    readonly instanceType: string;
    readonly count: number;
    readonly seconds: number;
  },
): LineItem {
  const prices = regionPrices(book, region);
  const seconds = requireAmount(`${job.scope}: transform seconds`, job.seconds);
  const count = requireAmount(`${job.scope}: instance count`, job.count, true);
  const entry = pick(prices.sagemakerTransform, 'SageMaker instance type', job.instanceType, job.scope);
  const billed = Math.max(book.rules.sagemakerMinimumSeconds, Math.ceil(seconds));
  return item({
    scope: job.scope,
    service: 'SageMaker',
    category: 'compute',
    what: `${count} x ${job.instanceType} x ${billed} s billed (${fmt(seconds)} s, per second) / 3600`,
    quantity: (count * billed) / 3600,
    price: ref(region, `sagemakerTransform.${job.instanceType}`, entry),
  });
}

/** Lambda on arm64: GB-seconds (memory x duration rounded up per invocation) and requests. */
export function lambdaInvocations(
  book: PriceBook,
  region: string,
  calls: {
    readonly scope: string;
    readonly memoryMb: number;
    readonly durationMs: number;
    readonly invocations: number;
  },
): LineItem[] {
  const prices = regionPrices(book, region);
  const memoryMb = requireAmount(`${calls.scope}: Lambda memoryMb`, calls.memoryMb, true);
  const durationMs = requireAmount(`${calls.scope}: Lambda duration ms`, calls.durationMs);
  const invocations = requireAmount(`${calls.scope}: Lambda invocations`, calls.invocations);
  const step = book.rules.lambdaDurationGranularityMs;
  const billedMs = Math.ceil(durationMs / step) * step;
  return [
    item({
      scope: calls.scope,
      service: 'Lambda',
      category: 'compute',
      what: `${fmt(invocations)} x ${memoryMb} MB / 1024 x ${fmt(billedMs)} ms billed / 1000 (arm64)`,
      quantity: (invocations * (memoryMb / 1024) * billedMs) / 1000,
      price: ref(region, 'lambda.arm64GbSecond', prices.lambda.arm64GbSecond),
    }),
    item({
      scope: calls.scope,
      service: 'Lambda',
      category: 'requests',
      what: `${fmt(invocations)} invocations`,
      quantity: invocations,
      price: ref(region, 'lambda.requests', prices.lambda.requests),
    }),
  ];
}

/** Step Functions standard: state transitions. */
export function stateTransitions(
  book: PriceBook,
  region: string,
  use: { readonly scope: string; readonly transitions: number; readonly what?: string },
): LineItem {
  const prices = regionPrices(book, region);
  const transitions = requireAmount(`${use.scope}: state transitions`, use.transitions);
  return item({
    scope: use.scope,
    service: 'Step Functions',
    category: 'requests',
    what: use.what ?? `${fmt(transitions)} state transitions`,
    quantity: transitions,
    price: ref(region, 'stepFunctions.standardTransitions', prices.stepFunctions.standardTransitions),
  });
}

/** S3 requests: PUT-class (writes, lists) and GET-class (reads). */
export function s3Requests(
  book: PriceBook,
  region: string,
  use: { readonly scope: string; readonly puts: number; readonly gets: number },
): LineItem[] {
  const prices = regionPrices(book, region);
  const puts = requireAmount(`${use.scope}: S3 PUT requests`, use.puts);
  const gets = requireAmount(`${use.scope}: S3 GET requests`, use.gets);
  return [
    item({
      scope: use.scope,
      service: 'S3',
      category: 'requests',
      what: `${fmt(puts)} PUT/LIST requests`,
      quantity: puts,
      price: ref(region, 's3.putRequests', prices.s3.putRequests),
    }),
    item({
      scope: use.scope,
      service: 'S3',
      category: 'requests',
      what: `${fmt(gets)} GET requests`,
      quantity: gets,
      price: ref(region, 's3.getRequests', prices.s3.getRequests),
    }),
  ];
}

/** S3 storage in one class: average GB stored over the month. */
export function s3Storage(
  book: PriceBook,
  region: string,
  use: {
    readonly scope: string;
    readonly storageClass: string;
    readonly gbMonths: number;
    readonly what: string;
  },
): LineItem {
  const prices = regionPrices(book, region);
  const gbMonths = requireAmount(`${use.scope}: S3 GB-months`, use.gbMonths);
  const entry = pick(prices.s3.storage, 'S3 storage class', use.storageClass, use.scope);
  return item({
    scope: use.scope,
    service: 'S3',
    category: 'storage',
    what: use.what,
    quantity: gbMonths,
    price: ref(region, `s3.storage.${use.storageClass}`, entry),
  });
}

/** Athena SQL queries: bytes scanned per query, rounded up to the MB with the per-query minimum, per TB. */
export function athenaQueries(
  book: PriceBook,
  region: string,
  use: { readonly scope: string; readonly bytesScanned: readonly number[] },
): LineItem {
  const prices = regionPrices(book, region);
  const minimum = book.rules.athenaMinimumBytesPerQuery;
  let billedBytes = 0;
  use.bytesScanned.forEach((bytes, i) => {
    const scanned = requireAmount(`${use.scope}: Athena query ${i + 1} bytes scanned`, bytes);
    billedBytes += Math.max(minimum, Math.ceil(scanned / BYTES_PER_MB) * BYTES_PER_MB);
  });
  return item({
    scope: use.scope,
    service: 'Athena',
    category: 'compute',
    what: `${use.bytesScanned.length} queries, ${fmt(billedBytes)} bytes billed (each rounded up to the MB, min ${minimum / BYTES_PER_MB} MB) / 1024^4`,
    quantity: billedBytes / BYTES_PER_TB,
    price: ref(region, 'athena.scanned', prices.athena.scanned),
  });
}

/** DynamoDB on-demand request units. */
export function dynamodbRequests(
  book: PriceBook,
  region: string,
  use: {
    readonly scope: string;
    readonly writeUnits: number;
    readonly readUnits: number;
    readonly what?: string;
  },
): LineItem[] {
  const prices = regionPrices(book, region);
  const writes = requireAmount(`${use.scope}: DynamoDB write units`, use.writeUnits);
  const reads = requireAmount(`${use.scope}: DynamoDB read units`, use.readUnits);
  return [
    item({
      scope: use.scope,
      service: 'DynamoDB',
      category: 'requests',
      what: `${fmt(writes)} write request units${use.what ? ` (${use.what})` : ''}`,
      quantity: writes,
      price: ref(region, 'dynamodb.writeRequestUnits', prices.dynamodb.writeRequestUnits),
    }),
    item({
      scope: use.scope,
      service: 'DynamoDB',
      category: 'requests',
      what: `${fmt(reads)} read request units`,
      quantity: reads,
      price: ref(region, 'dynamodb.readRequestUnits', prices.dynamodb.readRequestUnits),
    }),
  ];
}

/** DynamoDB table storage and point-in-time recovery on the same bytes. */
export function dynamodbStorage(
  book: PriceBook,
  region: string,
  use: { readonly scope: string; readonly gbMonths: number; readonly pitr: boolean; readonly what: string },
): LineItem[] {
  const prices = regionPrices(book, region);
  const gbMonths = requireAmount(`${use.scope}: DynamoDB GB-months`, use.gbMonths);
  const storage = item({
    scope: use.scope,
    service: 'DynamoDB',
    category: 'storage',
    what: use.what,
    quantity: gbMonths,
    price: ref(region, 'dynamodb.storage', prices.dynamodb.storage),
  });
  if (!use.pitr) return [storage];
  return [
    storage,
    item({
      scope: use.scope,
      service: 'DynamoDB',
      category: 'storage',
      what: `point-in-time recovery of ${use.what}`,
      quantity: gbMonths,
      price: ref(region, 'dynamodb.pitr', prices.dynamodb.pitr),
    }),
  ];
}

/** KMS customer managed keys (per key-month) and requests. */
export function kmsUse(
  book: PriceBook,
  region: string,
  use: {
    readonly scope: string;
    readonly keyMonths?: number;
    readonly requests?: number;
    readonly what?: string;
  },
): LineItem[] {
  const prices = regionPrices(book, region);
  const items: LineItem[] = [];
  if (use.keyMonths !== undefined) {
    const keyMonths = requireAmount(`${use.scope}: KMS key-months`, use.keyMonths);
    items.push(
      item({
        scope: use.scope,
        service: 'KMS',
        category: 'storage',
        what: `${fmt(keyMonths)} key-months`,
        quantity: keyMonths,
        price: ref(region, 'kms.keyMonth', prices.kms.keyMonth),
      }),
    );
  }
  if (use.requests !== undefined) {
    const requests = requireAmount(`${use.scope}: KMS requests`, use.requests);
    items.push(
      item({
        scope: use.scope,
        service: 'KMS',
        category: 'requests',
        what: use.what ?? `${fmt(requests)} requests`,
        quantity: requests,
        price: ref(region, 'kms.requests', prices.kms.requests),
      }),
    );
  }
  return items;
}

/** CloudWatch Logs: GB ingested, and GB-months kept. */
export function logsUse(
  book: PriceBook,
  region: string,
  use: {
    readonly scope: string;
    readonly ingestedGb?: number;
    readonly storedGbMonths?: number;
    readonly what: string;
  },
): LineItem[] {
  const prices = regionPrices(book, region);
  const items: LineItem[] = [];
  if (use.ingestedGb !== undefined) {
    const gb = requireAmount(`${use.scope}: log GB ingested`, use.ingestedGb);
    items.push(
      item({
        scope: use.scope,
        service: 'CloudWatch Logs',
        category: 'requests',
        what: use.what,
        quantity: gb,
        price: ref(region, 'cloudwatchLogs.ingestion', prices.cloudwatchLogs.ingestion),
      }),
    );
  }
  if (use.storedGbMonths !== undefined) {
    const gbMonths = requireAmount(`${use.scope}: log GB-months`, use.storedGbMonths);
    items.push(
      item({
        scope: use.scope,
        service: 'CloudWatch Logs',
        category: 'storage',
        what: use.what,
        quantity: gbMonths,
        price: ref(region, 'cloudwatchLogs.storage', prices.cloudwatchLogs.storage),
      }),
    );
  }
  return items;
}

/** SNS: publishes to a topic and the deliveries to its subscribers, by protocol. */
export function snsUse(
  book: PriceBook,
  region: string,
  use: {
    readonly scope: string;
    readonly publishes: number;
    readonly subscribers: { readonly email: number; readonly https: number; readonly sqs: number };
  },
): LineItem[] {
  const prices = regionPrices(book, region);
  const publishes = requireAmount(`${use.scope}: SNS publishes`, use.publishes);
  const items = [
    item({
      scope: use.scope,
      service: 'SNS',
      category: 'requests',
      what: `${fmt(publishes)} publishes`,
      quantity: publishes,
      price: ref(region, 'sns.publishes', prices.sns.publishes),
    }),
  ];
  const deliveries = [
    ['email', 'emailNotifications', prices.sns.emailNotifications],
    ['https', 'httpsNotifications', prices.sns.httpsNotifications],
    ['sqs', 'sqsNotifications', prices.sns.sqsNotifications],
  ] as const;
  for (const [protocol, key, entry] of deliveries) {
    const subscribers = requireAmount(`${use.scope}: ${protocol} subscribers`, use.subscribers[protocol]);
    if (subscribers === 0) continue;
    items.push(
      item({
        scope: use.scope,
        service: 'SNS',
        category: 'requests',
        what: `${fmt(publishes)} publishes x ${subscribers} ${protocol} subscribers`,
        quantity: publishes * subscribers,
        price: ref(region, `sns.${key}`, entry),
      }),
    );
  }
  return items;
}

/** Always-on EC2 instances, with the EMR uplift when they are an EMR cluster. */
export function clusterInstances(
  book: PriceBook,
  region: string,
  nodes: {
    readonly scope: string;
    readonly role: string;
    readonly instanceType: string;
    readonly count: number;
    readonly hours: number;
    readonly emr: boolean;
  },
): LineItem[] {
  const prices = regionPrices(book, region);
  const count = requireAmount(`${nodes.scope}.${nodes.role}.count`, nodes.count);
  const hours = requireAmount(`${nodes.scope}: hours`, nodes.hours);
  const where = `${nodes.scope}.${nodes.role}.instanceType`;
  const ec2 = pick(prices.ec2, 'EC2 instance type', nodes.instanceType, where);
  const items = [
    item({
      scope: nodes.scope,
      service: 'EC2',
      category: 'compute',
      what: `${nodes.role}: ${count} x ${nodes.instanceType} x ${fmt(hours)} h`,
      quantity: count * hours,
      price: ref(region, `ec2.${nodes.instanceType}`, ec2),
    }),
  ];
  if (nodes.emr) {
    const emr = pick(prices.emr, 'EMR instance type', nodes.instanceType, where);
    items.push(
      item({
        scope: nodes.scope,
        service: 'EMR',
        category: 'compute',
        what: `${nodes.role}: EMR uplift, ${count} x ${nodes.instanceType} x ${fmt(hours)} h`,
        quantity: count * hours,
        price: ref(region, `emr.${nodes.instanceType}`, emr),
      }),
    );
  }
  return items;
}

/** EBS gp3 volumes (HDFS disks): GB-months. */
export function ebsGp3(
  book: PriceBook,
  region: string,
  use: { readonly scope: string; readonly gbMonths: number; readonly what: string },
): LineItem {
  const prices = regionPrices(book, region);
  const gbMonths = requireAmount(`${use.scope}: EBS GB-months`, use.gbMonths);
  return item({
    scope: use.scope,
    service: 'EBS',
    category: 'storage',
    what: use.what,
    quantity: gbMonths,
    price: ref(region, 'ebs.gp3', prices.ebs.gp3),
  });
}
