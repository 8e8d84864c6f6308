import path from 'node:path';
import type { CostReport } from '@lakepipe/cost';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CloudContextOverrides } from '../cloud/context';
import { InvalidOptionError } from '../errors';

export interface CostOptions {
  readonly env: string;
  readonly ledgerEnv: string;
  readonly run?: string;
  readonly runsPerDay?: string;
  readonly months: string;
  readonly format: 'table' | 'markdown' | 'json';
  readonly explain?: boolean;
  readonly prices?: string;
  readonly stageMinutes?: string;
  readonly lake: string;
  readonly config: string;
  /** read the runs from the deployed ledger of --env instead of the lake */
  readonly cloud?: boolean;
}

/**
 * `lakepipe cost`: what the newest run in the ledger would cost on AWS, per stage and service, per
 * month in every environment, beside the cluster it replaces (costBaseline), traceable to the price book.
 */
export function register(program: Command): void {
  program
    .command('cost')
    .description(
      'what a run costs on AWS (per stage and service) and a month of runs, beside the replaced cluster (costBaseline)',
    )
    .option('--env <env>', 'environment to price in: its region, retention and costBaseline', 'dev')
    .option(
      '--ledger-env <env>',
      'whose ledger table in the lake holds the runs (npm start records into dev)',
      'dev',
    )
    .option('--run <runId>', 'the run to price (default: the newest in the ledger)')
    .option('--runs-per-day <n>', 'runs a day for the month (default: from the schedule of pipeline.yaml)')
    .option('--months <m>', 'horizon: the month shown is the average of the first M (storage grows)', '12')
    .addOption(
      new Option('--format <format>', 'output').choices(['table', 'markdown', 'json']).default('table'),
    )
    .option('--explain', 'every line item with its formula and the price-book entry it used')
    .option('--prices <file>', 'a JSON price book replacing the shipped one (packages/cost)')
    .option(
      '--stage-minutes <list>',
      'billed minutes per attempt by stage, overriding the local-time scaling: etl=6,score=9',
    )
    .option(
      '--cloud',
      'price the runs of the deployed ledger of --env (its HTTP API, AWS credentials) as recorded, not the lake',
    )
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--config <file>', 'the pipeline file', 'pipeline.yaml')
    .action(async (options: CostOptions) => {
      process.exitCode = await costCommand(options);
    });
}

function parseNumber(option: string, value: string | undefined, positive: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (positive && n === 0))
    throw new InvalidOptionError(option, value, positive ? 'a number above 0' : 'a number of 0 or more');
  return n;
}

/** The command's work, with its output injectable for tests; returns the exit code. */
export async function costCommand(
  options: CostOptions,
  out: { write(text: string): unknown } = process.stdout,
  deps: { readonly aws?: CloudContextOverrides } = {},
): Promise<number> {
  const runsPerDay = parseNumber('--runs-per-day', options.runsPerDay, false);
  const months = parseNumber('--months', options.months, true);
  const [
    cost,
    { compileTargetFor, loadEnvConfig },
    { openLocalLedger },
    { loadPipelineForCli },
    { localCostReport },
  ] = await Promise.all([
    import('@lakepipe/cost'),
    import('@lakepipe/constructs'),
    import('../twin/local-ledger'),
    import('../stage-registry'),
    import('../cost/local-report'),
  ]);
  const pipeline = loadPipelineForCli(options.config);
  loadEnvConfig(options.env); // an unknown --env fails before the ledger starts
  const props = {
    pipeline,
    env: options.env,
    runId: options.run,
    runsPerDay,
    months,
    pricesFile: options.prices,
    stageMinutes: options.stageMinutes,
  };
  let report: CostReport;
  if (options.cloud) {
    const { cloudCostReport } = await import('../cost/cloud-report');
    report = await cloudCostReport(props, deps);
  } else {
    const target = compileTargetFor(loadEnvConfig(options.ledgerEnv));
    const local = await openLocalLedger(path.resolve(options.lake), target.ledgerTable);
    try {
      report = await localCostReport(local.ledger, props);
    } finally {
      await local.close();
    }
  }
  if (options.explain) out.write(cost.renderCostExplain(report));
  else if (options.format === 'json') out.write(cost.renderCostJson(report));
  else if (options.format === 'markdown') out.write(cost.renderCostMarkdown(report));
  else out.write(cost.renderCostTable(report));
  return 0;
}
