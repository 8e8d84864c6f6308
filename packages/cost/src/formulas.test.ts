import { describe, expect, it } from 'vitest';
import { CostInputError, UnpricedError } from './errors';
import {
  athenaQueries,
  clusterInstances,
  dynamodbRequests,
  dynamodbStorage,
  ebsGp3,
  glueJobRun,
  kmsUse,
  lambdaInvocations,
  logsUse,
  s3Requests,
  s3Storage,
  sagemakerTransform,
  snsUse,
  stateTransitions,
} from './formulas';
import { defaultPriceBook } from './price-book';

const book = defaultPriceBook();
const MB = 1024 ** 2;

describe('Glue: DPU-hours billed per second with a one-minute minimum', () => {
  it('bills 4 x G.1X for 75 s as 4 DPU x 75 s / 3600 at $0.44', () => {
    // Act
    const line = glueJobRun(book, 'eu-west-1', { scope: 'etl', workerType: 'G.1X', workers: 4, seconds: 75 });

    // Assert: 4 * 75 / 3600 = 0.083333 DPU-h; * 0.44 = 0.0366667
    expect(line.quantity).toBeCloseTo(0.0833333, 6);
    expect(line.usd).toBeCloseTo(0.0366667, 6);
    expect(line.price.key).toBe('eu-west-1.glue.dpuHour');
    expect(line.what).toBe('4 x G.1X (4 DPU) x 75 s billed (75 s, per second, min 60 s) / 3600');
  });

  it('bills a 20 s run as the 60 s minimum', () => {
    const line = glueJobRun(book, 'eu-west-1', { scope: 'etl', workerType: 'G.1X', workers: 4, seconds: 20 });

    // 4 * 60 / 3600 * 0.44 = 0.0293333
    expect(line.usd).toBeCloseTo(0.0293333, 6);
  });

  it('rounds a partial second up', () => {
    const line = glueJobRun(book, 'eu-west-1', {
      scope: 'etl',
      workerType: 'G.1X',
      workers: 4,
      seconds: 60.2,
    });

    // 61 s: 4 * 61 / 3600 * 0.44 = 0.0298222
    expect(line.usd).toBeCloseTo(0.0298222, 6);
  });

  it('counts each worker type at its DPUs, at the region price', () => {
    const g2 = glueJobRun(book, 'eu-west-1', { scope: 'a', workerType: 'G.2X', workers: 10, seconds: 3600 });
    const g025 = glueJobRun(book, 'us-east-1', {
      scope: 'b',
      workerType: 'G.025X',
      workers: 2,
      seconds: 600,
    });
    const g4 = glueJobRun(book, 'us-east-1', { scope: 'c', workerType: 'G.4X', workers: 3, seconds: 1200 });
    const g8 = glueJobRun(book, 'eu-central-1', {
      scope: 'd',
      workerType: 'G.8X',
      workers: 2,
      seconds: 1800,
    });

    expect(g2.usd).toBeCloseTo(8.8, 9); // 20 DPU x 1 h x 0.44
    expect(g025.usd).toBeCloseTo(0.0366667, 6); // 0.5 DPU x 1/6 h x 0.44
    expect(g4.usd).toBeCloseTo(1.76, 9); // 12 DPU x 1/3 h x 0.44
    expect(g8.usd).toBeCloseTo(4.16, 9); // 16 DPU x 0.5 h x 0.52 (Frankfurt)
  });

  it('names an unpriced worker type and the priced ones', () => {
    expect(() =>
      glueJobRun(book, 'eu-west-1', { scope: 'etl', workerType: 'R.1X', workers: 2, seconds: 60 }),
    ).toThrow(
      new UnpricedError(
        'Glue worker type',
        'R.1X',
        ['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X', 'G.12X', 'G.16X'],
        'etl',
      ),
    );
    expect(() =>
      glueJobRun(book, 'eu-west-1', { scope: 'etl', workerType: 'R.1X', workers: 2, seconds: 60 }),
    ).toThrow(
      'Glue worker type "R.1X" (etl) is not in the price book; priced: G.025X, G.1X, G.2X, G.4X, G.8X, G.12X, G.16X',
    );
  });

  it('rejects a negative or missing duration, naming the stage', () => {
    expect(() =>
      glueJobRun(book, 'eu-west-1', { scope: 'etl', workerType: 'G.1X', workers: 4, seconds: -3 }),
    ).toThrow('etl: Glue run seconds must be a number of 0 or more (is -3)');
    expect(() =>
      glueJobRun(book, 'eu-west-1', {
        scope: 'etl',
        workerType: 'G.1X',
        workers: 4,
        seconds: undefined as unknown as number,
      }),
    ).toThrow(CostInputError);
  });
});

