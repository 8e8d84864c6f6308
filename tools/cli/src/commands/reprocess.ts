import type { Command } from 'commander';

export interface ReprocessOptions {
  readonly run: string;
  readonly config: string;
  readonly lake: string;
  readonly source?: string;
  readonly rows: string;
}

/**
 * `lakepipe reprocess --run RUN_ID`: releases the files a FAILED or ABORTED run claimed but never
 * published, then starts a new run that takes them (instead of resuming the old one: see redrive).
 */
export function register(program: Command): void {
  program
    .command('reprocess')
    .description(
      'release the files a failed or interrupted run claimed but never published, and ingest them in a new run',
    )
    .requiredOption('--run <runId>', 'the FAILED or ABORTED run whose files to release')
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--source <dir>', 'the folder the run ingested from, if it used --source')
    .option('--rows <n>', 'rows of the generated sample', '100000')
    .action(async (options: ReprocessOptions) => {
      process.exitCode = await reprocessCommand(options);
    });
}

export async function reprocessCommand(
  options: ReprocessOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const [{ releaseRun }, { loadPipelineForCli }, { runCommand }] = await Promise.all([
    import('../twin/reprocess'),
    import('../stage-registry'),
    import('./run'),
  ]);
  const pipeline = loadPipelineForCli(options.config);
  const released = await releaseRun({
    lakeRoot: options.lake,
    pipeline,
    runId: options.run,
    env: 'dev',
    onWait: (message) => out.write(`${message}\n`),
  });
  out.write(
    `released run ${options.run}: ${released.claims} source claim${released.claims === 1 ? '' : 's'}, ${released.objects} raw/quarantine object${released.objects === 1 ? '' : 's'}; a new run takes the files\n`,
  );
  return runCommand(
    { config: options.config, lake: options.lake, source: options.source, rows: options.rows, env: 'dev' },
    out,
  );
}
