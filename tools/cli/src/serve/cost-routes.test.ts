import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import type { CostReport } from '@lakepipe/cost';
import { newRunId } from '@lakepipe/lake';
import { type RunningLedgerApi, serveLedgerApi } from '@lakepipe/ledger';
import { LedgerSeeder } from '@lakepipe/ledger/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineForCli } from '../stage-registry';
import { type LocalLedger, openLocalLedger } from '../twin/local-ledger';
import { renderCostPanel } from './cost-panel';
import { costRoutes, costRoutesForLake } from './cost-routes';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const SHA = 'a'.repeat(64);

describe('the dashboard cost endpoints', () => {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  const lake = mkdtempSync(path.join(workspaceRoot, '.tmp', 'cost-routes-'));
  const runs = [newRunId(new Date('2026-11-28T02:00:00Z')), newRunId(new Date('2026-11-29T02:00:00Z'))];
  let local: LocalLedger;
  let api: RunningLedgerApi;

  beforeAll(async () => {
    local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
    const seed = new LedgerSeeder({ client: local.documents, tableName: local.tableName });
    for (const [i, runId] of runs.entries()) {
      await seed.startRun({ runId, pipeline: 'bench-quality' });
      for (const stageId of ['source', 'etl', 'score']) {
        const { attempt } = await seed.startStage({ runId, stageId });
        await seed.finishStage({
          runId,
          stageId,
          attempt,
          status: 'SUCCEEDED',
          counts: { files: 1 },
        });
      }
      await local.ledger.recordMovements([
        {
          runId,
          stageId: 'source',
          to: `raw/bench_tests/dt=2026-11-2${i}/run=${runId}/a.csv`,
          bytes: 1000,
          sha256: SHA,
        },
        {
          runId,
          stageId: 'etl',
          to: `curated/bench_tests/dt=2026-11-2${i}/${runId}-0.parquet`,
          bytes: 500,
          sha256: SHA,
        },
      ]);
      await seed.finishRun({ runId, status: 'SUCCEEDED' });
    }
    api = await serveLedgerApi({
      ledger: local.ledger,
      port: 0,
      extraRoutes: costRoutes({
        ledger: async () => local.ledger,
        pipeline: loadPipelineForCli(path.join(workspaceRoot, 'pipeline.yaml')),
      }),
    });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await local?.close();
  });

  it('serves the newest run priced, the month beside the baseline and the runs of the ledger', async () => {
    // Act
    const response = await fetch(`${api.url}/cost?env=prod&runsPerDay=4`);
    const report = (await response.json()) as CostReport;

    // Assert
    expect(response.status).toBe(200);
    expect(report.workload).toMatchObject({ from: 'ledger', runId: runs[1] });
    expect(report).toMatchObject({ env: 'prod', monthly: { runsPerDay: 4 } });
    expect(report.perRun.byService.Glue).toBeGreaterThan(0);
    expect(report.monthly.baseline?.total).toBeCloseTo(2837.32, 6);
    expect(report.history.map((h) => h.runId)).toEqual(runs);
  });

  it('serves one run, and 404 for a run the ledger lacks', async () => {
    const one = (await (await fetch(`${api.url}/cost/runs/${runs[0]}`)).json()) as CostReport;
    const missing = await fetch(`${api.url}/cost/runs/${newRunId(new Date('2020-01-01T00:00:00Z'))}`);

    expect(one.workload.runId).toBe(runs[0]);
    expect(missing.status).toBe(404);
  });

  it('serves the panel: a bar per run and the month beside the cluster, as SVG', async () => {
    const response = await fetch(`${api.url}/cost/panel`);
    const html = await response.text();

    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html.match(/<rect /g)?.length).toBe(2 + 2); // two runs, serverless and baseline
    expect(html).toContain('Cost per run');
    expect(html).toContain(`run ${runs[1]}`);
    expect(html).toContain('baseline cluster');
    expect(html).toContain('$610.15');
  });

  it('reads the lake itself for lakepipe serve: its ledger and pipeline.yaml', async () => {
    // Arrange
    const served = await serveLedgerApi({
      ledger: local.ledger,
      port: 0,
      extraRoutes: costRoutesForLake({
        lakeRoot: lake,
        configFile: path.join(workspaceRoot, 'pipeline.yaml'),
      }),
    });

    // Act
    try {
      const report = (await (await fetch(`${served.url}/cost`)).json()) as CostReport;

      // Assert
      expect(report.workload.runId).toBe(runs[1]);
      expect(report.env).toBe('dev');
    } finally {
      await served.close();
    }
  });

  it('renders the panel without a run or a baseline', () => {
    const report = {
      currency: 'USD',
      priceBook: { version: '2026-11-30.2', publishedAt: '2026-11-30' },
      env: 'dev',
      region: 'eu-west-1',
      workload: { from: 'pipeline', runId: null, stages: [], notes: [] },
      perRun: { total: 0.1, byStage: { etl: 0.1 }, byService: {}, byCategory: {}, items: [] },
      monthly: {
        runsPerDay: 1,
        months: 12,
        runsPerMonth: 30.4,
        serverless: { total: 3, runs: 3, alwaysOn: 0, byService: {}, items: [] },
        baseline: null,
        ratio: null,
      },
      breakEvenRunsPerDay: null,
      environments: [],
      history: [],
    } satisfies CostReport;

    const html = renderCostPanel(report);

    expect(html).toContain('No run in the ledger yet');
    expect(html).toContain('No costBaseline in the env config');
    expect(html.match(/<rect /g)?.length).toBe(1);
  });
});
