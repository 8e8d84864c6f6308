import { describe, expect, it } from 'vitest';
import { CostInputError } from './errors';
import {
  averageAfter,
  averageRetained,
  compare,
  type EnvironmentProfile,
  priceBaseline,
  priceMonth,
  priceRun,
  type RunWorkload,
} from './estimate';
import { defaultPriceBook } from './price-book';

const book = defaultPriceBook();
const GB = 1024 ** 3;

/** The repository's pipeline, one run with a retried ETL attempt, as the cloud would bill it. */
const workload: RunWorkload = {
  runId: '20261130T020000Z-abc123',
  from: 'ledger',
  stages: [
    {
      stageId: 'source',
      type: 'sourcing',
      compute: { kind: 'lambda', memoryMb: 1024 },
      attemptSeconds: [2.5],
      secondsFrom: 'test',
      objectsWritten: 3,
      bytesWritten: 3_000_000,
      rawBytesWritten: 3_000_000,
      objectsRead: 0,
    },
    {
      stageId: 'etl',
      type: 'spark-etl',
      compute: { kind: 'glue', workerType: 'G.1X', workers: 4 },
      attemptSeconds: [50, 130],
      secondsFrom: 'test',
      objectsWritten: 10,
      bytesWritten: 2_000_000,
      rawBytesWritten: 0,
      objectsRead: 3,
    },
    {
      stageId: 'score',
      type: 'sagemaker-scoring',
      compute: { kind: 'sagemaker', instanceType: 'ml.m5.xlarge', count: 1 },
      attemptSeconds: [240],
      secondsFrom: 'test',
      objectsWritten: 2,
      bytesWritten: 500_000,
      rawBytesWritten: 0,
      objectsRead: 2,
    },
    {
      stageId: 'views',
      type: 'view',
      compute: { kind: 'lambda', memoryMb: 256 },
      attemptSeconds: [3],
      secondsFrom: 'test',
      objectsWritten: 0,
      bytesWritten: 0,
      rawBytesWritten: 0,
      objectsRead: 0,
    },
    {
      stageId: 'report',
      type: 'view',
      compute: { kind: 'lambda', memoryMb: 256 },
      attemptSeconds: [2],
      secondsFrom: 'test',
      objectsWritten: 0,
      bytesWritten: 0,
      rawBytesWritten: 0,
      objectsRead: 0,
    },
  ],
  stateTransitions: 60,
  ledgerWriteUnits: 30,
  ledgerReadUnits: 0,
  ledgerBytes: 12_000,
  logBytes: 5 * 1024 * 1024,
  kmsRequests: 10,
  snsPublishes: 1,
  notes: [],
};

const prod: EnvironmentProfile = {
  name: 'prod',
  region: 'eu-west-1',
  logRetentionDays: 90,
  rawTransitionDays: 30,
  subscribers: { email: 1, https: 1, sqs: 1 },
  kmsKeys: 1,
  ledgerPitr: true,
  baseline: {
    master: { instanceType: 'm5.2xlarge', count: 1 },
    core: { instanceType: 'r5.2xlarge', count: 4 },
    hoursPerDay: 24,
    ebsGbPerInstance: 1000,
  },
};

