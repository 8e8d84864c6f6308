/**
 * AWS list prices (on-demand, USD, no free tier, no discounts) for what lakepipe runs, in the regions
 * its environments use. Validated by priceBookSchema (../price-book.ts); `lakepipe cost --prices FILE`
 * replaces the whole book with a JSON file of the same shape. Nothing is fetched at run time.
 *
 * How sure each number is, per entry (`confidence`):
 * - confirmed: seen on a public page on `asOf` (the page is `source`, or a note names the page);
 * - recalled: the AWS list price as the author knows it; not re-read on `asOf` — check before relying on it;
 * - derived: computed from another entry, the note says how.
 * To update: change the numbers, set asOf and confidence, bump `version` and `publishedAt`.
 */
const ASOF = '2026-11-30';

type Confidence = 'confirmed' | 'recalled' | 'derived';

const PAGES = {
  glue: 'https://aws.amazon.com/glue/pricing/',
  sagemaker: 'https://aws.amazon.com/sagemaker-ai/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  sfn: 'https://aws.amazon.com/step-functions/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  athena: 'https://aws.amazon.com/athena/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  emr: 'https://aws.amazon.com/emr/pricing/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
} as const;

function price(
  usd: number,
  quantity: number,
  unit: string,
  source: string,
  confidence: Confidence,
  note?: string,
) {
  return { usd, quantity, unit, source, asOf: ASOF, confidence, ...(note ? { note } : {}) };
}

type Region = 'us-east-1' | 'eu-west-1' | 'eu-central-1';

/** Per-instance-hour prices by instance type, one confidence and note for the whole table. */
function hourly(
  table: Readonly<Record<string, number>>,
  source: string,
  confidence: Confidence,
  note?: string,
) {
  return Object.fromEntries(
    Object.entries(table).map(([type, usd]) => [
      type,
      price(usd, 1, 'instance-hour', source, confidence, note),
    ]),
  );
}

/** SageMaker batch transform, us-east-1, per instance-hour (the same rates as real-time inference). */
const SAGEMAKER_US_EAST_1: Readonly<Record<string, number>> = {
  'ml.m4.xlarge': 0.28,
  'ml.m4.2xlarge': 0.56,
  'ml.m4.4xlarge': 1.12,
  'ml.m4.10xlarge': 2.8,
  'ml.m4.16xlarge': 4.48,
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.m5.4xlarge': 0.922,
  'ml.m5.12xlarge': 2.765,
  'ml.m5.24xlarge': 5.53,
  'ml.c4.xlarge': 0.279,
  'ml.c4.2xlarge': 0.557,
  'ml.c4.4xlarge': 1.114,
  'ml.c4.8xlarge': 2.227,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.c5.9xlarge': 1.836,
  'ml.c5.18xlarge': 3.672,
  'ml.r5.large': 0.151,
  'ml.r5.xlarge': 0.302,
  'ml.r5.2xlarge': 0.605,
  'ml.r5.4xlarge': 1.21,
  'ml.r5.12xlarge': 3.629,
  'ml.r5.24xlarge': 7.258,
  'ml.g4dn.xlarge': 0.736,
  'ml.g4dn.2xlarge': 1.052,
  'ml.g4dn.4xlarge': 1.686,
  'ml.g4dn.8xlarge': 3.045,
  'ml.g4dn.12xlarge': 5.474,
  'ml.g4dn.16xlarge': 6.09,
  'ml.p3.2xlarge': 3.825,
  'ml.p3.8xlarge': 14.688,
  'ml.p3.16xlarge': 28.152,
};

/** m6i and c6i are listed at the m5 and c5 rates of the same size (derived, see note). */
const SIXTH_GENERATION: Readonly<Record<string, string>> = {
  'ml.m6i.large': 'ml.m5.large',
  'ml.m6i.xlarge': 'ml.m5.xlarge',
  'ml.m6i.2xlarge': 'ml.m5.2xlarge',
  'ml.m6i.4xlarge': 'ml.m5.4xlarge',
  'ml.m6i.12xlarge': 'ml.m5.12xlarge',
  'ml.m6i.24xlarge': 'ml.m5.24xlarge',
  'ml.c6i.xlarge': 'ml.c5.xlarge',
  'ml.c6i.2xlarge': 'ml.c5.2xlarge',
  'ml.c6i.4xlarge': 'ml.c5.4xlarge',
};

/**
 * Sizes with no 5th-generation twin, at a multiple of one that has (SageMaker's m5/c5 rates are
 * linear in size: ml.m5.4xlarge is 4 x ml.m5.xlarge).
 */
