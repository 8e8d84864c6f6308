import { describe, expect, it } from 'vitest';
import type { EnvironmentProfile, RunWorkload } from './estimate';
import { defaultPriceBook } from './price-book';
import { renderCostExplain, renderCostJson, renderCostMarkdown, renderCostTable, usd } from './render';
import { buildCostReport } from './report';

const book = defaultPriceBook();

const workload: RunWorkload = {
  runId: '20261130T020000Z-abc123',
  from: 'ledger',
  stages: [
    {
      stageId: 'etl',
      type: 'spark-etl',
      compute: { kind: 'glue', workerType: 'G.1X', workers: 4 },
      attemptSeconds: [90],
      secondsFrom: 'ledger: 15.0 s local -> 60 s + local x 2',
      objectsWritten: 10,
      bytesWritten: 1_000_000,
      rawBytesWritten: 0,
      objectsRead: 4,
    },
  ],
  stateTransitions: 100,
  ledgerWriteUnits: 20,
  ledgerReadUnits: 0,
  ledgerBytes: 5000,
  logBytes: 1024 * 1024,
  kmsRequests: 2,
  snsPublishes: 0,
  notes: ['Athena: DDL only'],
};

const dev: EnvironmentProfile = {
  name: 'dev',
  region: 'eu-west-1',
  logRetentionDays: 14,
  rawTransitionDays: 30,
  subscribers: { email: 1, https: 0, sqs: 0 },
  kmsKeys: 1,
  ledgerPitr: true,
  baseline: {
    description: 'the dev cluster',
    master: { instanceType: 'm5.xlarge', count: 1 },
    core: { instanceType: 'm5.2xlarge', count: 2 },
    hoursPerDay: 12,
    ebsGbPerInstance: 500,
  },
};

const report = buildCostReport({
  book,
  env: dev,
  environments: [dev, { ...dev, name: 'prod', region: 'eu-central-1', baseline: undefined }],
  workload,
  options: { runsPerDay: 1, months: 12 },
});

describe('the cost report', () => {
  it('carries the totals the issue asks for, in USD, and every line with its price entry', () => {
    const json = JSON.parse(renderCostJson(report));

    // 4 DPU x 90 s / 3600 x 0.44 = 0.044
    expect(json.perRun.byService.Glue).toBeCloseTo(0.044, 12);
    expect(json.perRun.total).toBeCloseTo(report.perRun.total, 12);
    expect(json.monthly.serverless.total).toBeGreaterThan(json.perRun.total * 30);
    expect(json.monthly.baseline.total).toBeCloseTo(610.15, 9);
    expect(json.monthly.ratio).toBeCloseTo(json.monthly.serverless.total / 610.15, 12);
    expect(json.breakEvenRunsPerDay).toBeGreaterThan(1);
    expect(json.perRun.items[0].price).toMatchObject({
      key: 'eu-west-1.glue.dpuHour',
      usd: 0.44,
      quantity: 1,
      unit: 'DPU-hour',
      source: 'https://aws.amazon.com/glue/pricing/',
      asOf: book.publishedAt,
    });
    expect(
      json.environments.map((e: { env: string; baseline: number | null }) => [e.env, e.baseline]),
    ).toEqual([
      ['dev', expect.closeTo(610.15, 9)],
      ['prod', null],
    ]);
  });

  it('renders a markdown section with the per-run, monthly and baseline numbers', () => {
    const markdown = renderCostMarkdown(report);

    expect(markdown.split('\n').slice(0, 12)).toEqual([
      '### Cost: serverless pipeline vs the replaced cluster (dev)',
      '',
      `run 20261130T020000Z-abc123 from the ledger · priced in dev (eu-west-1) · price book ${book.version}`,
      '',
      '| | USD |',
      '| --- | ---: |',
      `| per run | ${usd(report.perRun.total)} |`,
      `| per month, serverless (1 run(s)/day, average of 12 months) | ${usd(report.monthly.serverless.total)} |`,
      '| per month, baseline cluster | $610.15 |',
      `| serverless / cluster | ${((report.monthly.ratio ?? 0) * 100).toFixed(1)}% |`,
      `| break-even runs per day | ${Math.round(report.breakEvenRunsPerDay!).toLocaleString('en-US')} |`,
      '',
    ]);
    expect(markdown).toContain('| etl | spark-etl | Glue | compute | $0.0440 |');
    expect(markdown).toContain('| prod | eu-central-1 |');
    expect(markdown).toContain('- Athena: DDL only');
  });

  it('explains each line: formula, quantity x price, the entry and its source', () => {
    const explain = renderCostExplain(report);

    expect(explain).toContain(
      [
        '  [etl] Glue compute: 4 x G.1X (4 DPU) x 90 s billed (90 s, per second, min 60 s) / 3600',
        '      = 0.1 DPU-hour x $0.44 per DPU-hour = $0.0440',
        '      price eu-west-1.glue.dpuHour (recalled, 2026-11-30) https://aws.amazon.com/glue/pricing/ — Spark ETL jobs, Glue 2.0 and later',
      ].join('\n'),
    );
    expect(explain).toContain('Per month, baseline cluster: $610.15');
    expect(explain).toContain('local x 2; 10 PUT/LIST requests, 1,000,000 bytes written');
    expect(explain).toContain(
      '  etl (spark-etl): Glue 4 x G.1X; attempts 90 s — ledger: 15.0 s local -> 60 s + local x 2',
    );
  });

  it('prints a table for the terminal', () => {
    const table = renderCostTable(report);

    expect(table).toContain(`per run: ${usd(report.perRun.total)}`);
    expect(table).toMatch(/total\s+\$\d+\.\d\d\s+\$610\.15/);
    expect(table).toContain('baseline: the dev cluster');
  });

  it('formats money to the precision it needs', () => {
    expect([usd(0), usd(0.0000002), usd(0.000041), usd(0.0452), usd(1234.5)]).toEqual([
      '$0.0000',
      '<$0.000001',
      '$0.000041',
      '$0.0452',
      '$1,234.50',
    ]);
  });
});
