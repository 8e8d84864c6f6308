import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { newRunId } from '@lakepipe/lake';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalLedger } from '../twin/local-ledger';
import { startDashboard } from './dashboard';

const workspaceRoot = path.resolve(__dirname, '../../../..');

/** Debian's Chromium, started the way this machine needs it (no sandbox as root, no background networking). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('lakepipe serve, seen in a browser', () => {
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  const runId = newRunId();

  beforeAll(async () => {
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    const lakeRoot = mkdtempSync(path.join(workspaceRoot, '.tmp', 'serve-'));
    const target = compileTargetFor(loadEnvConfig('dev'));
    const local = await openLocalLedger(lakeRoot, target.ledgerTable);
    await local.ledger.startRun({ runId, pipeline: 'bench-quality', trigger: 'local' });
    const source = await local.ledger.startStage({
      runId,
      stageId: 'source',
      outputPrefixes: ['raw/bench_tests/'],
    });
    await local.ledger.finishStage({
      runId,
      stageId: 'source',
      attempt: source.attempt,
      status: 'SUCCEEDED',
      counts: { files: 4 },
    });
    const etl = await local.ledger.startStage({ runId, stageId: 'etl' });
    await local.ledger.finishStage({
      runId,
      stageId: 'etl',
      attempt: etl.attempt,
      status: 'FAILED',
      error: { name: 'RejectRatioExceededError', cause: 'rejected 31% of rows, above maxRejectRatio 20%' },
    });
    await local.ledger.finishRun({
      runId,
      status: 'FAILED',
      error: {
        stageId: 'etl',
        name: 'RejectRatioExceededError',
        cause: 'rejected 31% of rows, above maxRejectRatio 20%',
      },
    });
    await local.close();
    dashboard = await startDashboard({
      lakeRoot,
      configFile: path.join(workspaceRoot, 'pipeline.yaml'),
      env: 'dev',
      port: 0,
    });
  }, 120_000);

  afterAll(async () => {
    await dashboard?.close();
  });

  it('shows the run, each stage with its state, the failure, and the workflow diagram', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(dashboard.url);

      await page.waitForSelector(`tr.run[data-run="${runId}"]`);
      await page.waitForSelector('#stages tbody tr');
      const stageRows = await page.locator('#stages tbody tr').allInnerTexts();
      const diagramStages = await page
        .locator('#diagram .stage')
        .evaluateAll((els) =>
          els.map((el) => `${el.getAttribute('data-stage')}:${el.className.replace('stage ', '')}`),
        );
      const error = await page.locator('pre.error').textContent();

      expect(stageRows.map((r) => r.split('\t').slice(0, 3).join(' '))).toEqual([
        'source 1 SUCCEEDED',
        'etl 1 FAILED',
      ]);
      expect(diagramStages).toEqual(
        expect.arrayContaining([
          'source:SUCCEEDED',
          'etl:FAILED',
          'score:PENDING',
          'views:PENDING',
          'report:PENDING',
        ]),
      );
      expect(error).toContain('RejectRatioExceededError');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
