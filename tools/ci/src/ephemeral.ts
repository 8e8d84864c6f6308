import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { resourceName } from '@lakepipe/constructs';
import { newRunId } from '@lakepipe/lake';
import { parse as parseYaml } from 'yaml';
import { NotEphemeralError, PipelineRunError, PlanBlockedError, StackCatalogError } from './errors';
import type { CommandRunner } from './exec';
import { planReview } from './plan-review';
import { type DeliveryEnvConfig, type StackCatalogEntry, type StackTarget, toTarget } from './stack-catalog';
import {
  type ApplyRecordOptions,
  applyStack,
  planStack,
  prepareStackDir,
  readJsonFile,
  writeReview,
} from './stack-plan';
import { applyDestroyCommand, destroyPlanCommands, stackPaths } from './terraform';

/**
 * deploy | run | destroy | cycle, and the steps Jenkins uses to wait across credential sessions:
 * start (StartExecution), wait (DescribeExecution for one window), stop (StopExecution).
 */
export type EphemeralAction = 'deploy' | 'run' | 'destroy' | 'cycle' | 'start' | 'wait' | 'stop';

export interface EphemeralOptions {
  readonly workspaceRoot: string;
  readonly env: string;
  readonly config: DeliveryEnvConfig;
  readonly catalog: readonly StackCatalogEntry[];
  readonly runner: CommandRunner;
  /** builds the Step Functions client (tests point it at a local endpoint) */
  readonly sfn: () => SFNClient;
  /** @default a new run id (YYYYMMDDTHHMMSSZ-xxxxxx) */
  readonly runId?: string;
  /**
   * The state machine to start.
   * @default arn:aws:states:<region>:<account>:stateMachine:lakepipe-<env>-<name in pipeline.yaml>
   */
  readonly stateMachineArn?: string;
  /** @default 15 s between DescribeExecution calls */
  readonly pollIntervalMs?: number;
  /** @default 6 h; the execution is stopped when waiting longer */
  readonly timeoutMs?: number;
  /** @default process.env.TERRAFORM_BIN, else `terraform` */
  readonly terraformBin?: string;
  /** progress lines for the build log @default stderr */
  readonly log?: (line: string) => void;
  /**
   * Deploy records: each apply is refused unless its commit descends from the one last deployed to
   * the stack, and recorded after it.
   * @default no record (a run by hand)
   */
  readonly record?: ApplyRecordOptions;
  /** @default true: an apply without the stack's committed provider lock file is refused */
  readonly requireProviderLock?: boolean;
}

/** The compute stacks of an environment, in deploy order: only the ones the catalog marks ephemeral. */
export function ephemeralTargets(catalog: readonly StackCatalogEntry[], env: string): readonly StackTarget[] {
  return catalog.filter((entry) => entry.ephemeral).map((entry) => toTarget(entry, env));
}

/** The state machine the orchestration stack deploys: `lakepipe-<env>-<pipeline name>`. */
export function defaultStateMachineArn(config: DeliveryEnvConfig, env: string, pipelineName: string): string {
  return `arn:aws:states:${config.region}:${config.accountId}:stateMachine:${resourceName(env, pipelineName)}`;
}

/** The `name:` of <workspaceRoot>/pipeline.yaml (the full document is validated by @lakepipe/workflow). */
export function pipelineNameOf(workspaceRoot: string): string {
  const file = path.join(workspaceRoot, 'pipeline.yaml');
  const name = (parseYaml(readFileSync(file, 'utf8')) as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new StackCatalogError(file, [`name must be the pipeline's name (got ${JSON.stringify(name)})`]);
  }
  return name;
}

/** Plans, reviews and applies every ephemeral stack of the environment (a blocked review stops it). */
export async function deployEphemeral(options: EphemeralOptions): Promise<readonly string[]> {
  const deployed: string[] = [];
  for (const target of ephemeralTargets(options.catalog, options.env)) {
    assertEphemeral(options.catalog, target, 'deploy');
    logOf(options)(`deploying ${target.stackName}`);
    const review = await planStack({ ...options, target });
    if (review?.verdict === 'blocked') throw new PlanBlockedError(target.stackName, review.reasons);
    await applyStack({
      ...options,
      target,
      ...(options.record ? { record: options.record } : {}),
    });
    deployed.push(target.stackName);
  }
  return deployed;
}

/**
 * Destroys every ephemeral stack, newest first. Each destroy is planned and reviewed first: a destroy
 * plan that would delete a stateful resource (bucket, table, key, catalog) is refused in every
 * environment. One failing stack does not stop the others; the first error is thrown at the end.
 */
export async function destroyEphemeral(options: EphemeralOptions): Promise<readonly string[]> {
  const destroyed: string[] = [];
  const errors: Error[] = [];
  for (const target of [...ephemeralTargets(options.catalog, options.env)].reverse()) {
    try {
      assertEphemeral(options.catalog, target, 'destroy');
      logOf(options)(`destroying ${target.stackName}`);
      const terraformOptions = { ...options, target };
      const lockfileReadonly = prepareStackDir(terraformOptions);
      for (const line of destroyPlanCommands({ ...terraformOptions, lockfileReadonly }))
        await options.runner.run(line);
      const paths = stackPaths(options.workspaceRoot, target);
      if (existsSync(paths.destroyPlanJson)) {
        const review = planReview(readJsonFile(paths.destroyPlanJson), {
          env: target.env,
          stack: target.stackName,
          catalog: options.catalog,
          stateBucket: options.config.stateBucket,
          protectedEnvs: [target.env],
          source: paths.destroyPlanJson,
        });
        writeReview(
          paths.reviewMarkdown.replace(/\.md$/, '.destroy.md'),
          paths.reviewJson.replace(/\.json$/, '.destroy.json'),
          review,
        );
        if (review.verdict === 'blocked') throw new PlanBlockedError(target.stackName, review.reasons);
      }
      await options.runner.run(applyDestroyCommand(terraformOptions));
      destroyed.push(target.stackName);
    } catch (error) {
      logOf(options)(`destroy of ${target.stackName} failed: ${(error as Error).message}`);
      errors.push(error as Error);
    }
  }
  if (errors.length > 0) throw errors[0];
  return destroyed;
}

