import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FolderObjectStore, lakePrefixes, newRunId } from '@lakepipe/lake';
import type { RunWithStages } from '@lakepipe/ledger';
import { datasetRunPrefixes, LocalNotifier } from '@lakepipe/notifier';
import { loadPipeline, localExecutionContext, type PipelineModel, type StageType } from '@lakepipe/workflow';
import { LocalRunFailedError, RedriveRefusedError } from '../errors';
import '@lakepipe/workflow/polyfills';
import { createStageRegistry } from '../stage-registry';
import { bindLocalHandlers } from './bindings';
import { compileForLocalRun } from './compile';
import type { FailureInjection } from './fail-injection';
import { acquireRunLock, markLakeIfNew } from './lake-lock';
import { openLocalLedger } from './local-ledger';
import { abortOrphanedRuns } from './orphans';
import type { RunObserver } from './progress';
import { localRetryIntervals } from './retry-intervals';
import { ensureSample, withDirectorySource } from './sample';

export interface LocalRunOptions {
  /** the pipeline file. @default pipeline.yaml in the current folder */
  readonly configFile: string;
  /** the local lake. @default .lake */
  readonly lakeRoot: string;
  /** read source files from this folder instead of the generated sample. @default the generated sample in landing/ */
  readonly sourceDir?: string;
  /** rows of the generated sample. @default 100,000 */
  readonly rows: number;
  readonly fail?: FailureInjection;
  /** the environment whose names the ASL is compiled with. @default dev */
  readonly env: string;
  readonly observer?: RunObserver;
  /** retry pauses are divided by this. @default 20 */
  readonly retrySpeedup?: number;
  /** for tests: a fixed run id. @default a new time-sortable id */
  readonly runId?: string;
  /**
   * Stage types registered beside the services' (a new type under test, docs/adding-a-stage-type.md).
   * @default none
   */
  readonly stageTypes?: readonly StageType[];
  /**
   * Resume the FAILED or ABORTED run `runId` (`lakepipe redrive`): the same run id, stages that
   * succeeded are skipped, the rest get new attempts; the sample is not generated again.
   * @default false: a new run
   */
  readonly redrive?: boolean;
  /**
   * Told when the run waits: for another run holding the lake, or for the ledger server to start.
   * @default the observer's message line
   */
  readonly onWait?: (message: string) => void;
}

export interface LocalRunResult {
  readonly runId: string;
  readonly ok: boolean;
  readonly run?: RunWithStages;
  /** what the state machine returned (success) */
  readonly output?: Record<string, unknown>;
  readonly error?: LocalRunFailedError;
  readonly notifications: readonly string[];
  readonly lakeRoot: string;
  readonly pipeline: PipelineModel;
  readonly sample?: { readonly files: number; readonly rows: number; readonly generated: boolean };
}

/**
 * Runs the pipeline on this machine: the very ASL compiled for AWS, executed by
 * aws-local-stepfunctions, each Task bound to its local engine (stage steps), to DynamoDB Local
 * (ledger tasks, verbatim) or to the local notifier (SNS publish).
 */
export async function runLocalPipeline(options: LocalRunOptions): Promise<LocalRunResult> {
  const lakeRoot = path.resolve(options.lakeRoot);
  mkdirSync(lakeRoot, { recursive: true });
  markLakeIfNew(lakeRoot);
  if (options.redrive && !options.runId)
    throw new RedriveRefusedError('(none)', 'redrive needs the run id to resume');
  const runId = options.runId ?? newRunId();
  const onWait = options.onWait ?? ((message: string) => options.observer?.message?.(message));
  // One run writes a lake at a time; a second one waits here and says so (a dead holder is taken over).
  const releaseRunLock = await acquireRunLock(lakeRoot, runId, onWait);
  try {
    return await runLocked(options, lakeRoot, runId, onWait);
  } finally {
    releaseRunLock();
  }
}