describe('a whole run of the pipeline, checked against a spreadsheet', () => {
  it('adds up every stage, the orchestration, the ledger, logs, keys and notifications', () => {
    // Arrange: the spreadsheet, one row per line item: quantity x unit price (eu-west-1)
    const lambdaGbS = 0.0000133334;
    const sheet = {
      'source Lambda 1024 MB x 2.5 s': 1 * 2.5 * lambdaGbS,
      'source Lambda request': 1 * (0.2 / 1e6),
      'source S3 3 PUTs': 3 * (0.005 / 1000),
      'source S3 a month of 3,000,000 bytes': (3_000_000 / GB) * 0.023,
      'etl Glue attempt 1: 50 s -> 60 s minimum, 4 DPU': ((4 * 60) / 3600) * 0.44,
      'etl Glue attempt 2: 130 s, 4 DPU': ((4 * 130) / 3600) * 0.44,
      'etl S3 10 PUTs': 10 * (0.005 / 1000),
      'etl S3 3 GETs': 3 * (0.0004 / 1000),
      'etl S3 a month of 2,000,000 bytes': (2_000_000 / GB) * 0.023,
      'score SageMaker ml.m5.xlarge 240 s': (240 / 3600) * 0.2564,
      'score S3 2 PUTs': 2 * (0.005 / 1000),
      'score S3 2 GETs': 2 * (0.0004 / 1000),
      'score S3 a month of 500,000 bytes': (500_000 / GB) * 0.023,
      'views Lambda 256 MB x 3 s': 0.25 * 3 * lambdaGbS,
      'views Lambda request': 0.2 / 1e6,
      'report Lambda 256 MB x 2 s': 0.25 * 2 * lambdaGbS,
      'report Lambda request': 0.2 / 1e6,
      'Step Functions 60 transitions': 60 * (0.025 / 1000),
      'ledger 30 WRU': 30 * (0.7068 / 1e6),
      'logs 5 MB ingested': (5 / 1024) * 0.57,
      'KMS 10 requests': 10 * (0.03 / 10_000),
      'SNS 1 publish': 0.5 / 1e6,
      'SNS 1 email': 2 / 100_000,
      'SNS 1 https': 0.6 / 1e6,
      'SNS 1 sqs': 0,
    };
    const expected = Object.values(sheet).reduce((a, b) => a + b, 0);

    // Act
    const run = priceRun(workload, prod, book);

    // Assert
    expect(run.items).toHaveLength(Object.keys(sheet).length);
    expect(run.total).toBeCloseTo(expected, 12);
    expect(run.total).toBeCloseTo(0.1146, 4); // Glue 0.0929 + SageMaker 0.0171 + logs 0.0028 + Step Functions 0.0015 + the rest
    expect(run.byScope.etl).toBeCloseTo(0.0293333 + 0.0635556 + 0.00005 + 0.0000012 + 0.0000428, 6);
    expect(run.byCategory.storage).toBeCloseTo((5_500_000 / GB) * 0.023, 12);
    expect(run.byService.Glue).toBeCloseTo(0.0928889, 6);
    expect(run.byCategory.compute).toBeCloseTo(
      sheet['source Lambda 1024 MB x 2.5 s'] +
        sheet['etl Glue attempt 1: 50 s -> 60 s minimum, 4 DPU'] +
        sheet['etl Glue attempt 2: 130 s, 4 DPU'] +
        sheet['score SageMaker ml.m5.xlarge 240 s'] +
        sheet['views Lambda 256 MB x 3 s'] +
        sheet['report Lambda 256 MB x 2 s'],
      12,
    );
    expect(run.items.find((i) => i.what.endsWith('(attempt 2)'))?.price.key).toBe('eu-west-1.glue.dpuHour');
  });

  it('prices the average month of a year at 2 runs a day: the runs plus what they accumulate', () => {
    // Arrange: the spreadsheet of the always-on part (GB added per day x average days kept)
    const days = 730 / 24; // 30.4167 days a month
    const horizon = 12 * days; // 365 days
    const runsPerMonth = 2 * days;
    // a run's own month of storage is not in the runs: the lake's storage accumulates below instead
    const run = priceRun(workload, prod, book);
    const perRun = run.total - run.byCategory.storage!;
    const gbPerDay = (bytesPerRun: number) => (2 * bytesPerRun) / GB;
    const sheet = {
      runs: perRun * runsPerMonth,
      'lake STANDARD (curated...)': gbPerDay(2_500_000) * (horizon / 2) * 0.023,
      'lake raw STANDARD, first 30 days':
        gbPerDay(3_000_000) * ((30 * 30) / 2 / horizon + (30 * (horizon - 30)) / horizon) * 0.023,
      'lake raw STANDARD_IA after 30 days':
        gbPerDay(3_000_000) * ((horizon - 30) ** 2 / (2 * horizon)) * 0.0125,
      'ledger storage': gbPerDay(12_000) * (horizon / 2) * 0.283,
      'ledger PITR': gbPerDay(12_000) * (horizon / 2) * 0.2264,
      'logs kept 90 days':
        gbPerDay(5 * 1024 * 1024) * ((90 * 90) / 2 / horizon + (90 * (horizon - 90)) / horizon) * 0.03,
      'KMS key': 1,
    };

    // Act
    const month = priceMonth(workload, prod, book, { runsPerDay: 2, months: 12 });

    // Assert
    expect(month.runsPerMonth).toBeCloseTo(60.8333, 4);
    expect(month.runs).toBeCloseTo(sheet.runs, 10);
    expect(month.alwaysOn).toBeCloseTo(Object.values(sheet).reduce((a, b) => a + b, 0) - sheet.runs, 10);
    expect(month.total).toBeCloseTo(
      Object.values(sheet).reduce((a, b) => a + b, 0),
      10,
    );
  });

  it('averages what accumulates and expires, and what moves to a colder class', () => {
    expect(averageRetained(10, 30)).toBe(5);
    expect(averageRetained(100, 30)).toBeCloseTo((30 * 30) / 2 / 100 + (30 * 70) / 100, 12);
    expect(averageAfter(20, 30)).toBe(0);
    expect(averageAfter(100, 30)).toBeCloseTo((70 * 70) / 200, 12);
  });
});

