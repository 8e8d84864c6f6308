import path from 'node:path';
import { type Command, Option } from 'commander';
import { InvalidOptionError } from '../errors';

/** `lakepipe run`: the whole pipeline on this machine (what `npm start` runs). */
export function register(program: Command): void {
  program
    .command('run')
    .description(
      'run the whole pipeline locally (sourcing, Spark ETL on DuckDB, scoring, views), or with --env the deployed one',
    )
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .option('--source <dir>', 'ingest the files of this folder instead of the generated sample')
    .option('--rows <n>', 'rows of the generated sample', '100000')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .addOption(
      new Option(
        '--etl-engine <engine>',
        'run the ETL stage on DuckDB or on Spark: the Glue job itself, by spark-submit --master local[*]',
      )
        .choices(['duckdb', 'spark'])
        .default('duckdb'),
    )
    .option(
      '--fail <stage[:times]>',
      'inject a failure: the stage fails its first TIMES attempts (default: all)',
    )
    .option(
      '--env <env>',
      'run the deployed pipeline of this environment (its state machine) instead of the local twin, following it until it ends',
    )
    .option('--no-follow', 'with --env: print the execution ARN and return instead of following it')
    .addOption(
      new Option('--report <file>', 'write per-stage timings, counts and peak memory as JSON').hideHelp(),
    )
    .action(async (options: Omit<RunCommandOptions, 'env'> & { env?: string; follow: boolean }) => {
      if (options.env !== undefined) {
        const { cloudRunCommand } = await import('../cloud/commands');
        process.exitCode = await cloudRunCommand({
          env: options.env,
          config: options.config,
          follow: options.follow,
        });
        return;
      }
      process.exitCode = await runCommand({ ...options, env: 'dev' });
    });
}

export interface RunCommandOptions {
  readonly config: string;
  readonly source?: string;
  readonly rows: string;
  readonly lake: string;
  /**
   * The engine of spark-etl stages: DuckDB, or the Glue job's script on local PySpark.
   * @default 'duckdb'
   */
  readonly etlEngine?: 'duckdb' | 'spark';
  readonly fail?: string;
  readonly env: string;
  /** benchmarks: where to write the run's measurements as JSON */
  readonly report?: string;
  /**
   * Resume this FAILED or ABORTED run instead of starting a new one (`lakepipe redrive RUN_ID`).
   * @default a new run
   */
  readonly redrive?: string;
}

export async function runCommand(
  options: RunCommandOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const rows = Number(options.rows);
  if (!options.redrive && (!Number.isInteger(rows) || rows < 1))
    throw new InvalidOptionError('--rows', options.rows, 'a whole number above 0');
  const [
    { runLocalPipeline },
    { parseFailureInjection },
    { ProgressDisplay },
    summary,
    { loadPipelineForCli },
    { recordPipelineInLake },
  ] = await Promise.all([
    import('../twin/runner'),
    import('../twin/fail-injection'),
    import('../twin/progress'),
    import('../twin/summary'),
    import('../stage-registry'),
    import('../serve/lake-pipeline'),
  ]);
  const fail = options.fail ? parseFailureInjection(options.fail) : undefined;
  const pipeline = loadPipelineForCli(options.config);
  if (fail && !(fail.stageId in pipeline.stages)) {
    throw new InvalidOptionError(
      '--fail',
      options.fail!,
      `a stage of ${options.config}: ${Object.keys(pipeline.stages).join(', ')}`,
    );
  }
  const lakeRoot = path.resolve(options.lake);
  // read by the spark-etl stage's local engine (ETL_ENGINE_VARIABLE of @lakepipe/spark-etl)
  process.env.LAKEPIPE_ETL_ENGINE = options.etlEngine ?? 'duckdb';
  // `serve --lake` draws the pipeline that wrote the lake, not whatever pipeline.yaml is in the cwd
  recordPipelineInLake(lakeRoot, pipeline, options.config);
  out.write(
    `lakepipe · ${pipeline.name} · local twin · lake ${path.relative(process.cwd(), lakeRoot) || '.'}${options.etlEngine === 'spark' ? ' · ETL on Spark (local)' : ''}\n`,
  );
  if (options.redrive)
    out.write(`redrive of run ${options.redrive}: stages that succeeded are skipped, the rest run again\n`);
  if (fail) out.write(`injecting failures: ${options.fail}\n`);
  const display = new ProgressDisplay(Object.keys(pipeline.stages));
  // --report: the peak RSS of each stage, measured at the stage boundaries the display is told of
  const memory = options.report ? new (await import('../twin/peak-memory')).StagePeakMemory() : undefined;
  const result = await runLocalPipeline({
    configFile: options.config,
    lakeRoot,
    sourceDir: options.source,
    rows,
    fail,
    env: options.env,
    ...(options.redrive ? { runId: options.redrive, redrive: true } : {}),
    observer: (await import('../twin/hints')).withLakeInNotifications(
      memory ? memory.observing(display) : display,
      { config: options.config, lake: options.lake },
    ),
  });
  if (result.sample) {
    out.write(
      `sample: ${result.sample.rows.toLocaleString('en-US')} generated bench_tests rows in ${result.sample.files} files${result.sample.generated ? '' : ' (already in landing/, reused)'}\n`,
    );
  }
  const rowsSummary = summary.summarizeStages(result.pipeline, result.run);
  if (options.report && memory) {
    const { writeFileSync } = await import('node:fs');
    const report = {
      runId: result.runId,
      ok: result.ok,
      stages: rowsSummary,
      // this process only, every thread (DuckDB, scoring workers); not DynamoDB Local's JVM
      maxRssBytes: memory.peakBytes(),
      peakRssByStage: memory.byStage(),
      peakRssPerStage: memory.perStage,
    };
    writeFileSync(options.report, JSON.stringify(report, null, 2));
  }
  out.write(`\n${summary.renderStageSummary(rowsSummary)}\n\n`);
  const { tryNextAfterRun, placeFlags } = await import('../twin/hints');
  const place = { config: options.config, lake: options.lake };
  const statusCommand = `npx lakepipe status ${result.runId}${placeFlags(place, ['lake'])}`;
  for (const note of summary.summaryNotes(rowsSummary, statusCommand)) out.write(`${note}\n`);
  out.write(`run id: ${result.runId}\nlake:   ${result.lakeRoot}\n`);
  if (!result.ok) {
    // The notification was announced as it happened (twin/hints.ts); the failure is said once, last.
    out.write(`details: ${statusCommand}\n`);
    out.write(`${result.error!.message}\n`);
    return 1;
  }
  const firstDataset = Object.keys(result.pipeline.datasets)[0] ?? 'bench_tests';
  out.write(
    ['', 'Try next:', ...tryNextAfterRun({ ...place, runId: result.runId, dataset: firstDataset }), ''].join(
      '\n',
    ),
  );
  return 0;
}
