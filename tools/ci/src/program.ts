import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type AffectedTarget, affected, allTargets } from './affected';
import { addCostToStackReview, readCostSection, withCostFile } from './cost-section';
import {
  assertDescendsFrom,
  type DeployRecordStore,
  memoryRecordStore,
  resolveCommit,
  s3RecordStore,
} from './deploy-record';
import { driftCheck, driftNotification, errorTopicNotifier } from './drift';
import {
  deployEphemeral,
  destroyEphemeral,
  type EphemeralAction,
  type EphemeralOptions,
  ephemeralCycle,
  isStillRunning,
  runPipeline,
  startPipeline,
  stopExecution,
  waitForExecution,
} from './ephemeral';
import { ApplyNotAllowedError, NothingPromotedError } from './errors';
import { type CommandRunner, dryRunner, processRunner } from './exec';
import { allowancesFromEnv } from './plan-review';
import { BLOCKED_EXIT_CODE, planReviewCommand, type ReviewFormat } from './plan-review-command';

import { renderPlanReviewMarkdown } from './render';
import {
  applyRefusal,
  type DeliveryEnvConfig,
  deployerRoleName,
  findStack,
  listEnvironments,
  loadDeliveryEnvConfig,
  loadStackCatalog,
  plannerRoleName,
  protectedEnvironments,
  toTarget,
} from './stack-catalog';
import { applyStack, planStack } from './stack-plan';
import { providerLockFile, providersLockCommand, stackPaths } from './terraform';
import { findWorkspaceRoot } from './workspace';

/** How the affected stacks are printed: `lines` (`<id> <env>` per line) is what the Jenkinsfiles read. */
export type TargetsFormat = 'lines' | 'json' | 'table';

/** Prints targets: `lines` for Jenkins, `json` for tools, `table` for people. */
export function formatTargets(targets: readonly AffectedTarget[], format: TargetsFormat): string {
  if (format === 'json') return `${JSON.stringify(targets, null, 2)}\n`;
  if (format === 'lines') return targets.map((t) => `${t.id} ${t.env}\n`).join('');
  if (targets.length === 0) return 'no stack is affected\n';
  const width = Math.max(...targets.map((t) => t.stackName.length));
  return targets
    .map(
      (t) =>
        `${t.stackName.padEnd(width)}  ${t.ephemeral ? 'ephemeral' : 'always-on'}  ${t.reasons.join('; ')}\n`,
    )
    .join('');
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parsePositiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError(`must be a positive number of seconds (got ${value})`);
  return seconds;
}

/** Exit code of `ephemeral wait` when the execution is still running: wait again with fresh credentials. */
export const STILL_RUNNING_EXIT_CODE = 3;

/** Deploy records in the environment's state bucket (a Map on a dry run). */
function recordStoreFor(config: DeliveryEnvConfig, dryRun: boolean | undefined): DeployRecordStore {
  return dryRun
    ? memoryRecordStore()
    : s3RecordStore(new S3Client({ region: config.region }), config.stateBucket);
}

/** Refuses what only main may do (apply, assume a deployer role) on a branch or pull-request build. */
function assertMayApply(what: string): void {
  const refusal = applyRefusal();
  if (refusal) throw new ApplyNotAllowedError(refusal, what);
}

/** Options of `plan`; `cost` is the markdown of `lakepipe cost` to put beside the plan summary. */
interface PlanCommandOptions {
  readonly stack: string;
  readonly env: string;
  readonly allowDestroy: string[];
  readonly dryRun?: boolean;
  readonly cost?: string;
}