describe('SageMaker batch transform: instance-hours billed per second', () => {
  it('bills one ml.m5.xlarge for 300.4 s as 301 s at $0.23 in us-east-1', () => {
    const line = sagemakerTransform(book, 'us-east-1', {
      scope: 'score',
      instanceType: 'ml.m5.xlarge',
      count: 1,
      seconds: 300.4,
    });

    // 301 / 3600 * 0.23 = 0.0192306
    expect(line.usd).toBeCloseTo(0.0192306, 6);
    expect(line.price.entry.confidence).toBe('recalled');
  });

  it('prices eu-west-1 at the us-east-1 rate scaled by the EC2 m5.xlarge ratio, and says it is derived', () => {
    const line = sagemakerTransform(book, 'eu-west-1', {
      scope: 'score',
      instanceType: 'ml.m5.xlarge',
      count: 2,
      seconds: 1800,
    });

    // 0.23 * 0.214 / 0.192 = 0.25635 -> 0.2564; 2 x 0.5 h
    expect(line.price.entry.usd).toBe(0.2564);
    expect(line.price.entry.confidence).toBe('derived');
    expect(line.usd).toBeCloseTo(0.2564, 9);
  });

  it('names an unknown instance type and lists the priced ones', () => {
    expect(() =>
      sagemakerTransform(book, 'eu-west-1', {
        scope: 'score',
        instanceType: 'ml.p9.huge',
        count: 1,
        seconds: 1,
      }),
    ).toThrow(
      /^SageMaker instance type "ml\.p9\.huge" \(score\) is not in the price book; priced: ml\.m4\.xlarge, .*ml\.m5\.xlarge/,
    );
  });
});

describe('Lambda on arm64: GB-seconds rounded up to the millisecond, and requests', () => {
  it('bills 1024 MB for 1500.2 ms as 1.501 GB-s', () => {
    const [compute, requests] = lambdaInvocations(book, 'eu-west-1', {
      scope: 'source',
      memoryMb: 1024,
      durationMs: 1500.2,
      invocations: 1,
    });

    expect(compute!.quantity).toBeCloseTo(1.501, 9);
    expect(compute!.usd).toBeCloseTo(1.501 * 0.0000133334, 12);
    expect(compute!.price.key).toBe('eu-west-1.lambda.arm64GbSecond');
    expect(requests!.usd).toBeCloseTo(0.2 / 1_000_000, 12);
  });

  it('bills 100 invocations of 256 MB x 200 ms as 5 GB-s', () => {
    const [compute, requests] = lambdaInvocations(book, 'us-east-1', {
      scope: 'views',
      memoryMb: 256,
      durationMs: 200,
      invocations: 100,
    });

    expect(compute!.quantity).toBeCloseTo(5, 9);
    expect(compute!.usd).toBeCloseTo(0.000066667, 9);
    expect(requests!.usd).toBeCloseTo(0.00002, 12);
  });
});