const SCALED_SIZES: Readonly<Record<string, readonly [string, number]>> = {
  'ml.m6i.8xlarge': ['ml.m5.4xlarge', 2],
  'ml.m6i.16xlarge': ['ml.m5.4xlarge', 4],
  'ml.c6i.large': ['ml.c5.xlarge', 0.5],
  'ml.c6i.8xlarge': ['ml.c5.4xlarge', 2],
  'ml.c6i.12xlarge': ['ml.c5.4xlarge', 3],
  'ml.c6i.16xlarge': ['ml.c5.4xlarge', 4],
  'ml.c6i.24xlarge': ['ml.c5.4xlarge', 6],
};

/** EC2 on-demand Linux, per instance-hour: the instance types a replaced Hadoop/EMR cluster typically uses. */
const EC2: Readonly<Record<Region, Readonly<Record<string, number>>>> = {
  'us-east-1': {
    'm5.xlarge': 0.192,
    'm5.2xlarge': 0.384,
    'm5.4xlarge': 0.768,
    'm5.8xlarge': 1.536,
    'r5.xlarge': 0.252,
    'r5.2xlarge': 0.504,
    'r5.4xlarge': 1.008,
    'r5.8xlarge': 2.016,
    'c5.2xlarge': 0.34,
    'c5.4xlarge': 0.68,
  },
  'eu-west-1': {
    'm5.xlarge': 0.214,
    'm5.2xlarge': 0.428,
    'm5.4xlarge': 0.856,
    'm5.8xlarge': 1.712,
    'r5.xlarge': 0.282,
    'r5.2xlarge': 0.564,
    'r5.4xlarge': 1.128,
    'r5.8xlarge': 2.256,
    'c5.2xlarge': 0.384,
    'c5.4xlarge': 0.768,
  },
  'eu-central-1': {
    'm5.xlarge': 0.23,
    'm5.2xlarge': 0.46,
    'm5.4xlarge': 0.92,
    'm5.8xlarge': 1.84,
    'r5.xlarge': 0.304,
    'r5.2xlarge': 0.608,
    'r5.4xlarge': 1.216,
    'r5.8xlarge': 2.432,
    'c5.2xlarge': 0.388,
    'c5.4xlarge': 0.776,
  },
};

/** The Amazon EMR charge on top of EC2, per instance-hour (EMR on EC2). */
const EMR_UPLIFT: Readonly<Record<string, number>> = {
  'm5.xlarge': 0.048,
  'm5.2xlarge': 0.096,
  'm5.4xlarge': 0.192,
  'm5.8xlarge': 0.27,
  'r5.xlarge': 0.063,
  'r5.2xlarge': 0.126,
  'r5.4xlarge': 0.252,
  'r5.8xlarge': 0.27,
  'c5.2xlarge': 0.085,
  'c5.4xlarge': 0.17,
};

