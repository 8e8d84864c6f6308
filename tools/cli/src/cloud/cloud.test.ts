import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs/env';
import { writeStageManifest } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import type { Ledger } from '@lakepipe/ledger';
import { serveLedgerApi } from '@lakepipe/ledger';
import { LedgerSeeder } from '@lakepipe/ledger/test-support';
import { s3ClientFor, startS3Server } from '@lakepipe/testing';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineForCli } from '../stage-registry';
import { compileForLocalRun } from '../twin/compile';
import { openLocalLedger } from '../twin/local-ledger';
import { cloudRunCommand, cloudStatusCommand, startCloudDashboard } from './commands';
import { cloudContextFor, findDeployment } from './context';
import { DeploymentNotFoundError, MissingCredentialsError } from './errors';
import { stageStatesOf } from './executions';
import {
  FakeApiGateway,
  FakeSsm,
  FakeStepFunctions,
  type ScriptedEvent,
  type ScriptedExecution,
  TEST_CREDENTIALS,
  taskEvents,
} from './test-support/fake-aws';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const pipelineFile = path.join(workspaceRoot, 'pipeline.yaml');
const MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:lakepipe-dev-bench-quality';
const LAKE_BUCKET = 'lakepipe-dev-lake-111111111111-eu-west-1';

