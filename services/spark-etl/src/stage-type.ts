import { type StageCompileContext, type StageType, safeNameSchema } from '@lakepipe/workflow';
import { z } from 'zod';
import { DatasetNotDeclaredError } from './errors';
import { etlContract } from './output-schema';
import { analyseDatasetSpec } from './spec/model';

/** Glue 5.0 worker types (G.025X is for streaming jobs only, so it is not offered here). */
export const GLUE_WORKER_TYPES = [
  'G.1X',
  'G.2X',
  'G.4X',
  'G.8X',
  'G.12X',
  'G.16X',
  'R.1X',
  'R.2X',
  'R.4X',
  'R.8X',
] as const;

export const sparkEtlAttributes = z.strictObject({
  /** the dataset of `datasets:` this stage turns from raw/ into curated/ */
  dataset: safeNameSchema,
  /** Spark capacity of this job alone: no cluster shared with other jobs */
  workers: z.strictObject({
    type: z.enum(GLUE_WORKER_TYPES, {
      error: (i) =>
        `unknown Glue worker type ${JSON.stringify(i.input)}: use one of ${GLUE_WORKER_TYPES.join(', ')}`,
    }),
    count: z.number().int().min(2).max(299),
  }),
  /**
   * Runs of this job at the same time (several pipeline runs in flight, e.g. one per landed file).
   * Runs never share outputs (each reads and writes only its own run's files), so they may overlap.
   * @default 10; a run beyond it waits: the run step retries Glue.ConcurrentRunsExceededException with backoff
   */
  maxConcurrentRuns: z.number().int().min(1).max(1000).optional(),
});
export type SparkEtlAttributes = z.infer<typeof sparkEtlAttributes>;

/** Concurrent runs of a stage's Glue job when the stage does not say (runs never share outputs). */
export const DEFAULT_GLUE_MAX_CONCURRENT_RUNS = 10;

/**
 * A run that finds every concurrent slot taken waits and starts again, up to ~1 h, instead of failing
 * the pipeline run (each landed object starts an execution: overlapping runs are normal).
 */
export const GLUE_CONCURRENCY_RETRY = {
  ErrorEquals: ['Glue.ConcurrentRunsExceededException'],
  IntervalSeconds: 30,
  MaxAttempts: 10,
  BackoffRate: 2,
  MaxDelaySeconds: 600,
  JitterStrategy: 'FULL',
} as const;

/** The Glue job's timeout (whole minutes, at least 1) for a stage's timeoutSeconds; the stack sets it, the state outlasts it. */
export function glueJobTimeoutMinutes(timeoutSeconds: number): number {
  return Math.max(1, Math.ceil(timeoutSeconds / 60));
}

/** The Glue job of a stage: `lakepipe-<env>-etl-<stageId>` (one job per stage, sized per stage). */
export function glueJobName(target: { resourceName(component: string): string }, stageId: string): string {
  return target.resourceName(`etl-${stageId.replace(/_/g, '-')}`);
}

/** What the `run` step returns locally: a few fields of Glue's GetJobRun (the counts travel in the manifest). */
export interface LocalJobRun {
  readonly JobRunState: 'SUCCEEDED';
  readonly Id: string;
  readonly ExecutionTime: number;
}

export const sparkEtlStageType: StageType<SparkEtlAttributes> = {
  type: 'spark-etl',
  description:
    'Turns raw/<dataset>/ of the run into typed Parquet in curated/, bad rows into rejected/ and the model input into features/ (cloud: Spark on AWS Glue 5.0; local: DuckDB)',
  attributes: sparkEtlAttributes,
  // recorded as the attempt's counts in the ledger: the invariant rowsRead = curatedRows + rejectedRows, per run
  counts: ['filesRead', 'rowsRead', 'curatedRows', 'rejectedRows'],
  // deterministic: the same raw files fail the same way on every attempt (a Glue job re-run costs DPU time)
  nonRetryableErrors: ['RejectRatioExceededError', 'UnsupportedFileError'],

  validate({ attributes, datasets }) {
    const spec = datasets[attributes.dataset];
    if (!spec)
      return [
        {
          path: ['dataset'],
          message: `dataset ${JSON.stringify(attributes.dataset)} is not declared under datasets: (declared: ${Object.keys(datasets).join(', ') || 'none'})`,
        },
      ];
    // paths of the dataset's own problems start at the pipeline root (datasets.<name>...)
    return analyseDatasetSpec(attributes.dataset, spec).issues.map((i) => ({
      path: i.path,
      message: i.message,
    }));
  },

  contract({ attributes, datasets }) {
    const spec = datasets[attributes.dataset];
    const model = spec && analyseDatasetSpec(attributes.dataset, spec).model;
    // a dataset spec with problems publishes nothing: validate reports its problems
    return model ? [etlContract(model)] : [];
  },

  compile({ stageId, attributes, target, timeoutSeconds }) {
    const jobName = glueJobName(target, stageId);
    return [
      {
        key: 'run',
        ...(timeoutSeconds === undefined
          ? {}
          : { serviceTimeoutSeconds: glueJobTimeoutMinutes(timeoutSeconds) * 60 }),
        retry: [GLUE_CONCURRENCY_RETRY],
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::glue:startJobRun.sync',
          Comment: `ETL of ${attributes.dataset} on Glue (${attributes.workers.count} x ${attributes.workers.type})`,
          Parameters: {
            JobName: jobName,
            Arguments: {
              '--run_id.$': '$.runId',
              '--stage_id': stageId,
              '--dataset': attributes.dataset,
            },
            WorkerType: attributes.workers.type,
            NumberOfWorkers: attributes.workers.count,
          },
        },
      },
    ];
  },

  permissions({ stageId, target }) {
    const jobArn = `arn:aws:glue:${target.region}:${target.accountId}:job/${glueJobName(target, stageId)}`;
    return [
      {
        actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
        resources: [jobArn],
      },
    ];
  },

  local: {
    async run({ runId, stageId, attributes }, context) {
      const started = Date.now();
      const spec = context.datasets[attributes.dataset];
      if (!spec)
        throw new DatasetNotDeclaredError(stageId, attributes.dataset, Object.keys(context.datasets));
      // DuckDB, or the Glue job itself on local Spark (`lakepipe run --etl-engine spark`)
      const { runEtlEngine } = await import('./local/run-etl-engine');
      await runEtlEngine({
        lakeRoot: context.lakeRoot,
        dataset: attributes.dataset,
        spec,
        runId,
        stageId,
        ledger: context.ledger,
        progress: (update) => context.progress(update),
      });
      const run: LocalJobRun = {
        JobRunState: 'SUCCEEDED',
        Id: `jr_local_${runId}`,
        ExecutionTime: Math.round((Date.now() - started) / 1000),
      };
      return run;
    },
  },
};

export type SparkEtlCompileContext = StageCompileContext<SparkEtlAttributes>;