async function runLocked(
  options: LocalRunOptions,
  lakeRoot: string,
  runId: string,
  onWait: (message: string) => void,
): Promise<LocalRunResult> {
  const registry = createStageRegistry(options.stageTypes);
  let pipeline = loadPipeline(options.configFile, registry);
  const store = new FolderObjectStore(lakeRoot);
  let sample: LocalRunResult['sample'];
  if (options.sourceDir) {
    pipeline = withDirectorySource(pipeline, path.resolve(options.sourceDir));
  } else if (!options.redrive) {
    sample = await ensureSample({ store, lakeRoot, pipeline, rows: options.rows });
  }

  const { target, compiled } = compileForLocalRun(pipeline, options.env, options.stageTypes);
  const observer = options.observer;
  const notifications: string[] = [];
  const notifier = new LocalNotifier({
    lakeRoot,
    prefixesFor: (stage, id) => stagePrefixes(pipeline, stage, id),
    write: (line: string) => {
      notifications.push(line);
      observer?.notification(line);
    },
  });
  const local = await openLocalLedger(lakeRoot, target.ledgerTable, { onWait });
  try {
    // this command holds the lake: any other run the ledger calls RUNNING lost its process
    await abortOrphanedRuns(local, lakeRoot);
    if (options.redrive) {
      const earlier = await local.ledger.getRun(runId);
      if (!earlier) throw new RedriveRefusedError(runId, `the ledger of ${lakeRoot} has no such run`);
      if (earlier.status === 'SUCCEEDED')
        throw new RedriveRefusedError(runId, 'it SUCCEEDED: there is nothing to resume');
    }
    const input: Record<string, string | boolean> = options.redrive
      ? { runId, trigger: 'redrive', redrive: true }
      : { runId, trigger: 'local' };
    const handlers = bindLocalHandlers({
      compiled,
      target,
      registry,
      pipeline,
      env: options.env,
      runId,
      lakeRoot,
      store,
      local,
      notifier,
      observer,
      fail: options.fail,
    });
    const { StateMachine } = await import('aws-local-stepfunctions');
    const machine = new StateMachine(compiled.definition as never, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    const execution = machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: localRetryIntervals(compiled.definition, options.retrySpeedup ?? 20),
      },
      context: {
        ...localExecutionContext(),
        Execution: {
          Id: `arn:aws:states:${target.region}:${target.accountId}:execution:${target.resourceName('pipeline')}:${runId}`,
          Name: runId,
          Input: input,
          StartTime: new Date().toISOString(),
          RoleArn: `arn:aws:iam::${target.accountId}:role/${target.resourceName('pipeline')}`,
        },
        StateMachine: {
          Id: `arn:aws:states:${target.region}:${target.accountId}:stateMachine:${target.resourceName('pipeline')}`,
          Name: target.resourceName('pipeline'),
        },
      } as never,
    });
    let output: Record<string, unknown> | undefined;
    let failure: { name: string; cause: string } | undefined;
    try {
      output = (await execution.result) as Record<string, unknown>;
    } catch (error) {
      failure = describeExecutionError(error);
    }
    const run = await local.ledger.getRun(runId);
    if (failure) {
      const stageId = run?.error?.stageId ?? lastFailedStage(run);
      const error = new LocalRunFailedError(
        runId,
        stageId,
        run?.error?.name ?? failure.name,
        run?.error?.cause ?? failure.cause,
      );
      return { runId, ok: false, run, error, notifications, lakeRoot, pipeline, sample };
    }
    return { runId, ok: true, run, output, notifications, lakeRoot, pipeline, sample };
  } finally {
    observer?.close();
    await local.close();
  }
}

function describeExecutionError(error: unknown): { name: string; cause: string } {
  const e = error as { name?: string; message?: string; cause?: unknown };
  // aws-local-stepfunctions wraps the failure in ExecutionError whose cause is the state's error
  const inner = (e.cause ?? e) as { name?: string; message?: string };
  return { name: inner.name ?? 'Error', cause: inner.message ?? String(error) };
}

function lastFailedStage(run: RunWithStages | undefined): string | undefined {
  return [...(run?.stages ?? [])].reverse().find((s) => s.status === 'FAILED')?.stageId;
}

/** The lake prefixes a failed stage read or wrote, for its notification ("etl #2" is stage etl). */
function stagePrefixes(pipeline: PipelineModel, stage: string, runId: string): readonly string[] {
  const attributes = (pipeline.stages[stage.split(' #')[0]!]?.attributes ?? {}) as {
    dataset?: string;
    datasets?: string[];
  };
  const datasets = attributes.dataset
    ? [attributes.dataset]
    : (attributes.datasets ?? Object.keys(pipeline.datasets));
  return [...datasets.flatMap((ds) => datasetRunPrefixes(ds, runId)), lakePrefixes.manifests(runId)];
}
