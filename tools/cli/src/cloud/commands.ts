import { newRunId } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import type { RunWithStages } from '@lakepipe/ledger';
import { type DashboardSource, serveDashboard } from '../serve/dashboard';
import { pipelineGraph } from '../serve/lake-pipeline';
import { readRunDetails } from '../serve/run-details';
import { loadPipelineForCli } from '../stage-registry';
import { type CloudContext, type CloudContextOverrides, cloudContextFor, findDeployment } from './context';
import { CloudLedgerClient } from './ledger-client';

type Out = { write(text: string): unknown; isTTY?: boolean };

export interface CloudCommandDeps {
  /** AWS clients, credentials, fetch: tests point them at local servers. @default the environment's */
  readonly aws?: CloudContextOverrides;
  /** between two reads of the execution history. @default 2000 ms */
  readonly pollMs?: number;
  /** where the progress display writes. @default process.stderr */
  readonly progressOut?: Out;
}

function ledgerOf(context: CloudContext, ledgerApiUrl: string): CloudLedgerClient {
  return new CloudLedgerClient({
    baseUrl: ledgerApiUrl,
    region: context.region,
    credentials: context.credentials,
    fetch: context.fetch,
  });
}

/** `lakepipe status --env ENV [RUN_ID]`: the deployed ledger through its HTTP API (SigV4). */
export async function cloudStatusCommand(
  runId: string | undefined,
  options: { readonly env: string; readonly json?: boolean; readonly limit: string },
  out: Out = process.stdout,
  deps: CloudCommandDeps = {},
): Promise<number> {
  const [{ assertRunId }, { printStatus }] = await Promise.all([
    import('@lakepipe/lake'),
    import('../commands/status'),
  ]);
  if (runId !== undefined) assertRunId(runId);
  const context = cloudContextFor(options.env, deps.aws);
  try {
    const deployment = await findDeployment(context, { ledgerApi: true, lake: true });
    const store = deployment.lakeBucket ? s3Store(context, deployment.lakeBucket) : undefined;
    return await printStatus(
      {
        ledger: ledgerOf(context, deployment.ledgerApiUrl!),
        where: `the ${options.env} ledger (AWS ${context.region})`,
        hint: ` --env ${options.env}`,
        details: store
          ? (id) => readRunDetails(id, { store, queryFlags: `--athena --env ${options.env}` })
          : undefined,
      },
      runId,
      options,
      out,
    );
  } finally {
    context.close();
  }
}

function s3Store(context: CloudContext, bucket: string): S3ObjectStore {
  return new S3ObjectStore({
    client: context.s3(),
    bucket,
  });
}

export interface CloudRunOptions {
  readonly env: string;
  readonly config: string;
  /** @default true: follow the execution until it ends */
  readonly follow?: boolean;
  /**
   * Resume this FAILED or ABORTED run: a new execution of the same run id with `redrive: true`, in
   * which the stages that succeeded are skipped (see packages/workflow/src/compile/redrive.ts).
   * @default a new run
   */
  readonly redrive?: string;
}

/**
 * `lakepipe run --env ENV`: StartExecution on the pipeline's deployed state machine (found through
 * SSM), then the twin's progress display fed from the execution history until it ends, and the
 * twin's summary table from the cloud ledger. `--no-follow` prints the execution ARN and returns.
 */
