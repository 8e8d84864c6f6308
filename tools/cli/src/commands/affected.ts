import type { Command } from 'commander';

export interface AffectedCliOptions {
  readonly base: string;
  readonly head: string;
  readonly json?: boolean;
  readonly all?: boolean;
}

/**
 * `lakepipe affected [--base REF] [--head REF] [--json]`: the stacks and environments a change
 * touches, from Nx's project graph and infra/config (what the Jenkinsfiles deploy).
 */
export function register(program: Command): void {
  program
    .command('affected')
    .description('stacks × environments a change touches (Nx project graph, infra/stacks.ts, infra/config)')
    .option('--base <ref>', 'git ref the change is measured from', 'origin/main')
    .option('--head <ref>', 'git ref of the change', 'HEAD')
    .option('--all', 'every stack in every environment')
    .option('--json', 'print JSON (projects, files, targets with reasons)')
    .action(async (options: AffectedCliOptions) => {
      process.exitCode = await affectedCli(options);
    });
}

/** The command's work, with its streams injectable for tests; returns the exit code. */
export async function affectedCli(
  options: AffectedCliOptions,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
  workspaceRoot?: string,
): Promise<number> {
  const ci = await import('@lakepipe/ci');
  const root = workspaceRoot ?? ci.findWorkspaceRoot();
  try {
    const catalog = await ci.loadStackCatalog(root);
    const environments = ci.listEnvironments(root);
    const protectedEnvs = ci.protectedEnvironments(root);
    const result = options.all
      ? {
          base: options.base,
          head: options.head,
          files: [],
          projects: [],
          targets: ci.allTargets({ catalog, environments, protectedEnvs }),
          warnings: await ci.uncommittedWarnings(root),
        }
      : await ci.affected({
          base: options.base,
          head: options.head,
          workspaceRoot: root,
          catalog,
          environments,
          protectedEnvs,
        });
    for (const warning of result.warnings) err.write(`warning: ${warning}\n`);
    if (options.json) {
      out.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      out.write(
        `${result.files.length} file(s) changed, projects: ${result.projects.join(', ') || 'none'}\n`,
      );
      out.write(ci.formatTargets(result.targets, 'table'));
    }
    return 0;
  } catch (error) {
    if (error instanceof ci.AffectedError || error instanceof ci.StackCatalogError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