/** `lakepipe-ci`: what the Jenkinsfiles call (`npx tsx tools/ci/src/bin.ts <command>`). */
export function buildCiProgram(workspaceRoot: string = findWorkspaceRoot()): Command {
  const program = new Command('lakepipe-ci')
    .description('lakepipe delivery: affected stacks, terraform plan/review/apply, ephemeral compute')
    .showHelpAfterError();
  const runnerFor = (dryRun: boolean | undefined): CommandRunner => (dryRun ? dryRunner() : processRunner());

  program
    .command('affected')
    .description('stacks × environments a change touches (Nx project graph + infra/config)')
    .option(
      '--base <ref>',
      'git ref to compare from; empty or missing from the clone = every stack, with a warning',
      'origin/main',
    )
    .option('--head <ref>', 'git ref to compare to', 'HEAD')
    .option('--all', 'every stack in every environment (first build, or a full redeploy)')
    .option('--project <name>', 'only the stacks of this Nx project (a service pipeline)')
    .option(
      '--always-on',
      'only always-on stacks: what the delivery pipeline applies (ephemeral ones are the nightly job’s)',
    )
    .addOption(new Option('--format <format>', 'output').choices(['lines', 'json', 'table']).default('table'))
    .action(
      async (opts: {
        base: string;
        head: string;
        all?: boolean;
        project?: string;
        alwaysOn?: boolean;
        format: TargetsFormat;
      }) => {
        const catalog = await loadStackCatalog(workspaceRoot);
        const environments = listEnvironments(workspaceRoot);
        const protectedEnvs = protectedEnvironments(workspaceRoot);
        const result = opts.all
          ? { targets: allTargets({ catalog, environments, protectedEnvs }), warnings: [] }
          : await affected({
              base: opts.base,
              head: opts.head,
              workspaceRoot,
              catalog,
              environments,
              protectedEnvs,
            });
        // warnings go to stderr: the build log shows them, `--format lines` stays machine-readable
        for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
        process.stdout.write(
          formatTargets(
            result.targets.filter(
              (t) => (!opts.project || t.project === opts.project) && (!opts.alwaysOn || !t.ephemeral),
            ),
            opts.format,
          ),
        );
      },
    );

  program
    .command('stacks')
    .description('the stacks of the catalog, optionally of one project or only the ephemeral ones')
    .option('--project <name>', 'only this Nx project')
    .option('--env <env>', 'only this environment')
    .option('--ephemeral', 'only ephemeral (compute) stacks')
    .addOption(new Option('--format <format>', 'output').choices(['lines', 'json', 'table']).default('lines'))
    .action(async (opts: { project?: string; env?: string; ephemeral?: boolean; format: TargetsFormat }) => {
      const catalog = await loadStackCatalog(workspaceRoot);
      if (opts.env) loadDeliveryEnvConfig(workspaceRoot, opts.env); // names the envs that exist when unknown
      const environments = opts.env ? [opts.env] : listEnvironments(workspaceRoot);
      const protectedEnvs = protectedEnvironments(workspaceRoot);
      const targets = allTargets({ catalog, environments, protectedEnvs }).filter(
        (t) => (!opts.project || t.project === opts.project) && (!opts.ephemeral || t.ephemeral),
      );
      process.stdout.write(formatTargets(targets, opts.format));
    });

  program
    .command('aws-target')
    .description(
      '`<accountId> <region> <role>` of an environment: the read-only planner, or (main only) the deployer',
    )
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .addOption(
      new Option('--purpose <purpose>', 'what the role is for').choices(['plan', 'apply']).default('plan'),
    )
    .action((opts: { env: string; purpose: 'plan' | 'apply' }) => {
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      if (opts.purpose === 'apply') assertMayApply(`assume ${deployerRoleName(opts.env)}`);
      const role = opts.purpose === 'apply' ? deployerRoleName(opts.env) : plannerRoleName(opts.env);
      process.stdout.write(`${config.accountId} ${config.region} ${role}\n`);
    });

  program
    .command('plan')
    .description(
      'terraform init + plan -out + show -json for one stack, then the plan review (exit 2 when blocked)',
    )
    .requiredOption('--stack <id>', 'stack id from infra/stacks.ts')
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .option(
      '--allow-destroy <address>',
      'allow destroying/replacing this stateful resource (repeatable)',
      collect,
      [],
    )
    .option('--dry-run', 'print the terraform commands instead of running them')
    .option(
      '--cost <file>',
      'markdown from `npx lakepipe cost --env <env> --format markdown`, put beside the plan summary',
    )
    .action(async (opts: PlanCommandOptions) => {
      const cost = opts.cost === undefined ? undefined : readCostSection(opts.cost);
      const catalog = await loadStackCatalog(workspaceRoot);
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      const target = toTarget(findStack(catalog, opts.stack), opts.env);
      const allow = [...opts.allowDestroy, ...allowancesFromEnv(process.env.LAKEPIPE_ALLOW_DESTROY)];
      const review = await planStack({
        workspaceRoot,
        target,
        config,
        catalog,
        allow,
        runner: runnerFor(opts.dryRun),
      });
      if (!review) return;
      // the archived review (what Jenkins shows and the approver reads) carries the cost section too
      const markdown =
        cost === undefined
          ? renderPlanReviewMarkdown(review)
          : addCostToStackReview(workspaceRoot, target, cost);
      process.stdout.write(markdown);
      if (review.verdict === 'blocked') process.exitCode = BLOCKED_EXIT_CODE;
    });

  program
    .command('apply')
    .description(
      'terraform apply of the plan saved by `plan`: refused when its review blocked it, on a branch, without the committed provider lock file, or when the commit does not descend from the one last deployed',
    )
    .requiredOption('--stack <id>', 'stack id from infra/stacks.ts')
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .option('--commit <sha>', 'the commit being applied (recorded per stack and env)', 'HEAD')
    .option('--build <id>', 'the build applying it, for the record', process.env.BUILD_TAG)
    .option('--no-record', 'neither check nor write the deploy record (a local apply by hand)')
    .option('--dry-run', 'print the terraform command instead of running it')
    .action(
      async (opts: {
        stack: string;
        env: string;
        commit: string;
        build?: string;
        record: boolean;
        dryRun?: boolean;
      }) => {
        assertMayApply(`apply ${opts.stack}-${opts.env}`);
        const catalog = await loadStackCatalog(workspaceRoot);
        const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
        const target = toTarget(findStack(catalog, opts.stack), opts.env);
        const record = opts.record
          ? {
              store: recordStoreFor(config, opts.dryRun),
              commit: await resolveCommit(workspaceRoot, opts.commit),
              ...(opts.build ? { build: opts.build } : {}),
            }
          : undefined;
        await applyStack({
          workspaceRoot,
          target,
          config,
          runner: runnerFor(opts.dryRun),
          ...(record ? { record } : {}),
          requireProviderLock: !opts.dryRun,
        });
      },
    );

  program
    .command('approved')
    .description('the last commit promoted to an environment (what the nightly job deploys)')
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .action(async (opts: { env: string }) => {
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      const store = recordStoreFor(config, false);
      const record = await store.read({ kind: 'approved', env: opts.env });
      if (!record)
        throw new NothingPromotedError(opts.env, store.locate({ kind: 'approved', env: opts.env }));
      process.stdout.write(`${record.commit}\n`);
    });

  program
    .command('record-approval')
    .description('record a commit as promoted to an environment (main only; must descend from the last one)')
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .option('--commit <sha>', 'the promoted commit', 'HEAD')
    .option('--build <id>', 'the build that promoted it', process.env.BUILD_TAG)
    .option('--dry-run', 'check against an empty record, write nothing')
    .action(async (opts: { env: string; commit: string; build?: string; dryRun?: boolean }) => {
      assertMayApply(`promote a commit to ${opts.env}`);
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      const store = recordStoreFor(config, opts.dryRun);
      const commit = await resolveCommit(workspaceRoot, opts.commit);
      const key = { kind: 'approved', env: opts.env } as const;
      await assertDescendsFrom({ store, key, label: `promotion to ${opts.env}`, commit, workspaceRoot });
      await store.write(key, {
        commit,
        ...(opts.build ? { build: opts.build } : {}),
        at: new Date().toISOString(),
      });
      process.stdout.write(`${commit} promoted to ${opts.env}\n`);
    });

  program
    .command('drift')
    .description(
      'plan -detailed-exitcode every stack of an environment; notify the error topic of drift or failed checks',
    )
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .option('--notify', 'publish drift and failed checks to the environment error topic')
    .option('--dry-run', 'print the terraform commands instead of running them')
    .action(async (opts: { env: string; notify?: boolean; dryRun?: boolean }) => {
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      const report = await driftCheck({
        workspaceRoot,
        env: opts.env,
        config,
        catalog: await loadStackCatalog(workspaceRoot),
        runner: runnerFor(opts.dryRun),
      });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      const notification = driftNotification(report, process.env.BUILD_URL);
      if (!notification) return;
      if (opts.notify && !opts.dryRun) {
        await errorTopicNotifier(new SNSClient({ region: config.region }), config).publish(
          notification.subject,
          notification.message,
        );
      }
      process.stderr.write(notification.message);
      process.exitCode = report.failed.length > 0 ? 1 : 2;
    });

  program
    .command('notify')
    .description("publish a message to an environment's error topic (a failed nightly job, a failed destroy)")
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .requiredOption('--subject <text>', 'subject (100 characters at most)')
    .requiredOption('--message <text>', 'message')
    .action(async (opts: { env: string; subject: string; message: string }) => {
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      await errorTopicNotifier(new SNSClient({ region: config.region }), config).publish(
        opts.subject,
        opts.message,
      );
    });

  program
    .command('provider-locks')
    .description(
      'terraform providers lock for every synthesized stack of an environment, copied to infra/terraform-locks (needs the registry)',
    )
    .option(
      '--env <env>',
      'the synthesized environment to lock from (every env uses the same providers)',
      'dev',
    )
    .option('--dry-run', 'print the terraform commands instead of running them')
    .action(async (opts: { env: string; dryRun?: boolean }) => {
      const catalog = await loadStackCatalog(workspaceRoot);
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      const runner = runnerFor(opts.dryRun);
      for (const entry of catalog) {
        const target = toTarget(entry, opts.env);
        await runner.run(providersLockCommand({ workspaceRoot, target, config }));
        const written = path.join(stackPaths(workspaceRoot, target).stackDir, '.terraform.lock.hcl');
        const committed = providerLockFile(workspaceRoot, entry.id);
        if (existsSync(written)) {
          mkdirSync(path.dirname(committed), { recursive: true });
          copyFileSync(written, committed);
          process.stdout.write(`${path.relative(workspaceRoot, committed)}\n`);
        }
      }
    });

  program
    .command('review <plan.json>')
    .description('review a saved `terraform show -json` file (exit 2 when blocked)')
    .option('--env <env>', 'environment the plan is for (required unless --stack names it)')
    .option('--stack <name>', 'stack name, e.g. sourcing-prod')
    .option(
      '--allow-destroy <address>',
      'allow destroying/replacing this stateful resource (repeatable)',
      collect,
      [],
    )
    .addOption(new Option('--format <format>', 'output').choices(['markdown', 'json']).default('markdown'))
    .option(
      '--cost <file>',
      'markdown from `npx lakepipe cost --env <env> --format markdown`, put beside the plan summary',
    )
    .action(
      async (
        file: string,
        opts: { env?: string; stack?: string; allowDestroy: string[]; format: ReviewFormat; cost?: string },
      ) => {
        const catalog = await loadStackCatalog(workspaceRoot).catch(() => undefined);
        const result = planReviewCommand(file, {
          ...opts,
          catalog,
          allowDestroyEnv: process.env.LAKEPIPE_ALLOW_DESTROY,
        });
        process.stdout.write(opts.format === 'json' ? result.output : withCostFile(result.output, opts.cost));
        process.exitCode = result.exitCode;
      },
    );

  program
    .command('ephemeral <action>')
    .description(
      'deploy | run | destroy | cycle the ephemeral compute stacks of an environment (never shared storage)',
    )
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .option('--run-id <id>', 'run id of the execution (default: a new one)')
    .option('--execution-arn <arn>', 'the execution to wait for or stop (wait, stop)')
    .option(
      '--wait-seconds <n>',
      'wait: how long to wait in this call (keep it under the 1 h session of a chained role)',
      parsePositiveSeconds,
      45 * 60,
    )
    .option(
      '--cause <text>',
      'stop: why the execution is stopped',
      'the Jenkins job failed, timed out or was aborted',
    )
    .option('--commit <sha>', 'deploy: the commit being applied (recorded per stack and env)', 'HEAD')
    .option('--no-record', 'deploy: neither check nor write deploy records')
    .option(
      '--state-machine-arn <arn>',
      'state machine to start (default: lakepipe-<env>-<pipeline.yaml name>)',
    )
    .option('--poll-seconds <n>', 'seconds between DescribeExecution calls', parsePositiveSeconds, 15)
    .option(
      '--timeout-seconds <n>',
      'stop the execution after waiting this long',
      parsePositiveSeconds,
      6 * 3600,
    )
    .option('--dry-run', 'print the terraform commands instead of running them (run is skipped)')
    .action(
      async (
        action: string,
        opts: {
          env: string;
          runId?: string;
          stateMachineArn?: string;
          pollSeconds: number;
          timeoutSeconds: number;
          executionArn?: string;
          waitSeconds: number;
          cause: string;
          commit: string;
          record: boolean;
          dryRun?: boolean;
        },
      ) => {
        const actions: readonly EphemeralAction[] = [
          'deploy',
          'run',
          'destroy',
          'cycle',
          'start',
          'wait',
          'stop',
        ];
        if (!actions.includes(action as EphemeralAction)) {
          throw new InvalidArgumentError(
            `ephemeral action ${JSON.stringify(action)} is not one of ${actions.join(', ')}`,
          );
        }
        const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
        const options: EphemeralOptions = {
          workspaceRoot,
          env: opts.env,
          config,
          catalog: await loadStackCatalog(workspaceRoot),
          runner: runnerFor(opts.dryRun),
          sfn: () => new SFNClient({ region: config.region }),
          runId: opts.runId,
          stateMachineArn: opts.stateMachineArn,
          pollIntervalMs: opts.pollSeconds * 1000,
          timeoutMs: opts.timeoutSeconds * 1000,
          requireProviderLock: !opts.dryRun,
          ...(opts.record && (action === 'deploy' || action === 'cycle')
            ? {
                record: {
                  store: recordStoreFor(config, opts.dryRun),
                  commit: await resolveCommit(workspaceRoot, opts.commit),
                  ...(process.env.BUILD_TAG ? { build: process.env.BUILD_TAG } : {}),
                },
              }
            : {}),
        };
        const executionArn = () => {
          if (!opts.executionArn) throw new InvalidArgumentError(`ephemeral ${action} needs --execution-arn`);
          return opts.executionArn;
        };
        if (action === 'deploy' || action === 'cycle')
          assertMayApply(`deploy the ephemeral stacks of ${opts.env}`);
        if (action === 'start') process.stdout.write(`${(await startPipeline(options)).executionArn}\n`);
        else if (action === 'wait') {
          const result = await waitForExecution(options, executionArn(), opts.waitSeconds * 1000);
          console.log(JSON.stringify(result));
          if (isStillRunning(result)) process.exitCode = STILL_RUNNING_EXIT_CODE;
        } else if (action === 'stop') await stopExecution(options, executionArn(), opts.cause);
        else if (action === 'deploy') await deployEphemeral(options);
        else if (action === 'destroy') await destroyEphemeral(options);
        else if (opts.dryRun) console.log(`(dry run: ${action} would start the state machine)`);
        else if (action === 'run') console.log(JSON.stringify(await runPipeline(options)));
        else console.log(JSON.stringify(await ephemeralCycle(options)));
      },
    );

  return program;
}