function capture() {
  const chunks: string[] = [];
  return { out: { write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

/** The state names AWS reports for each stage: the compiler's, as deployed. */
const states = (() => {
  const { compiled } = compileForLocalRun(loadPipelineForCli(pipelineFile), 'dev');
  const byStage: Record<string, string[]> = {};
  for (const [name, s] of stageStatesOf(compiled)) {
    if (!name.includes(' #')) byStage[s.stageId] = [...(byStage[s.stageId] ?? []), name];
  }
  return byStage;
})();

const ok = { ok: true } as const;
const failure = (cause: string) => ({ ok: false, error: 'States.TaskFailed', cause }) as const;

/** The ledger items a deployed run writes (its state machine's requests), so status and the summary have something to read. */
async function recordRun(seed: LedgerSeeder, runId: string, outcome: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT') {
  await seed.startRun({ runId, pipeline: 'bench-quality', trigger: 'cli' });
  const stage = async (
    stageId: string,
    status: 'SUCCEEDED' | 'FAILED',
    counts = {},
    error?: { name: string; cause: string },
  ) => {
    const { attempt } = await seed.startStage({ runId, stageId });
    await seed.finishStage(
      status === 'SUCCEEDED'
        ? { runId, stageId, attempt, status, counts }
        : { runId, stageId, attempt, status, error: error ?? { name: 'States.TaskFailed', cause: '' } },
    );
  };
  await stage('source', 'SUCCEEDED', { files: 4, duplicates: 0, skipped: 1 });
  await stage(
    'etl',
    'FAILED',
    {},
    { name: 'States.TaskFailed', cause: 'Glue job run failed: executor lost' },
  );
  await stage('etl', 'SUCCEEDED', { filesRead: 4, rowsRead: 1000, curatedRows: 990, rejectedRows: 10 });
  if (outcome === 'SUCCEEDED') {
    await stage('score', 'SUCCEEDED', { scoredRows: 990, flaggedRows: 120 });
    await stage('views', 'SUCCEEDED');
    await stage('report', 'SUCCEEDED');
    await seed.finishRun({ runId, status: 'SUCCEEDED' });
  } else if (outcome === 'FAILED') {
    const error = { name: 'ModelError', cause: 'the model container exited with 137' };
    for (let i = 0; i < 3; i++) await stage('score', 'FAILED', {}, error);
    await seed.finishRun({ runId, status: 'FAILED', error: { stageId: 'score', ...error } });
  }
}

function history(outcome: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'): ScriptedEvent[] {
  const events: ScriptedEvent[] = [
    { type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
    ...taskEvents(states.source![0]!, [ok]),
    ...taskEvents(states.etl![0]!, [failure('Glue job run failed: executor lost'), ok]),
  ];
  if (outcome === 'SUCCEEDED') {
    events.push(
      ...taskEvents(states.score![0]!, [ok]),
      ...taskEvents(states.score![1]!, [ok]),
      ...taskEvents(states.views![0]!, [ok]),
      ...taskEvents(states.report![0]!, [ok]),
      { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{"ok":true}' } },
    );
  } else if (outcome === 'FAILED') {
    const cause = 'the model container exited with 137';
    events.push(...taskEvents(states.score![0]!, [failure(cause), failure(cause), failure(cause)]), {
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'ModelError', cause },
    });
  } else {
    events.push(...taskEvents(states.score![0]!, [{ timedOut: true }]), {
      type: 'ExecutionTimedOut',
      executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'execution exceeded its 3600 s' },
    });
  }
  return events;
}

describe('the CLI against a deployed pipeline (local SSM, Step Functions and API Gateway speaking AWS protocols)', () => {
  let ledger: Ledger;
  let seed: LedgerSeeder;
  let closeLedger: () => Promise<void>;
  let api: Awaited<ReturnType<typeof serveLedgerApi>>;
  let gateway: FakeApiGateway;
  let ssm: FakeSsm;
  let sfn: FakeStepFunctions;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let aws: Parameters<typeof cloudContextFor>[1] & object;
  let nextOutcome: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' = 'SUCCEEDED';
  const started: string[] = [];

  beforeAll(async () => {
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    const lake = mkdtempSync(path.join(workspaceRoot, '.tmp', 'cloud-'));
    const local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
    ledger = local.ledger;
    seed = new LedgerSeeder({ client: local.documents, tableName: local.tableName });
    closeLedger = () => local.close();
    api = await serveLedgerApi({ ledger, port: 0 });
    gateway = new FakeApiGateway(api.url);
    const gatewayUrl = await gateway.start();
    s3 = await startS3Server({ buckets: [LAKE_BUCKET] });
    ssm = new FakeSsm({
      '/lakepipe/dev/ledger-api/url': gatewayUrl,
      '/lakepipe/dev/orchestration/bench-quality/state-machine-arn': MACHINE,
      '/lakepipe/dev/storage/lake-bucket-name': LAKE_BUCKET,
    });
    sfn = new FakeStepFunctions(async ({ runId }): Promise<ScriptedExecution> => {
      started.push(runId);
      await recordRun(seed, runId, nextOutcome);
      return { events: history(nextOutcome), perPoll: 4, output: '{"ok":true}' };
    });
    aws = {
      credentials: TEST_CREDENTIALS,
      ssm: await ssm.start(),
      sfn: await sfn.start(),
      s3: s3ClientFor(s3.endpoint),
    };
  }, 180_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), ssm?.stop(), sfn?.stop(), api?.close(), s3?.stop()]);
    await closeLedger?.();
  });

  it('runs the deployed state machine and follows it with the twin display, through throttling, to the summary', async () => {
    nextOutcome = 'SUCCEEDED';
    sfn.throttle.StartExecution = 1;
    sfn.throttle.GetExecutionHistory = 2;
    gateway.throttleNext = 1;
    const { out, text } = capture();
    const progress = capture();

    const code = await cloudRunCommand({ env: 'dev', config: pipelineFile }, out, {
      aws,
      pollMs: 1,
      progressOut: progress.out,
    });

    const runId = started.at(-1)!;
    expect(code).toBe(0);
    expect(sfn.calls.find((c) => c.action === 'StartExecution')!.body).toEqual({
      stateMachineArn: MACHINE,
      name: runId,
      input: JSON.stringify({ runId, trigger: 'cli' }),
    });
    // each throttled call was answered ThrottlingException once and retried by the SDK
    expect(sfn.calls.filter((c) => c.action === 'StartExecution')).toHaveLength(2);
    expect(progress.text().split('\n')).toEqual(
      expect.arrayContaining([
        '▶ source: attempt 1 started',
        expect.stringMatching(/^✔ source: attempt 1 succeeded/),
        '▶ etl: attempt 1 started',
        '✖ etl: attempt 1 failed: States.TaskFailed: Glue job run failed: executor lost',
        '▶ etl: attempt 2 started',
        expect.stringMatching(/^✔ etl: attempt 2 succeeded \([\d,]+ rows\/s\)$|^✔ etl: attempt 2 succeeded$/),
        expect.stringMatching(/^✔ report: attempt 1 succeeded/),
      ]),
    );
    expect(text()).toContain(`lakepipe · bench-quality · AWS dev (eu-west-1) · run ${runId}`);
    expect(text()).toMatch(/etl +spark-etl +SUCCEEDED +2 .* 1,000 +990 +10/);
    expect(text()).toMatch(/warn +notify +NOT RUN/);
    expect(text()).toContain(`npx lakepipe status ${runId} --env dev`);
  });

  it('prints only the execution ARN with --no-follow', async () => {
    nextOutcome = 'SUCCEEDED';
    const { out, text } = capture();

    const code = await cloudRunCommand({ env: 'dev', config: pipelineFile, follow: false }, out, { aws });

    expect(code).toBe(0);
    expect(text()).toBe(`${MACHINE.replace(':stateMachine:', ':execution:')}:${started.at(-1)}\n`);
  });

  it('follows an execution that fails to the stage, attempt and cause, and exits 1', async () => {
    nextOutcome = 'FAILED';
    const { out, text } = capture();
    const progress = capture();

    const code = await cloudRunCommand({ env: 'dev', config: pipelineFile }, out, {
      aws,
      pollMs: 1,
      progressOut: progress.out,
    });

    expect(code).toBe(1);
    expect(progress.text()).toContain(
      '✖ score: attempt 3 failed: States.TaskFailed: the model container exited with 137',
    );
    expect(text()).toContain(
      `run ${started.at(-1)} FAILED in stage score: ModelError: the model container exited with 137\n`,
    );
    expect(text()).toMatch(/score +sagemaker-scoring +FAILED +3/);
  });

  it('follows an execution that times out and says so', async () => {
    nextOutcome = 'TIMED_OUT';
    const { out, text } = capture();
    const progress = capture();

    const code = await cloudRunCommand({ env: 'dev', config: pipelineFile }, out, {
      aws,
      pollMs: 1,
      progressOut: progress.out,
    });

    expect(code).toBe(1);
    expect(progress.text()).toContain('✖ score: attempt 1 failed: States.Timeout');
    expect(text()).toContain(
      `run ${started.at(-1)} TIMED_OUT in stage score: States.Timeout: execution exceeded its 3600 s\n`,
    );
  });

  it('reads status from the cloud ledger with SigV4-signed requests, retrying a throttled one', async () => {
    gateway.throttleNext = 1;
    const before = gateway.requests.length;
    const { out, text } = capture();

    const code = await cloudStatusCommand(undefined, { env: 'dev', limit: '10' }, out, { aws });

    const requests = gateway.requests.slice(before);
    expect(code).toBe(0);
    expect(requests.map((r) => r.path)).toEqual(['/runs?limit=10', '/runs?limit=10']);
    expect(requests[1]!.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLAKEPIPETEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    const lines = text().split('\n');
    expect(lines[0]).toMatch(/^run +pipeline +status +started +took +curated +rejected +scored +error$/);
    // run ids sort by second, then by their random suffix: compare as sets
    expect(new Set(lines.slice(2, 6).map((l) => l.split(/ +/)[0]))).toEqual(new Set(started));
    expect(text()).toContain('score ModelError: the model container exited with 137');
  });

  it('shows one cloud run with its attempts and the files it did not land, read from the lake bucket', async () => {
    const runId = started[0]!;
    await writeStageManifest(new S3ObjectStore({ client: aws.s3!, bucket: LAKE_BUCKET }), {
      runId,
      stageId: 'source',
      stageType: 'sourcing',
      engine: 'lambda',
      counts: { files: 4, skipped: 1 },
      outputs: [],
      startedAt: new Date(),
      details: {
        notLanded: [
          {
            dataset: 'bench_tests',
            name: 'x.bin',
            source: 'landing/bench_tests/x.bin',
            status: 'skipped',
            reason: 'binary',
          },
        ],
      },
    });
    const { out, text } = capture();

    const code = await cloudStatusCommand(runId, { env: 'dev', limit: '10' }, out, { aws });

    expect(code).toBe(0);
    expect(text()).toMatch(/etl +1 +FAILED .*States\.TaskFailed: Glue job run failed: executor lost/);
    expect(text()).toMatch(/landing\/bench_tests\/x\.bin +skipped +binary/);
  });

  it('serves the same dashboard over the cloud ledger, read-only', async () => {
    const dashboard = await startCloudDashboard({ env: 'dev', config: pipelineFile, port: 0 }, { aws });
    try {
      const meta = (await (await fetch(`${dashboard.url}/dashboard`)).json()) as { source: string };
      const runs = (await (await fetch(`${dashboard.url}/runs`)).json()) as { items: { runId: string }[] };
      const details = (await (await fetch(`${dashboard.url}/runs/${started[0]}/details`)).json()) as {
        notLanded: { name: string }[];
        queries: { command: string }[];
      };
      const write = await fetch(`${dashboard.url}/runs`, { method: 'POST', body: '{}' });

      // the page itself, in a browser, over the cloud ledger
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--no-first-run',
        ],
      });
      let shown: { source: string; runs: number };
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(`${dashboard.url}/`);
        await page.waitForSelector('body[data-ready="true"]');
        await page.waitForSelector('#queries li');
        shown = {
          source: await page.locator('#source').innerText(),
          runs: await page.locator('#runs tbody tr').count(),
        };
        mkdirSync(path.resolve(__dirname, '../../.artifacts'), { recursive: true });
        await page.screenshot({
          path: path.resolve(__dirname, '../../.artifacts/dashboard-cloud.png'),
          fullPage: true,
        });
      } finally {
        await browser.close();
      }

      expect(shown.source).toBe('AWS dev (eu-west-1) · read-only');
      expect(shown.runs).toBe(started.length);
      expect(meta.source).toBe('AWS dev (eu-west-1) · read-only');
      expect(new Set(runs.items.map((r) => r.runId))).toEqual(new Set(started));
      expect(details.notLanded.map((f) => f.name)).toEqual(['x.bin']);
      expect(details.queries[0]!.command).toMatch(/ --athena --env dev$/);
      expect(write.status).toBe(404);
    } finally {
      await dashboard.close();
    }
  });

  it('names the stack that is not deployed, and missing or rejected credentials, with how to fix them', async () => {
    const context = cloudContextFor('dev', { ...aws, ssm: await new FakeSsm({}).start() });
    await expect(findDeployment(context, { ledgerApi: true })).rejects.toThrow(DeploymentNotFoundError);
    await expect(findDeployment(context, { pipeline: 'bench-quality' })).rejects.toThrow(
      'the orchestration stack of --env dev is not deployed: SSM parameter /lakepipe/dev/orchestration/bench-quality/state-machine-arn does not exist in eu-west-1.',
    );

    const rejecting = new FakeSsm({});
    rejecting.failWith = 'UnrecognizedClientException';
    const rejected = cloudContextFor('dev', { ...aws, ssm: await rejecting.start() });
    await expect(findDeployment(rejected, { ledgerApi: true })).rejects.toThrow(MissingCredentialsError);
    await rejecting.stop();

    const unreachable = cloudContextFor('dev', {
      ...aws,
      ssm: new SSMClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'eu-west-1',
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
      }),
    });
    await expect(findDeployment(unreachable, { ledgerApi: true })).rejects.toThrow(
      'could not reach SSM in eu-west-1 for --env dev (connect ECONNREFUSED 127.0.0.1:9): check the network or proxy',
    );

    const none = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    const { out } = capture();
    await expect(
      cloudStatusCommand(undefined, { env: 'dev', limit: '10' }, out, { aws: { ...aws, credentials: none } }),
    ).rejects.toThrow(
      'no usable AWS credentials for --env dev (Could not load credentials from any providers): sign in with `aws sso login --profile <profile>` and set AWS_PROFILE',
    );
  });
});