describe('the baseline and the comparison', () => {
  it('prices the prod cluster: 730 h of every node, the EMR uplift and 1000 GB gp3 each', () => {
    const baseline = priceBaseline(prod.baseline!, 'eu-west-1', book);

    // 730 x (0.428 + 0.096) + 4 x 730 x (0.564 + 0.126) + 5 x 1000 x 0.088
    expect(baseline.total).toBeCloseTo(312.44 + 70.08 + 1646.88 + 367.92 + 440, 9);
    expect(baseline.items.map((i) => i.price.key)).toEqual([
      'eu-west-1.ec2.m5.2xlarge',
      'eu-west-1.emr.m5.2xlarge',
      'eu-west-1.ec2.r5.2xlarge',
      'eu-west-1.emr.r5.2xlarge',
      'eu-west-1.ebs.gp3',
    ]);
  });

  it('gives the ratio and the runs per day at which the serverless month costs as much as the cluster', () => {
    // Act
    const result = compare(workload, prod, book, { runsPerDay: 1, months: 12 });
    const atBreakEven = priceMonth(workload, prod, book, {
      runsPerDay: result.breakEvenRunsPerDay!,
      months: 12,
    });

    // Assert
    expect(result.ratio).toBeCloseTo(result.serverless.total / 2837.32, 12);
    expect(result.breakEvenRunsPerDay).toBeGreaterThan(100);
    expect(atBreakEven.total).toBeCloseTo(2837.32, 6);
  });

  it('has no break-even when the always-on part alone costs more than the cluster', () => {
    const tiny = {
      ...prod,
      kmsKeys: 10_000,
      baseline: { ...prod.baseline!, hoursPerDay: 1, ebsGbPerInstance: 0 },
    };

    expect(compare(workload, tiny, book, { runsPerDay: 1, months: 12 }).breakEvenRunsPerDay).toBeUndefined();
  });

  it('compares nothing without a baseline', () => {
    const result = compare(workload, { ...prod, baseline: undefined }, book, { runsPerDay: 1, months: 1 });

    expect(result.baseline).toBeUndefined();
    expect(result.ratio).toBeUndefined();
  });
});

describe('bad input', () => {
  it('names every stage whose durations are missing or negative, at once', () => {
    const bad: RunWorkload = {
      ...workload,
      stages: [
        { ...workload.stages[1]!, attemptSeconds: [] },
        { ...workload.stages[2]!, attemptSeconds: [-5] },
      ],
    };

    expect(() => priceRun(bad, prod, book)).toThrow(
      new CostInputError([
        { field: 'etl: durations', message: 'are missing (no attempt has a duration)' },
        { field: 'score: attempt 1 seconds', message: 'must be a number of 0 or more (is -5)' },
      ]),
    );
    expect(() => priceRun(bad, prod, book)).toThrow(
      'cannot price this workload:\n  etl: durations are missing (no attempt has a duration)\n  score: attempt 1 seconds must be a number of 0 or more (is -5)',
    );
  });

  it('names an unknown region before anything else', () => {
    expect(() => priceRun(workload, { ...prod, region: 'sa-east-1' }, book)).toThrow(
      'region "sa-east-1" is not in the price book; priced: us-east-1, eu-west-1, eu-central-1',
    );
  });

  it('rejects negative runs per day and a zero horizon', () => {
    expect(() => priceMonth(workload, prod, book, { runsPerDay: -1, months: 12 })).toThrow(
      '--runs-per-day must be a number of 0 or more (is -1)',
    );
    expect(() => priceMonth(workload, prod, book, { runsPerDay: 1, months: 0 })).toThrow(
      '--months must be a number above 0 (is 0)',
    );
  });

  it('rejects a baseline that runs more than 24 hours a day', () => {
    expect(() => priceBaseline({ ...prod.baseline!, hoursPerDay: 25 }, 'eu-west-1', book)).toThrow(
      'costBaseline.hoursPerDay must be at most 24 (got 25)',
    );
  });
});
