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
import { applyStack, planStack, readJsonFile, writeReview } from './stack-plan';
import { applyDestroyCommand, destroyPlanCommands, stackPaths } from './terraform';

export type EphemeralAction = 'deploy' | 'run' | 'destroy' | 'cycle';

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
    await applyStack({ ...options, target });
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
      for (const line of destroyPlanCommands(terraformOptions)) await options.runner.run(line);
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

/** Starts the pipeline's state machine for one run id and waits for it; anything but SUCCEEDED throws. */
export async function runPipeline(options: EphemeralOptions): Promise<PipelineRunResult> {
  const log = logOf(options);
  const client = options.sfn();
  const runId = options.runId ?? newRunId();
  const stateMachineArn =
    options.stateMachineArn ??
    defaultStateMachineArn(options.config, options.env, pipelineNameOf(options.workspaceRoot));
  const started = await client.send(
    // the execution name is the run id: a second start of the same run is refused by Step Functions
    new StartExecutionCommand({
      stateMachineArn,
      name: runId,
      input: JSON.stringify({ runId, trigger: 'jenkins-ephemeral' }),
    }),
  );
  const executionArn = started.executionArn!;
  log(`started ${executionArn} (run ${runId})`);
  const deadline = Date.now() + (options.timeoutMs ?? 6 * 3600_000);
  const interval = options.pollIntervalMs ?? 15_000;
  let described: DescribeExecutionCommandOutput;
  for (;;) {
    described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') break;
    if (Date.now() >= deadline) {
      await client.send(
        new StopExecutionCommand({
          executionArn,
          error: 'lakepipe.Timeout',
          cause: 'the ephemeral job stopped waiting',
        }),
      );
      throw new PipelineRunError(
        executionArn,
        'TIMED_OUT',
        `still running after ${options.timeoutMs ?? 6 * 3600_000} ms; stopped`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  const status = described.status ?? 'UNKNOWN';
  log(`${executionArn} ended ${status}`);
  if (status !== 'SUCCEEDED') {
    throw new PipelineRunError(
      executionArn,
      status,
      [described.error, described.cause].filter(Boolean).join(': '),
    );
  }
  return { runId, executionArn, status, output: described.output ? JSON.parse(described.output) : undefined };
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
