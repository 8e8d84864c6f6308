import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CostReport } from '@lakepipe/cost';
import { defaultPriceBook } from '@lakepipe/cost';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CostOptions, costCommand } from './cost';
import { runCommand } from './run';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const pipelineFile = path.join(workspaceRoot, 'pipeline.yaml');
const tmpRoot = path.join(workspaceRoot, '.tmp');
const quiet = { write: () => true };

function capture() {
  const chunks: string[] = [];
  return { out: { write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

function options(lake: string, more: Partial<CostOptions> = {}): CostOptions {
  return {
    env: 'dev',
    ledgerEnv: 'dev',
    months: '12',
    format: 'table',
    lake,
    config: pipelineFile,
    ...more,
  };
}

async function reportOf(lake: string, more: Partial<CostOptions> = {}): Promise<CostReport> {
  const { out, text } = capture();
  expect(await costCommand(options(lake, { ...more, format: 'json' }), out)).toBe(0);
  return JSON.parse(text()) as CostReport;
}

describe('lakepipe cost after a local run (etl fails once and is retried)', () => {
  mkdirSync(tmpRoot, { recursive: true });
  const lake = mkdtempSync(path.join(tmpRoot, 'cost-'));
  let runId: string;

  beforeAll(async () => {
    const { out, text } = capture();
    expect(
      await runCommand({ config: pipelineFile, rows: '2000', lake, env: 'dev', fail: 'etl:1' }, out),
    ).toBe(0);
    runId = /run id: (\S+)/.exec(text())![1]!;
  }, 600_000);

  it('prices that run per stage and service, every line with the price-book entry it used', async () => {
    // Act
    const report = await reportOf(lake);

    // Assert
    expect(report.workload).toMatchObject({ from: 'ledger', runId });
    const etl = report.workload.stages.find((s) => s.stageId === 'etl')!;
    expect(etl.attemptSeconds).toHaveLength(2);
    const glue = report.perRun.items.filter((i) => i.service === 'Glue');
    expect(glue).toHaveLength(2); // the failed attempt is billed too
    for (const line of glue) {
      // every Glue run is billed at least the 60 s minimum of 4 G.1X DPUs at $0.44
      expect(line.usd).toBeGreaterThanOrEqual((4 * 60 * 0.44) / 3600 - 1e-12);
      expect(line.price).toMatchObject({ key: 'eu-west-1.glue.dpuHour', usd: 0.44, unit: 'DPU-hour' });
    }
    expect(report.perRun.items.map((i) => i.service)).toEqual(
      expect.arrayContaining([
        'Lambda',
        'Glue',
        'SageMaker',
        'S3',
        'Step Functions',
        'DynamoDB',
        'CloudWatch Logs',
        'KMS',
      ]),
    );
    const sum = report.perRun.items.reduce((acc, i) => acc + i.usd, 0);
    expect(report.perRun.total).toBeCloseTo(sum, 12);
    expect(Object.keys(report.perRun.byStage)).toEqual(expect.arrayContaining(['source', 'etl', 'score']));
    for (const line of report.perRun.items) {
      expect(line.price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(line.price.asOf).toBe(defaultPriceBook().publishedAt);
    }
  });

  it('compares the month with the dev cluster of infra/config/dev.yaml and gives the break-even', async () => {
    const report = await reportOf(lake);

    // dev baseline: 12 h x 730/24 days = 365 h; m5.xlarge (0.214 + 0.048 EMR), 2 x m5.2xlarge (0.428 + 0.096), 3 x 500 GB gp3 at 0.088
    const baseline = 365 * (0.214 + 0.048) + 2 * 365 * (0.428 + 0.096) + 3 * 500 * 0.088;
    expect(report.monthly.baseline?.total).toBeCloseTo(baseline, 9);
    expect(report.monthly.runsPerDay).toBe(1); // cron(0 2 * * ? *)
    expect(report.monthly.serverless.total).toBeCloseTo(
      report.monthly.serverless.runs + report.monthly.serverless.alwaysOn,
      12,
    );
    // the runs of a month leave out each run's own month of storage: the lake's storage accumulates instead
    const perRunWithoutStorage = report.perRun.total - (report.perRun.byCategory.storage ?? 0);
    expect(report.perRun.byCategory.storage).toBeGreaterThan(0);
    expect(report.monthly.serverless.runs).toBeCloseTo(perRunWithoutStorage * (730 / 24), 9);
    expect(report.monthly.ratio).toBeCloseTo(report.monthly.serverless.total / baseline, 12);
    expect(report.breakEvenRunsPerDay).toBeGreaterThan(1);
    expect(report.environments.map((e) => e.env)).toEqual(['dev', 'prod']);
    expect(report.history.map((h) => h.runId)).toEqual([runId]);
  });

  it('bills --stage-minutes instead of the scaled local time', async () => {
    const report = await reportOf(lake, { stageMinutes: 'etl=6,score=9', runsPerDay: '3' });

    const glue = report.perRun.items.filter((i) => i.service === 'Glue');
    expect(glue.map((i) => i.usd)).toEqual([
      expect.closeTo((4 * 360 * 0.44) / 3600, 12),
      expect.closeTo((4 * 360 * 0.44) / 3600, 12),
    ]);
    const sagemaker = report.perRun.items.find((i) => i.service === 'SageMaker')!;
    expect(sagemaker.usd).toBeCloseTo((540 / 3600) * 0.2564, 12);
    expect(report.monthly.runsPerDay).toBe(3);
  });

  it('traces every number to the price book with --explain, and prints a table and a markdown section', async () => {
    const explain = capture();
    const table = capture();
    const markdown = capture();

    await costCommand(options(lake, { explain: true, env: 'prod' }), explain.out);
    await costCommand(options(lake), table.out);
    await costCommand(options(lake, { format: 'markdown' }), markdown.out);

    expect(explain.text()).toContain(`run ${runId} from the ledger · priced in prod (eu-west-1)`);
    expect(explain.text()).toMatch(
      /\[etl\] Glue compute: 4 x G\.1X \(4 DPU\) x \d+ s billed .* \(attempt 2\)/,
    );
    expect(explain.text()).toContain(
      'price eu-west-1.glue.dpuHour (recalled, 2026-11-30) https://aws.amazon.com/glue/pricing/',
    );
    expect(explain.text()).toContain('Per month, baseline cluster: $2,837.32');
    expect(table.text()).toMatch(/per run: \$0\.\d{4}/);
    expect(table.text()).toContain('serverless / cluster:');
    expect(markdown.text()).toContain('### Cost: serverless pipeline vs the replaced cluster (dev)');
    expect(markdown.text()).toContain('| per month, baseline cluster | $610.15 |');
  });

  it('puts its markdown into a plan review, right after the terraform plan summary', async () => {
    // Arrange
    const { planReviewCommand, withCostFile } = await import('@lakepipe/ci');
    const markdown = capture();
    await costCommand(options(lake, { format: 'markdown', env: 'prod' }), markdown.out);
    const costFile = path.join(lake, 'cost-prod.md');
    writeFileSync(costFile, markdown.text());
    const plan = path.join(workspaceRoot, 'tools/ci/src/__fixtures__/plans/sourcing-create.json');

    // Act
    const review = withCostFile(planReviewCommand(plan, { env: 'prod' }).output, costFile);

    // Assert
    const lines = review.split('\n');
    const summary = lines.findIndex((l) => /^\d+ to create, \d+ to update/.test(l));
    expect(lines[0]).toMatch(/^## Plan review: /);
    expect(lines[summary + 2]).toBe('### Cost: serverless pipeline vs the replaced cluster (prod)');
    expect(review).toContain('| per month, baseline cluster | $2,837.32 |');
    expect(review.indexOf('### Cost')).toBeLessThan(review.indexOf('### By service'));
  });

  it('names a stage the pipeline lacks, a negative runs per day and an unknown environment', async () => {
    await expect(costCommand(options(lake, { stageMinutes: 'nosuch=3' }), quiet)).rejects.toThrow(
      /^--stage-minutes "nosuch=3" is not valid: a stage of \S*pipeline\.yaml: source, etl, score, views, report, warn$/,
    );
    await expect(costCommand(options(lake, { stageMinutes: 'etl=-1' }), quiet)).rejects.toThrow(
      '--stage-minutes "etl=-1" is not valid: STAGE=MINUTES[,STAGE=MINUTES...], minutes 0 or more, e.g. etl=6,score=9',
    );
    await expect(costCommand(options(lake, { runsPerDay: '-1' }), quiet)).rejects.toThrow(
      '--runs-per-day "-1" is not valid: a number of 0 or more',
    );
    await expect(costCommand(options(lake, { env: 'staging' }), quiet)).rejects.toThrow(
      'no such environment "staging" (known: dev, prod)',
    );
  });

  it('names the region a --prices book lacks, and what it prices', async () => {
    const book = defaultPriceBook();
    const usOnly = { ...book, regions: { 'us-east-1': book.regions['us-east-1'] } };
    const file = path.join(lake, 'us-only-prices.json');
    writeFileSync(file, JSON.stringify(usOnly));

    await expect(costCommand(options(lake, { prices: file }), quiet)).rejects.toThrow(
      'region "eu-west-1" is not in the price book; priced: us-east-1',
    );
  });
});

describe('lakepipe cost with no run in the ledger', () => {
  const lake = mkdtempSync(path.join(tmpRoot, 'cost-empty-'));

  it('says so and estimates from pipeline.yaml alone', async () => {
    const report = await reportOf(lake);

    expect(report.workload.from).toBe('pipeline');
    expect(report.workload.runId).toBeNull();
    expect(report.workload.notes[0]).toMatch(/^no run in the ledger: stage times are assumptions/);
    expect(report.workload.stages.map((s) => s.stageId)).toEqual([
      'source',
      'etl',
      'score',
      'views',
      'report',
    ]);
    // 300 s of 4 G.1X at $0.44 and 360 s of ml.m5.xlarge at $0.2564
    expect(report.perRun.byService.Glue).toBeCloseTo((4 * 300 * 0.44) / 3600, 12);
    expect(report.perRun.byService.SageMaker).toBeCloseTo((360 / 3600) * 0.2564, 12);
  });

  it('names a worker type the pipeline allows but the price book does not price', async () => {
    const file = path.join(lake, 'pipeline.yaml');
    writeFileSync(file, readFileSync(pipelineFile, 'utf8').replace('type: G.1X', 'type: R.1X'));

    await expect(costCommand(options(lake, { config: file }), quiet)).rejects.toThrow(
      'Glue worker type "R.1X" (etl) is not in the price book; priced: G.025X, G.1X, G.2X, G.4X, G.8X, G.12X, G.16X',
    );
  });
});