function sagemakerFor(region: Region) {
  const ratio = EC2[region]['m5.xlarge']! / EC2['us-east-1']['m5.xlarge']!;
  const table: Record<string, number> = {};
  for (const [type, usd] of Object.entries(SAGEMAKER_US_EAST_1)) table[type] = round4(usd * ratio);
  for (const [type, same] of Object.entries(SIXTH_GENERATION)) table[type] = table[same]!;
  for (const [type, [base, times]] of Object.entries(SCALED_SIZES))
    table[type] = round4(table[base]! * times);
  const base = Object.fromEntries(Object.keys(SAGEMAKER_US_EAST_1).map((t) => [t, table[t]!]));
  const sixth = Object.fromEntries(Object.keys(SIXTH_GENERATION).map((t) => [t, table[t]!]));
  const scaled = Object.fromEntries(Object.keys(SCALED_SIZES).map((t) => [t, table[t]!]));
  return {
    ...(region === 'us-east-1'
      ? hourly(
          base,
          PAGES.sagemaker,
          'recalled',
          'batch transform, billed per second; third-party pages quote $0.115 to $0.269 for ml.m5.xlarge: check the Batch Transform tab before relying on it',
        )
      : hourly(
          base,
          PAGES.sagemaker,
          'derived',
          `us-east-1 rate x ${round4(ratio)} (this region's EC2 m5.xlarge price / us-east-1's); not confirmed for this region`,
        )),
    ...hourly(
      sixth,
      PAGES.sagemaker,
      'derived',
      'listed at the rate of the 5th-generation type of the same size (m5/c5); not confirmed',
    ),
    ...hourly(
      scaled,
      PAGES.sagemaker,
      'derived',
      'a size with no m5/c5 twin: a multiple of the m5/c5 4xlarge (or xlarge) rate, as those rates are linear in size; not confirmed',
    ),
  };
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

interface RegionalNumbers {
  readonly glueDpuHour: [number, Confidence];
  readonly s3: { standard: number; standardIa: number; glacierIr: number; put: number; get: number };
  readonly s3Confidence: Confidence;
  readonly dynamodb: { wru: number; rru: number; storage: number; pitr: number };
  readonly dynamodbConfidence: Confidence;
  readonly dynamodbNote: string;
  readonly logs: { ingestion: number; storage: number };
  readonly logsConfidence: Confidence;
  readonly ebsGp3: number;
}

const REGIONAL: Readonly<Record<Region, RegionalNumbers>> = {
  'us-east-1': {
    glueDpuHour: [0.44, 'confirmed'],
    s3: { standard: 0.023, standardIa: 0.0125, glacierIr: 0.004, put: 0.005, get: 0.0004 },
    s3Confidence: 'recalled',
    dynamodb: { wru: 0.625, rru: 0.125, storage: 0.25, pitr: 0.2 },
    dynamodbConfidence: 'confirmed',
    dynamodbNote:
      'on-demand after the November 2024 price cut; WRU/RRU seen on airbyte.com/data-engineering-resources/dynamodb-pricing',
    logs: { ingestion: 0.5, storage: 0.03 },
    logsConfidence: 'confirmed',
    ebsGp3: 0.08,
  },
  'eu-west-1': {
    glueDpuHour: [0.44, 'recalled'],
    s3: { standard: 0.023, standardIa: 0.0125, glacierIr: 0.004, put: 0.005, get: 0.0004 },
    s3Confidence: 'recalled',
    dynamodb: { wru: 0.7068, rru: 0.1415, storage: 0.283, pitr: 0.2264 },
    dynamodbConfidence: 'derived',
    dynamodbNote:
      'pre-November-2024 on-demand rates 1.4135 (WRU) / 0.283 (RRU) / 0.283 (storage) were seen on a public page; WRU and RRU halved by the 2024 cut; PITR = us-east-1 PITR x the storage ratio',
    logs: { ingestion: 0.57, storage: 0.03 },
    logsConfidence: 'recalled',
    ebsGp3: 0.088,
  },
  'eu-central-1': {
    glueDpuHour: [0.52, 'recalled'],
    s3: { standard: 0.0245, standardIa: 0.0135, glacierIr: 0.005, put: 0.0054, get: 0.00043 },
    s3Confidence: 'recalled',
    dynamodb: { wru: 0.7625, rru: 0.1525, storage: 0.306, pitr: 0.2448 },
    dynamodbConfidence: 'derived',
    dynamodbNote:
      'pre-November-2024 rates 1.525 (WRU) / 0.305 (RRU) as recalled, halved by the 2024 cut; PITR = us-east-1 PITR x the storage ratio; not confirmed',
    logs: { ingestion: 0.63, storage: 0.0324 },
    logsConfidence: 'recalled',
    ebsGp3: 0.0952,
  },
};

function regionPrices(region: Region) {
  const n = REGIONAL[region];
  const gb = 'GB-month';
  const snsConfidence: Confidence = region === 'us-east-1' ? 'confirmed' : 'recalled';
  return {
    glue: {
      dpuHour: price(
        n.glueDpuHour[0],
        1,
        'DPU-hour',
        PAGES.glue,
        n.glueDpuHour[1],
        n.glueDpuHour[1] === 'confirmed'
          ? 'Spark ETL jobs; "$0.44 per DPU-hour, one-minute minimum, billed per second" also on awsnegotiations.com/glue-job-cost-optimization.html'
          : 'Spark ETL jobs, Glue 2.0 and later',
      ),
    },
    sagemakerTransform: sagemakerFor(region),
    lambda: {
      arm64GbSecond: price(
        0.0000133334,
        1,
        'GB-second',
        PAGES.lambda,
        region === 'us-east-1' ? 'confirmed' : 'recalled',
        region === 'us-east-1'
          ? 'arm64 (Graviton), the first tier of GB-seconds a month; also on cloudchipr.com/blog/aws-lambda-pricing'
          : 'arm64 (Graviton), the first tier of GB-seconds a month',
      ),
      requests: price(
        0.2,
        1_000_000,
        'request',
        PAGES.lambda,
        region === 'us-east-1' ? 'confirmed' : 'recalled',
      ),
    },
    stepFunctions: {
      standardTransitions: price(
        0.025,
        1000,
        'state transition',
        PAGES.sfn,
        'confirmed',
        'standard workflows; the page lists $0.0250 for N. Virginia, Ireland and Frankfurt; retries count',
      ),
    },
    s3: {
      storage: {
        STANDARD: price(n.s3.standard, 1, gb, PAGES.s3, n.s3Confidence, 'first 50 TB a month'),
        STANDARD_IA: price(
          n.s3.standardIa,
          1,
          gb,
          PAGES.s3,
          n.s3Confidence,
          '30-day minimum storage; retrieval (0.01/GB) not priced',
        ),
        GLACIER_IR: price(n.s3.glacierIr, 1, gb, PAGES.s3, n.s3Confidence),
      },
      putRequests: price(n.s3.put, 1000, 'PUT/COPY/POST/LIST request', PAGES.s3, n.s3Confidence),
      getRequests: price(n.s3.get, 1000, 'GET/SELECT request', PAGES.s3, n.s3Confidence),
    },
    athena: {
      scanned: price(
        5,
        1,
        'TB scanned',
        PAGES.athena,
        region === 'us-east-1' ? 'confirmed' : 'recalled',
        'SQL queries; DDL and failed queries are free; 10 MB minimum per query, rounded up to the MB',
      ),
    },
    dynamodb: {
      writeRequestUnits: price(
        n.dynamodb.wru,
        1_000_000,
        'write request unit',
        PAGES.dynamodb,
        n.dynamodbConfidence,
        n.dynamodbNote,
      ),
      readRequestUnits: price(
        n.dynamodb.rru,
        1_000_000,
        'read request unit',
        PAGES.dynamodb,
        n.dynamodbConfidence,
        n.dynamodbNote,
      ),
      storage: price(
        n.dynamodb.storage,
        1,
        gb,
        PAGES.dynamodb,
        region === 'us-east-1' ? 'recalled' : 'confirmed',
        'the first 25 GB a month are free (not applied)',
      ),
      pitr: price(
        n.dynamodb.pitr,
        1,
        gb,
        PAGES.dynamodb,
        region === 'us-east-1' ? 'recalled' : 'derived',
        'continuous backups',
      ),
    },
    kms: {
      keyMonth: price(
        1,
        1,
        'customer managed key-month',
        PAGES.kms,
        'confirmed',
        'prorated hourly; each yearly rotation of the key adds $1/month (not priced)',
      ),
      requests: price(0.03, 10_000, 'request', PAGES.kms, 'confirmed', 'symmetric key requests'),
    },
    cloudwatchLogs: {
      ingestion: price(
        n.logs.ingestion,
        1,
        'GB ingested',
        PAGES.cloudwatch,
        n.logsConfidence,
        'standard log class',
      ),
      storage: price(n.logs.storage, 1, 'GB-month archived', PAGES.cloudwatch, n.logsConfidence),
    },
    sns: {
      publishes: price(
        0.5,
        1_000_000,
        'publish (64 KB chunk)',
        PAGES.sns,
        snsConfidence,
        'standard topics; publish, email and HTTP rates also on factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols',
      ),
      emailNotifications: price(2, 100_000, 'email notification', PAGES.sns, snsConfidence),
      httpsNotifications: price(0.6, 1_000_000, 'HTTP/S notification', PAGES.sns, snsConfidence),
      sqsNotifications: price(0, 1_000_000, 'SQS notification', PAGES.sns, 'recalled', 'no charge'),
    },
    ec2: hourly(EC2[region], PAGES.ec2, 'recalled', 'on-demand, Linux'),
    emr: hourly(
      EMR_UPLIFT,
      PAGES.emr,
      'recalled',
      region === 'us-east-1'
        ? 'EMR on EC2 uplift, on top of the EC2 price'
        : 'EMR on EC2 uplift, on top of the EC2 price; the us-east-1 uplift, not confirmed for this region',
    ),
    ebs: { gp3: price(n.ebsGp3, 1, gb, PAGES.ebs, 'recalled', '3,000 IOPS and 125 MB/s included') },
  };
}

export const awsListPrices = {
  version: '2026-11-30.3',
  currency: 'USD',
  publishedAt: ASOF,
  description:
    'AWS on-demand list prices for lakepipe (Glue, SageMaker batch transform, Lambda arm64, Step Functions standard, S3, Athena, DynamoDB on-demand, KMS, CloudWatch Logs, SNS) and for the replaced cluster (EC2, EMR uplift, EBS gp3). No free tier, no discounts, no tax.',
  rules: {
    glueWorkerDpus: { 'G.025X': 0.25, 'G.1X': 1, 'G.2X': 2, 'G.4X': 4, 'G.8X': 8, 'G.12X': 12, 'G.16X': 16 },
    glueMinimumSeconds: 60,
    sagemakerMinimumSeconds: 0,
    lambdaDurationGranularityMs: 1,
    athenaMinimumBytesPerQuery: 10 * 1024 * 1024,
    hoursPerMonth: 730,
  },
  regions: {
    'us-east-1': regionPrices('us-east-1'),
    'eu-west-1': regionPrices('eu-west-1'),
    'eu-central-1': regionPrices('eu-central-1'),
  },
};
