import type { Command } from 'commander';

/** `lakepipe serve`: the ledger HTTP API and a page with runs, stages and the workflow, on loopback. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the ledger HTTP API and a dashboard of runs, stages and the workflow on loopback')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--config <file>', 'the pipeline file (for the diagram)', 'pipeline.yaml')
    .option(
      '--env <env>',
      'serve the deployed pipeline of this environment (its ledger HTTP API, read-only) instead of the local twin',
    )
    .action(async (options: { port: string; lake: string; config: string; env?: string }) => {
      const port = Number(options.port);
      let dashboard: { url: string; close(): Promise<void> };
      let from: string;
      if (options.env !== undefined) {
        const { startCloudDashboard } = await import('../cloud/commands');
        dashboard = await startCloudDashboard({ env: options.env, config: options.config, port });
        from = `the ${options.env} ledger API (read-only); pipeline from ${options.config}`;
      } else {
        const { startDashboard } = await import('../serve/dashboard');
        const { costRoutesForLake } = await import('../serve/cost-routes');
        const local = await startDashboard({
          lakeRoot: options.lake,
          configFile: options.config,
          port,
          extraRoutes: costRoutesForLake({ lakeRoot: options.lake, configFile: options.config }),
        });
        dashboard = local;
        from = `${options.lake}; pipeline from ${local.pipelineFrom}`;
      }
      process.stdout.write(
        [
          `lakepipe serve: ${dashboard.url}/   (${from})`,
          `  GET ${dashboard.url}/runs              runs, newest first (?limit=&cursor=)`,
          `  GET ${dashboard.url}/runs/<runId>      one run with its stages`,
          `  GET ${dashboard.url}/runs/<runId>/details files not landed, rejected rows by column and rule`,
          `  GET ${dashboard.url}/objects?key=<key> the history of one lake object`,
          ...(options.env === undefined
            ? [
                `  GET ${dashboard.url}/cost              what the newest run costs on AWS, the month beside costBaseline (?env=prod)`,
                `  GET ${dashboard.url}/cost/panel        the same as a page: cost per run over the runs, the month beside the cluster`,
              ]
            : []),
          `  GET ${dashboard.url}/health`,
          'Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      const stop = async () => {
        await dashboard.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
