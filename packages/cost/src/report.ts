import {
  type Comparison,
  compare,
  type EnvironmentProfile,
  type MonthOptions,
  priceRun,
  type RunWorkload,
  type StageCompute,
} from './estimate';
import type { LineItem } from './formulas';
import type { PriceBook } from './price-book';

/** A line item as the JSON report carries it: the numbers and the price-book entry it used. */
export interface ReportLine {
  readonly scope: string;
  readonly service: string;
  readonly category: string;
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
  readonly price: {
    readonly key: string;
    readonly usd: number;
    readonly quantity: number;
    readonly unit: string;
    readonly source: string;
    readonly asOf: string;
    readonly confidence: string;
    readonly note?: string;
  };
}

export interface EnvironmentComparison {
  readonly env: string;
  readonly region: string;
  readonly serverless: number;
  readonly baseline: number | null;
  readonly ratio: number | null;
  readonly breakEvenRunsPerDay: number | null;
}

/** What `lakepipe cost --format json` prints and the dashboard's /cost serves. All money in USD. */
export interface CostReport {
  readonly currency: 'USD';
  readonly priceBook: { readonly version: string; readonly publishedAt: string };
  readonly env: string;
  readonly region: string;
  readonly workload: {
    readonly from: 'ledger' | 'pipeline';
    readonly runId: string | null;
    readonly stages: readonly {
      readonly stageId: string;
      readonly type: string;
      readonly compute: StageCompute;
      readonly attemptSeconds: readonly number[];
      readonly secondsFrom: string;
      readonly rows: number | null;
      readonly objectsWritten: number;
      readonly bytesWritten: number;
    }[];
    readonly notes: readonly string[];
  };
  readonly perRun: {
    readonly total: number;
    readonly byStage: Readonly<Record<string, number>>;
    readonly byService: Readonly<Record<string, number>>;
    readonly byCategory: Readonly<Record<string, number>>;
    readonly items: readonly ReportLine[];
  };
  readonly monthly: {
    readonly runsPerDay: number;
    readonly months: number;
    readonly runsPerMonth: number;
    readonly serverless: {
      readonly total: number;
      readonly runs: number;
      readonly alwaysOn: number;
      readonly byService: Readonly<Record<string, number>>;
      readonly items: readonly ReportLine[];
    };
    readonly baseline: {
      readonly total: number;
      readonly description: string | null;
      readonly items: readonly ReportLine[];
    } | null;
    readonly ratio: number | null;
  };
  readonly breakEvenRunsPerDay: number | null;
  /** the same workload priced in every environment, with its own region, retention and baseline */
  readonly environments: readonly EnvironmentComparison[];
  /** cost per run of the runs in the ledger, oldest first */
  readonly history: readonly {
    readonly runId: string;
    readonly startedAt: string;
    readonly status: string;
    readonly total: number;
  }[];
}

export interface CostReportInput {
  readonly book: PriceBook;
  readonly env: EnvironmentProfile;
  /** every environment to compare (including env) @default [env] */
  readonly environments?: readonly EnvironmentProfile[];
  readonly workload: RunWorkload;
  readonly options: MonthOptions;
  /** runs of the ledger to price one by one, for the history @default none */
  readonly history?: readonly {
    readonly runId: string;
    readonly startedAt: string;
    readonly status: string;
    readonly workload: RunWorkload;
  }[];
}

export function buildCostReport(input: CostReportInput): CostReport {
  const { book, env, workload, options } = input;
  const run = priceRun(workload, env, book);
  const main = compare(workload, env, book, options);
  const environments = (input.environments ?? [env]).map((profile) =>
    summarize(profile, profile.name === env.name ? main : compare(workload, profile, book, options)),
  );
  return {
    currency: 'USD',
    priceBook: { version: book.version, publishedAt: book.publishedAt },
    env: env.name,
    region: env.region,
    workload: {
      from: workload.from,
      runId: workload.runId ?? null,
      stages: workload.stages.map((s) => ({
        stageId: s.stageId,
        type: s.type,
        compute: s.compute,
        attemptSeconds: s.attemptSeconds,
        secondsFrom: s.secondsFrom,
        rows: s.rows ?? null,
        objectsWritten: s.objectsWritten,
        bytesWritten: s.bytesWritten,
      })),
      notes: workload.notes,
    },
    perRun: {
      total: run.total,
      byStage: run.byScope,
      byService: run.byService,
      byCategory: run.byCategory,
      items: run.items.map(toLine),
    },
    monthly: {
      runsPerDay: options.runsPerDay,
      months: options.months,
      runsPerMonth: main.serverless.runsPerMonth,
      serverless: {
        total: main.serverless.total,
        runs: main.serverless.runs,
        alwaysOn: main.serverless.alwaysOn,
        byService: main.serverless.byService,
        items: main.serverless.items.map(toLine),
      },
      baseline: main.baseline
        ? {
            total: main.baseline.total,
            description: env.baseline?.description ?? null,
            items: main.baseline.items.map(toLine),
          }
        : null,
      ratio: main.ratio ?? null,
    },
    breakEvenRunsPerDay: main.breakEvenRunsPerDay ?? null,
    environments,
    history: (input.history ?? []).map((h) => ({
      runId: h.runId,
      startedAt: h.startedAt,
      status: h.status,
      total: priceRun(h.workload, env, book).total,
    })),
  };
}

function summarize(profile: EnvironmentProfile, comparison: Comparison): EnvironmentComparison {
  return {
    env: profile.name,
    region: profile.region,
    serverless: comparison.serverless.total,
    baseline: comparison.baseline?.total ?? null,
    ratio: comparison.ratio ?? null,
    breakEvenRunsPerDay: comparison.breakEvenRunsPerDay ?? null,
  };
}

function toLine(item: LineItem): ReportLine {
  const { entry } = item.price;
  return {
    scope: item.scope,
    service: item.service,
    category: item.category,
    what: item.what,
    quantity: item.quantity,
    unit: item.unit,
    usd: item.usd,
    price: {
      key: item.price.key,
      usd: entry.usd,
      quantity: entry.quantity,
      unit: entry.unit,
      source: entry.source,
      asOf: entry.asOf,
      confidence: entry.confidence,
      ...(entry.note ? { note: entry.note } : {}),
    },
  };
}
