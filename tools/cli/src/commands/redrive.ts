import type { Command } from 'commander';

export interface RedriveOptions {
  readonly config: string;
  readonly lake: string;
  readonly source?: string;
  readonly etlEngine?: 'duckdb' | 'spark';
  readonly env?: string;
  readonly follow: boolean;
}

/**
 * `lakepipe redrive RUN_ID`: resumes a FAILED or ABORTED run (a local run whose process was killed is
 * marked ABORTED first) with the same run id: the stages that succeeded are skipped, their outputs
 * read back from their manifests; the failed or interrupted stage and the ones after it run again,
 * as new attempts in the ledger. The files the run claimed are landed by it, not by another run.
 */
export function register(program: Command): void {
  program
    .command('redrive')
    .description(
      'resume a failed or interrupted run from its first unfinished stage, with the same run id and its claimed files',
    )
    .argument('<runId>', 'the run to resume (see npx lakepipe status)')
    .option('--config <file>', 'the pipeline file the run used', 'pipeline.yaml')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--source <dir>', 'the folder the run ingested from, if it used --source')
    .option('--env <env>', 'redrive a run of the deployed pipeline of this environment instead')
    .option('--no-follow', 'with --env: print the execution ARN and return instead of following it')
    .action(async (runId: string, options: RedriveOptions) => {
      if (options.env !== undefined) {
        const { cloudRunCommand } = await import('../cloud/commands');
        process.exitCode = await cloudRunCommand({
          env: options.env,
          config: options.config,
          follow: options.follow,
          redrive: runId,
        });
        return;
      }
      const { runCommand } = await import('./run');
      process.exitCode = await runCommand({
        config: options.config,
        lake: options.lake,
        source: options.source,
        rows: '1',
        env: 'dev',
        redrive: runId,
      });
    });
}