export interface PipelineRunResult {
  readonly runId: string;
  readonly executionArn: string;
  readonly status: string;
  readonly output?: unknown;
}

/** Starts the pipeline's state machine for one run id (the execution's name: a second start is refused). */
export async function startPipeline(
  options: EphemeralOptions,
): Promise<{ readonly runId: string; readonly executionArn: string }> {
  const runId = options.runId ?? newRunId();
  const stateMachineArn =
    options.stateMachineArn ??
    defaultStateMachineArn(options.config, options.env, pipelineNameOf(options.workspaceRoot));
  const started = await options.sfn().send(
    new StartExecutionCommand({
      stateMachineArn,
      name: runId,
      input: JSON.stringify({ runId, trigger: 'jenkins-ephemeral' }),
    }),
  );
  logOf(options)(`started ${started.executionArn} (run ${runId})`);
  return { runId, executionArn: started.executionArn! };
}

/** The execution is still running after the wait window: call `wait` again (with fresh credentials). */
export interface StillRunning {
  readonly executionArn: string;
  readonly status: 'RUNNING';
}

/**
 * Waits for an execution for at most `windowMs`: resolves with the result when it succeeded, with
 * `RUNNING` when the window ended first (Jenkins then takes fresh credentials and waits again: one
 * assumed-role session lasts an hour at most), and throws PipelineRunError when it failed.
 */
export async function waitForExecution(
  options: EphemeralOptions,
  executionArn: string,
  windowMs: number,
): Promise<PipelineRunResult | StillRunning> {
  const client = options.sfn();
  const deadline = Date.now() + windowMs;
  const interval = options.pollIntervalMs ?? 15_000;
  for (;;) {
    const described: DescribeExecutionCommandOutput = await client.send(
      new DescribeExecutionCommand({ executionArn }),
    );
    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') {
      const status = described.status ?? 'UNKNOWN';
      logOf(options)(`${executionArn} ended ${status}`);
      if (status !== 'SUCCEEDED') {
        throw new PipelineRunError(
          executionArn,
          status,
          [described.error, described.cause].filter(Boolean).join(': '),
        );
      }
      return {
        runId: described.name ?? '',
        executionArn,
        status,
        output: described.output ? JSON.parse(described.output) : undefined,
      };
    }
    if (Date.now() >= deadline) return { executionArn, status: 'RUNNING' };
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export function isStillRunning(result: PipelineRunResult | StillRunning): result is StillRunning {
  return !('runId' in result);
}

/** Stops an execution (the job failed, timed out or was aborted): no compute keeps running unwatched. */
export async function stopExecution(
  options: EphemeralOptions,
  executionArn: string,
  cause: string,
): Promise<void> {
  await options.sfn().send(new StopExecutionCommand({ executionArn, error: 'lakepipe.Stopped', cause }));
  logOf(options)(`stopped ${executionArn}: ${cause}`);
}

/**
 * Starts the pipeline and waits for it (one process, one credential session: for runs by hand; Jenkins
 * uses start/wait/stop). Any error while waiting, the timeout included, stops the execution first.
 */
export async function runPipeline(options: EphemeralOptions): Promise<PipelineRunResult> {
  const { executionArn } = await startPipeline(options);
  const timeoutMs = options.timeoutMs ?? 6 * 3600_000;
  let result: PipelineRunResult | StillRunning;
  try {
    result = await waitForExecution(options, executionArn, timeoutMs);
  } catch (error) {
    if (!(error instanceof PipelineRunError)) {
      await stopExecution(
        options,
        executionArn,
        `the ephemeral job failed while waiting: ${(error as Error).message}`,
      ).catch(() => undefined);
    }
    throw error;
  }
  if (isStillRunning(result)) {
    await stopExecution(options, executionArn, 'the ephemeral job stopped waiting');
    throw new PipelineRunError(executionArn, 'TIMED_OUT', `still running after ${timeoutMs} ms; stopped`);
  }
  return result;
}

/**
 * The nightly cycle: deploy the compute, run the pipeline, and destroy the compute whatever happened.
 * A failed run is reported after the destroy; a failed destroy is reported too (it leaves compute running).
 */
export async function ephemeralCycle(options: EphemeralOptions): Promise<PipelineRunResult> {
  let result: PipelineRunResult | undefined;
  let runError: unknown;
  try {
    await deployEphemeral(options);
    result = await runPipeline(options);
  } catch (error) {
    runError = error;
  }
  try {
    await destroyEphemeral(options);
  } catch (destroyError) {
    if (runError === undefined) throw destroyError;
    logOf(options)(`destroy after a failed run also failed: ${(destroyError as Error).message}`);
  }
  if (runError !== undefined) throw runError;
  return result!;
}

function assertEphemeral(catalog: readonly StackCatalogEntry[], target: StackTarget, action: string): void {
  if (!catalog.find((entry) => entry.id === target.id)?.ephemeral)
    throw new NotEphemeralError(target.stackName, action);
}

function logOf(options: EphemeralOptions): (line: string) => void {
  return options.log ?? ((line) => process.stderr.write(`${line}\n`));
}
