import type { Command } from 'commander';
import { Option } from 'commander';

export interface PlanReviewCliOptions {
  readonly env?: string;
  readonly stack?: string;
  readonly format: 'markdown' | 'json';
  readonly allowDestroy: readonly string[];
}

/**
 * `lakepipe plan-review PLAN.json [--env prod] [--format markdown|json] [--allow-destroy ADDR...]`:
 * what a `terraform show -json` plan creates, updates, replaces and destroys, by resource type and
 * service; exits 2 when it destroys or replaces a stateful resource in prod without an allowance.
 */
export function register(program: Command): void {
  program
    .command('plan-review')
    .description(
      'review `terraform show -json` output: changes by type and service, stateful destroys (exit 2 when blocked)',
    )
    .argument('<plan.json>', 'output of `terraform show -json <planfile>`')
    .option(
      '--env <env>',
      'environment the plan is for; prod blocks stateful destroys (required unless --stack names it)',
    )
    .option('--stack <name>', 'stack name, e.g. sourcing-prod (names the service of untagged resources)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'),
    )
    .option(
      '--allow-destroy <address...>',
      'allow destroying/replacing these addresses, as <env>:<address> (bare ones count only outside prod; also LAKEPIPE_ALLOW_DESTROY)',
      [],
    )
    .action(async (planFile: string, options: PlanReviewCliOptions) => {
      process.exitCode = await planReviewCli(planFile, options);
    });
}

/** The command's work, with its streams injectable for tests; returns the exit code. */
export async function planReviewCli(
  planFile: string,
  options: PlanReviewCliOptions,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): Promise<number> {
  const { PlanFormatError, ReviewEnvError, findWorkspaceRoot, loadStackCatalog, planReviewCommand } =
    await import('@lakepipe/ci');
  // the catalog only names services; a plan can be reviewed outside the repository too
  const catalog = await loadStackCatalog(findWorkspaceRoot()).catch(() => undefined);
  try {
    const result = planReviewCommand(planFile, {
      ...options,
      catalog,
      allowDestroyEnv: process.env.LAKEPIPE_ALLOW_DESTROY,
    });
    if (result.envSource !== '--env') {
      err.write(`plan-review: reviewing for environment ${result.review.env} (from ${result.envSource})\n`);
    }
    out.write(result.output);
    if (result.exitCode !== 0) err.write(`plan-review: ${planFile} is blocked (exit ${result.exitCode})\n`);
    return result.exitCode;
  } catch (error) {
    if (error instanceof PlanFormatError || error instanceof ReviewEnvError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