describe('requests and storage', () => {
  it('prices Step Functions transitions per thousand', () => {
    expect(stateTransitions(book, 'eu-west-1', { scope: 'pipeline', transitions: 40 }).usd).toBeCloseTo(
      0.001,
      12,
    );
  });

  it('prices S3 PUTs and GETs per thousand and storage per GB-month by class', () => {
    const [puts, gets] = s3Requests(book, 'eu-west-1', { scope: 'etl', puts: 1000, gets: 2500 });
    const stored = s3Storage(book, 'eu-central-1', {
      scope: 'lake',
      storageClass: 'STANDARD',
      gbMonths: 10,
      what: '',
    });

    expect(puts!.usd).toBeCloseTo(0.005, 12);
    expect(gets!.usd).toBeCloseTo(0.001, 12);
    expect(stored.usd).toBeCloseTo(0.245, 12);
    expect(() =>
      s3Storage(book, 'eu-west-1', { scope: 'lake', storageClass: 'DEEP', gbMonths: 1, what: '' }),
    ).toThrow(
      'S3 storage class "DEEP" (lake) is not in the price book; priced: STANDARD, STANDARD_IA, GLACIER_IR',
    );
  });

  it('bills Athena per query rounded up to the MB with a 10 MB minimum', () => {
    const line = athenaQueries(book, 'eu-west-1', {
      scope: 'report',
      bytesScanned: [1024, 25 * MB + 1, 1024 ** 4],
    });

    // 10 MB + 26 MB + 1,048,576 MB = 1,048,612 MB = 1.0000343 TB x $5
    expect(line.quantity).toBeCloseTo(1_048_612 / 1_048_576, 12);
    expect(line.usd).toBeCloseTo(5.0001717, 6);
  });

  it('prices DynamoDB on-demand units, storage and PITR', () => {
    const [writes, reads] = dynamodbRequests(book, 'eu-west-1', {
      scope: 'ledger',
      writeUnits: 1_000_000,
      readUnits: 2_000_000,
    });
    const [storage, pitr] = dynamodbStorage(book, 'eu-west-1', {
      scope: 'ledger',
      gbMonths: 2,
      pitr: true,
      what: '',
    });

    expect(writes!.usd).toBeCloseTo(0.7068, 12);
    expect(reads!.usd).toBeCloseTo(0.283, 12);
    expect(storage!.usd).toBeCloseTo(0.566, 12);
    expect(pitr!.usd).toBeCloseTo(0.4528, 12);
  });

  it('prices KMS keys per month and requests per ten thousand', () => {
    const [key, requests] = kmsUse(book, 'eu-west-1', { scope: 'keys', keyMonths: 1, requests: 20_000 });

    expect(key!.usd).toBe(1);
    expect(requests!.usd).toBeCloseTo(0.06, 12);
  });

  it('prices CloudWatch Logs ingestion and storage', () => {
    const [ingested, stored] = logsUse(book, 'eu-west-1', {
      scope: 'logs',
      ingestedGb: 2,
      storedGbMonths: 10,
      what: '',
    });

    expect(ingested!.usd).toBeCloseTo(1.14, 12);
    expect(stored!.usd).toBeCloseTo(0.3, 12);
  });

  it('prices SNS publishes and each delivery by protocol (SQS deliveries are free)', () => {
    const lines = snsUse(book, 'eu-west-1', {
      scope: 'notify',
      publishes: 1000,
      subscribers: { email: 2, https: 1, sqs: 1 },
    });

    expect(lines.map((l) => [l.price.key, Number(l.usd.toFixed(6))])).toEqual([
      ['eu-west-1.sns.publishes', 0.0005],
      ['eu-west-1.sns.emailNotifications', 0.04],
      ['eu-west-1.sns.httpsNotifications', 0.0006],
      ['eu-west-1.sns.sqsNotifications', 0],
    ]);
  });
});

describe('the baseline cluster', () => {
  it('prices EC2 hours, the EMR uplift and EBS gp3', () => {
    const [ec2, emr] = clusterInstances(book, 'eu-west-1', {
      scope: 'costBaseline',
      role: 'core',
      instanceType: 'r5.2xlarge',
      count: 4,
      hours: 730,
      emr: true,
    });
    const ebs = ebsGp3(book, 'eu-west-1', { scope: 'costBaseline', gbMonths: 5000, what: '' });

    expect(ec2!.usd).toBeCloseTo(1646.88, 9); // 4 x 730 h x 0.564
    expect(emr!.usd).toBeCloseTo(367.92, 9); // 4 x 730 h x 0.126
    expect(ebs.usd).toBeCloseTo(440, 9); // 5000 GB x 0.088
  });

  it('leaves the EMR uplift out for a self-managed cluster', () => {
    const lines = clusterInstances(book, 'us-east-1', {
      scope: 'costBaseline',
      role: 'master',
      instanceType: 'm5.xlarge',
      count: 1,
      hours: 730,
      emr: false,
    });

    expect(lines.map((l) => l.service)).toEqual(['EC2']);
    expect(lines[0]!.usd).toBeCloseTo(140.16, 9);
  });

  it('names an unknown EC2 instance type with where it was declared', () => {
    expect(() =>
      clusterInstances(book, 'eu-west-1', {
        scope: 'costBaseline',
        role: 'core',
        instanceType: 'x9.mega',
        count: 1,
        hours: 1,
        emr: true,
      }),
    ).toThrow(
      /^EC2 instance type "x9\.mega" \(costBaseline\.core\.instanceType\) is not in the price book; priced: m5\.xlarge, /,
    );
  });

  it('names an unknown region and the priced ones', () => {
    expect(() =>
      glueJobRun(book, 'ap-south-2', { scope: 'etl', workerType: 'G.1X', workers: 2, seconds: 60 }),
    ).toThrow('region "ap-south-2" is not in the price book; priced: us-east-1, eu-west-1, eu-central-1');
  });
});
