import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type AffectedTarget, affected, allTargets } from './affected';
import { addCostToStackReview, readCostSection, withCostFile } from './cost-section';
import {
  deployEphemeral,
  destroyEphemeral,
  type EphemeralAction,
  type EphemeralOptions,
  ephemeralCycle,
  runPipeline,
} from './ephemeral';
import { type CommandRunner, dryRunner, processRunner } from './exec';
import { allowancesFromEnv } from './plan-review';
import { BLOCKED_EXIT_CODE, planReviewCommand, type ReviewFormat } from './plan-review-command';

import { renderPlanReviewMarkdown } from './render';
import {
  deployerRoleName,
  findStack,
  listEnvironments,
  loadDeliveryEnvConfig,
  loadStackCatalog,
  protectedEnvironments,
  toTarget,
} from './stack-catalog';
import { applyStack, planStack } from './stack-plan';
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
    .option('--base <ref>', 'git ref to compare from', 'origin/main')
    .option('--head <ref>', 'git ref to compare to', 'HEAD')
    .option('--all', 'every stack in every environment (first build, or a full redeploy)')
    .option('--project <name>', 'only the stacks of this Nx project (a service pipeline)')
    .addOption(new Option('--format <format>', 'output').choices(['lines', 'json', 'table']).default('table'))
    .action(
      async (opts: {
        base: string;
        head: string;
        all?: boolean;
        project?: string;
        format: TargetsFormat;
      }) => {
        const catalog = await loadStackCatalog(workspaceRoot);
        const environments = listEnvironments(workspaceRoot);
        const targets = opts.all
          ? allTargets({ catalog, environments })
          : (await affected({ base: opts.base, head: opts.head, workspaceRoot, catalog, environments }))
              .targets;
        process.stdout.write(
          formatTargets(
            targets.filter((t) => !opts.project || t.project === opts.project),
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
    .description('`<accountId> <region> <deployer role>` of an environment: what Jenkins assumes (withAWS)')
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .action((opts: { env: string }) => {
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      process.stdout.write(`${config.accountId} ${config.region} ${deployerRoleName(opts.env)}\n`);
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
    .description('terraform apply of the plan saved by `plan` (refused when its review blocked it)')
    .requiredOption('--stack <id>', 'stack id from infra/stacks.ts')
    .requiredOption('--env <env>', 'environment (infra/config/<env>.yaml)')
    .option('--dry-run', 'print the terraform command instead of running it')
    .action(async (opts: { stack: string; env: string; dryRun?: boolean }) => {
      const catalog = await loadStackCatalog(workspaceRoot);
      const config = loadDeliveryEnvConfig(workspaceRoot, opts.env);
      const target = toTarget(findStack(catalog, opts.stack), opts.env);
      await applyStack({ workspaceRoot, target, config, runner: runnerFor(opts.dryRun) });
    });

  program
    .command('review <plan.json>')
    .description('review a saved `terraform show -json` file (exit 2 when blocked)')
    .option('--env <env>', 'environment the plan is for (default: from --stack, else dev)')
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
          dryRun?: boolean;
        },
      ) => {
        const actions: readonly EphemeralAction[] = ['deploy', 'run', 'destroy', 'cycle'];
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
        };
        if (action === 'deploy') await deployEphemeral(options);
        else if (action === 'destroy') await destroyEphemeral(options);
        else if (opts.dryRun) console.log(`(dry run: ${action} would start the state machine)`);
        else if (action === 'run') console.log(JSON.stringify(await runPipeline(options)));
        else console.log(JSON.stringify(await ephemeralCycle(options)));
      },
    );

  return program;
}
