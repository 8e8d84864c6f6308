import { listEnvironments, loadEnvConfig } from '@lakepipe/constructs';
import {
  buildCostReport,
  type CostReport,
  defaultPriceBook,
  loadPriceBook,
  type PriceBook,
  type RunWorkload,
} from '@lakepipe/cost';
import {
  type LedgerQueries,
  type ObjectMovementItem,
  type RunItem,
  RunNotFoundError,
} from '@lakepipe/ledger/queries';
import type { PipelineModel } from '@lakepipe/workflow';
import { compileForLocalRun } from '../twin/compile';
import {
  countStates,
  environmentProfile,
  parseStageMinutes,
  type WorkloadContext,
  workloadFromPipeline,
  workloadFromRun,
} from './workload';

export interface LocalCostProps {
  readonly pipeline: PipelineModel;
  /** the environment to price in (region, retention, baseline) */
  readonly env: string;
  /** the run to price @default the newest run in the ledger */
  readonly runId?: string;
  /** @default from the pipeline's schedule, else 1 */
  readonly runsPerDay?: number;
  /** @default 12 */
  readonly months?: number;
  /** a JSON price book replacing the shipped one @default the shipped book */
  readonly pricesFile?: string;
  /** `etl=6,score=9` @default none: local times scaled by CLOUD_TIME_MODEL */
  readonly stageMinutes?: string;
  /** how many of the newest runs the history prices @default 20 */
  readonly historyRuns?: number;
  /**
   * Whose times the ledger holds: 'local' (the twin's, scaled to cloud time) or 'cloud' (a deployed
   * environment's ledger, billed as recorded) @default 'local'
   */
  readonly times?: 'local' | 'cloud';
}

/** Runs a day of an EventBridge schedule expression, when it says (daily cron, rate(...)). */
export function runsPerDayOf(schedule: string | undefined): number | undefined {
  if (!schedule) return undefined;
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (rate) {
    const n = Number(rate[1]);
    const perDay = rate[2]!.startsWith('minute') ? 1440 : rate[2]!.startsWith('hour') ? 24 : 1;
    return perDay / n;
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$/.exec(schedule);
  if (!cron) return undefined;
  const [minutes, hours, dayOfMonth, , dayOfWeek] = cron.slice(1);
  if (!/^[\d,]+$/.test(minutes!) || !/^[\d,]+$/.test(hours!)) return undefined;
  if (!['*', '?'].includes(dayOfMonth!) || !['*', '?'].includes(dayOfWeek!)) return undefined;
  return minutes!.split(',').length * hours!.split(',').length;
}

function stateCountOf(pipeline: PipelineModel, env: string): number {
  try {
    return countStates(compileForLocalRun(pipeline, env).compiled.definition);
  } catch {
    // the compiler is not what is priced: about six states per stage (ledger, task, checks)
    return 6 * Object.keys(pipeline.stages).length;
  }
}

async function allMovements(ledger: LedgerQueries, runId: string): Promise<ObjectMovementItem[]> {
  const out: ObjectMovementItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.runMovements({ runId, limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function workloadOf(
  ledger: LedgerQueries,
  run: RunItem,
  context: WorkloadContext,
): Promise<RunWorkload> {
  const withStages = await ledger.getRun(run.runId);
  if (!withStages) throw new RunNotFoundError(run.runId, 'of the lake');
  return workloadFromRun(withStages, await allMovements(ledger, run.runId), context);
}

/**
 * The cost report of a ledger (the twin's, or any LedgerQueries such as a deployed environment's with
 * `times: 'cloud'`): the newest (or the given) run, every environment, the runs' history.
 */
export async function localCostReport(ledger: LedgerQueries, props: LocalCostProps): Promise<CostReport> {
  const book: PriceBook = props.pricesFile ? loadPriceBook(props.pricesFile) : defaultPriceBook();
  const envConfig = loadEnvConfig(props.env);
  const allProfiles = listEnvironments().map((name) => environmentProfile(loadEnvConfig(name)));
  // another environment in a region the book lacks is left out of the comparison, not fatal
  const profiles = allProfiles.filter((p) => p.name === props.env || p.region in book.regions);
  const context: WorkloadContext = {
    pipeline: props.pipeline,
    stateCount: stateCountOf(props.pipeline, props.env),
    stageMinutes: parseStageMinutes(props.stageMinutes, props.pipeline),
    times: props.times ?? 'local',
  };
  const recent = (await ledger.listRuns({ limit: props.historyRuns ?? 20 })).items;
  let workload: RunWorkload;
  if (props.runId) {
    const run = recent.find((r) => r.runId === props.runId) ?? (await ledger.getRun(props.runId));
    if (!run) throw new RunNotFoundError(props.runId, 'of the lake');
    workload = await workloadOf(ledger, run, context);
  } else if (recent.length > 0) {
    workload = await workloadOf(ledger, recent[0]!, context);
  } else {
    workload = workloadFromPipeline(context);
  }
  const scheduled = runsPerDayOf(props.pipeline.trigger.schedule);
  const runsPerDay = props.runsPerDay ?? scheduled ?? 1;
  const notes = [...workload.notes];
  if (props.runsPerDay === undefined)
    notes.push(
      scheduled !== undefined
        ? `${runsPerDay} run(s)/day from the schedule ${props.pipeline.trigger.schedule} (change with --runs-per-day)`
        : '1 run/day assumed: the schedule does not say (change with --runs-per-day)',
    );
  for (const left of allProfiles.filter((p) => !profiles.includes(p)))
    notes.push(
      `${left.name} (${left.region}) is left out of the comparison: its region is not in the price book`,
    );
  if (!envConfig.costBaseline)
    notes.push(`${envConfig.sourceFile} declares no costBaseline: nothing to compare with`);
  const history = [];
  for (const run of [...recent].reverse()) {
    history.push({
      runId: run.runId,
      startedAt: run.startedAt,
      status: run.status,
      // the same scaling and --stage-minutes as the run priced above, so the bars compare
      workload: run.runId === workload.runId ? workload : await workloadOf(ledger, run, context),
    });
  }
  return buildCostReport({
    book,
    env: environmentProfile(envConfig),
    environments: profiles,
    workload: { ...workload, notes },
    options: { runsPerDay, months: props.months ?? 12 },
    history,
  });
}