export async function cloudRunCommand(
  options: CloudRunOptions,
  out: Out = process.stdout,
  deps: CloudCommandDeps = {},
): Promise<number> {
  const [{ compileForLocalRun }, { ProgressDisplay }, summary, { PipelineExecutions, stageStatesOf }] =
    await Promise.all([
      import('../twin/compile'),
      import('../twin/progress'),
      import('../twin/summary'),
      import('./executions'),
    ]);
  const pipeline = loadPipelineForCli(options.config);
  const context = cloudContextFor(options.env, deps.aws);
  try {
    const deployment = await findDeployment(context, { pipeline: pipeline.name });
    // the ledger API is only needed for rows and the summary: a run can start without it
    const ledgerApiUrl = await findDeployment(context, { ledgerApi: true }).then(
      (d) => d.ledgerApiUrl,
      () => undefined,
    );
    const executions = new PipelineExecutions({
      sfn: context.sfn,
      stateMachineArn: deployment.stateMachineArn!,
      env: options.env,
    });
    const runId = options.redrive ?? newRunId();
    const { executionArn } = await executions.start(
      runId,
      options.redrive ? 'redrive' : 'cli',
      options.redrive ? { redrive: true } : {},
    );
    const consoleUrl = `https://${context.region}.console.aws.amazon.com/states/home?region=${context.region}#/v2/executions/details/${executionArn}`;
    if (options.follow === false) {
      out.write(`${executionArn}\n`);
      return 0;
    }
    out.write(`lakepipe · ${pipeline.name} · AWS ${options.env} (${context.region}) · run ${runId}\n`);
    out.write(`execution: ${executionArn}\n`);
    const { compiled } = compileForLocalRun(pipeline, options.env);
    const ledger = ledgerApiUrl ? ledgerOf(context, ledgerApiUrl) : undefined;
    const display = new ProgressDisplay(Object.keys(pipeline.stages), deps.progressOut ?? process.stderr);
    const rowsOf = async (stageId: string) => {
      const run = await ledger?.getRun(runId).catch(() => undefined);
      const last = run?.stages.filter((s) => s.stageId === stageId).at(-1);
      if (!last) return;
      const c = last.counts;
      const rows = c.scoredRows ?? c.rowsRead ?? c.curatedRows;
      display.stageProgress(stageId, { rows, files: c.files ?? c.filesRead });
    };
    const outcome = await executions.follow(executionArn, {
      observer: display,
      stageStates: stageStatesOf(compiled),
      pollMs: deps.pollMs,
      onStageSucceeded: ledger ? rowsOf : undefined,
    });
    let run: RunWithStages | undefined;
    if (ledger) run = await ledger.getRun(runId).catch(() => undefined);
    if (run) out.write(`\n${summary.renderStageSummary(summary.summarizeStages(pipeline, run))}\n\n`);
    else out.write('\n(the ledger API of this environment is not deployed: no row counts)\n\n');
    out.write(`run id:    ${runId}\nexecution: ${consoleUrl}\n`);
    if (outcome.status !== 'SUCCEEDED') {
      const stageId = run?.error?.stageId ?? outcome.failedStage;
      const name = run?.error?.name ?? outcome.error ?? '';
      const cause = run?.error?.cause ?? outcome.cause ?? '';
      out.write(
        `run ${runId} ${outcome.status}${stageId ? ` in stage ${stageId}` : ''}${name ? `: ${name}` : ''}${cause ? `: ${cause}` : ''}\n`,
      );
      return 1;
    }
    out.write(
      [
        '',
        'Try next:',
        `  npx lakepipe status ${runId} --env ${options.env}`,
        `  npx lakepipe serve --env ${options.env}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    context.close();
  }
}

export interface CloudDashboardOptions {
  readonly env: string;
  readonly config: string;
  /** @default 8080 */
  readonly port?: number;
}

/** `lakepipe serve --env ENV`: the same page over the cloud ledger (read-only), details from the lake bucket. */
export async function startCloudDashboard(
  options: CloudDashboardOptions,
  deps: CloudCommandDeps = {},
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const pipeline = loadPipelineForCli(options.config);
  const context = cloudContextFor(options.env, deps.aws);
  try {
    const deployment = await findDeployment(context, { ledgerApi: true, lake: true });
    const store = deployment.lakeBucket ? s3Store(context, deployment.lakeBucket) : undefined;
    const source: DashboardSource = {
      ledger: ledgerOf(context, deployment.ledgerApiUrl!),
      pipeline: pipelineGraph(pipeline),
      description: `AWS ${options.env} (${context.region}) · read-only`,
      details: async (runId) =>
        store
          ? readRunDetails(runId, {
              store,
              queryFlags: `--athena --env ${options.env}`,
              datasets: Object.keys(pipeline.datasets),
            })
          : { unavailable: `the lake bucket parameter of ${options.env} is not published`, queries: [] },
      close: async () => context.close(),
    };
    return await serveDashboard(source, { port: options.port });
  } catch (error) {
    context.close();
    throw error;
  }
}
