import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import type { CostReport } from '@lakepipe/cost';
import { newRunId } from '@lakepipe/lake';
import { serveLedgerApi } from '@lakepipe/ledger';
import { LedgerSeeder } from '@lakepipe/ledger/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiGateway, FakeSsm, TEST_CREDENTIALS } from '../cloud/test-support/fake-aws';
import { costCommand } from '../commands/cost';
import { type LocalLedger, openLocalLedger } from '../twin/local-ledger';

const workspaceRoot = path.resolve(__dirname, '../../../..');

describe('lakepipe cost --cloud (a deployed ledger behind a local API Gateway that checks SigV4)', () => {
  const runId = newRunId(new Date('2026-11-30T02:00:00Z'));
  let local: LocalLedger;
  let api: Awaited<ReturnType<typeof serveLedgerApi>>;
  let gateway: FakeApiGateway;
  let ssm: FakeSsm;
  let aws: { credentials: typeof TEST_CREDENTIALS; ssm: Awaited<ReturnType<FakeSsm['start']>> };

  beforeAll(async () => {
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    const lake = mkdtempSync(path.join(workspaceRoot, '.tmp', 'cost-cloud-'));
    local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
    const seed = new LedgerSeeder({ client: local.documents, tableName: local.tableName });
    await seed.startRun({ runId, pipeline: 'bench-quality', trigger: 'schedule' });
    for (const stageId of ['source', 'etl', 'score']) {
      const { attempt } = await seed.startStage({ runId, stageId });
      await seed.finishStage({ runId, stageId, attempt, status: 'SUCCEEDED' });
    }
    await seed.finishRun({ runId, status: 'SUCCEEDED' });
    api = await serveLedgerApi({ ledger: local.ledger, port: 0 });
    gateway = new FakeApiGateway(api.url);
    ssm = new FakeSsm({ '/lakepipe/dev/ledger-api/url': await gateway.start() });
    aws = { credentials: TEST_CREDENTIALS, ssm: await ssm.start() };
  }, 180_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), ssm?.stop(), api?.close()]);
    await local?.close();
  });

  it('prices the deployed runs with their recorded times, through signed requests', async () => {
    // Arrange
    const chunks: string[] = [];
    const before = gateway.requests.length;

    // Act
    const code = await costCommand(
      {
        env: 'dev',
        ledgerEnv: 'dev',
        months: '12',
        format: 'json',
        lake: '.lake',
        config: path.join(workspaceRoot, 'pipeline.yaml'),
        cloud: true,
      },
      { write: (text: string) => chunks.push(text) },
      { aws },
    );

    // Assert
    const report = JSON.parse(chunks.join('')) as CostReport;
    expect(code).toBe(0);
    expect(report.workload).toMatchObject({ from: 'ledger', runId });
    const etl = report.workload.stages.find((s) => s.stageId === 'etl')!;
    expect(etl.secondsFrom).toMatch(/^cloud ledger: \d+\.\d s as recorded$/);
    // a recorded attempt of well under a minute is billed the Glue minimum: 4 G.1X for 60 s at $0.44
    expect(report.perRun.byService.Glue).toBeCloseTo((4 * 60 * 0.44) / 3600, 12);
    const requests = gateway.requests.slice(before);
    expect(requests.map((r) => r.path)).toContain(`/runs/${runId}`);
    expect(requests.every((r) => r.authorization?.startsWith('AWS4-HMAC-SHA256 '))).toBe(true);
  });
});
