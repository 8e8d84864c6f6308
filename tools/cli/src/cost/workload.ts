import type { EnvConfig } from '@lakepipe/constructs';
import type { EnvironmentProfile, RunWorkload, StageCompute, StageWorkload } from '@lakepipe/cost';
import type { ObjectMovementItem, RunWithStages } from '@lakepipe/ledger';
import type { FlowStep, PipelineModel, StageModel } from '@lakepipe/workflow';
import { InvalidOptionError } from '../errors';

/**
 * How long a stage that took `local` seconds in the twin would be billed in the cloud:
 * `overheadSeconds + local x factor`. Guesses, stated so they can be argued with and overridden
 * per stage with `--stage-minutes etl=6,score=9` (README, "lakepipe cost").
 */
export const CLOUD_TIME_MODEL: Readonly<
  Record<string, { readonly overheadSeconds: number; readonly factor: number; readonly why: string }>
> = {
  'spark-etl': {
    overheadSeconds: 60,
    factor: 2,
    why: 'Glue 5.0 job start and Spark context (~60 s billed) + the twin’s DuckDB time x 2 for Spark on small data',
  },
  'sagemaker-scoring': {
    overheadSeconds: 240,
    factor: 1,
    why: 'batch transform instance launch and container start (~4 min billed) + the twin’s scoring time',
  },
  sourcing: { overheadSeconds: 0.5, factor: 1, why: 'the same Node code on Lambda (+0.5 s cold start)' },
  view: {
    overheadSeconds: 5,
    factor: 1,
    why: 'Athena DDL round trips the Lambda waits for (~5 s) + the twin’s DuckDB time',
  },
};

/** Billed seconds per attempt when there is no run to measure (estimate from pipeline.yaml alone). */
export const PIPELINE_ONLY_SECONDS: Readonly<Record<string, number>> = {
  sourcing: 30,
  'spark-etl': 300,
  'sagemaker-scoring': 360,
  view: 10,
};

/** Lambda memory of the services without a memoryMb attribute (their stacks' memorySize). */
const LAMBDA_MEMORY_MB: Readonly<Record<string, number>> = { sourcing: 1024, view: 256 };

/** Log bytes a stage attempt writes to CloudWatch Logs, by where it runs; a state transition logs ~2 KB (level ALL). */
const LOG_BYTES = { lambda: 4 * 1024, glue: 1024 * 1024, sagemaker: 32 * 1024, sns: 0, transition: 2 * 1024 };

/** `etl=6,score=9` → minutes per attempt by stage id; every stage must exist and every value be > 0. */
export function parseStageMinutes(text: string | undefined, pipeline: PipelineModel): Record<string, number> {
  if (!text) return {};
  const out: Record<string, number> = {};
  const stages = Object.keys(pipeline.stages);
  for (const pair of text.split(',')) {
    const [id, value, ...rest] = pair.split('=').map((s) => s.trim());
    const minutes = Number(value);
    if (
      !id ||
      value === undefined ||
      value === '' ||
      rest.length > 0 ||
      !Number.isFinite(minutes) ||
      minutes < 0
    )
      throw new InvalidOptionError(
        '--stage-minutes',
        text,
        'STAGE=MINUTES[,STAGE=MINUTES...], minutes 0 or more, e.g. etl=6,score=9',
      );
    if (!stages.includes(id))
      throw new InvalidOptionError(
        '--stage-minutes',
        text,
        `a stage of ${pipeline.sourceFile ?? 'the pipeline'}: ${stages.join(', ')}`,
      );
    out[id] = minutes;
  }
  return out;
}

function computeOf(stage: StageModel): StageCompute | undefined {
  const a = stage.attributes as Record<string, unknown>;
  switch (stage.type) {
    case 'spark-etl': {
      const workers = a.workers as { type: string; count: number };
      return { kind: 'glue', workerType: workers.type, workers: workers.count };
    }
    case 'sagemaker-scoring': {
      const instance = a.instance as { type: string; count: number };
      return { kind: 'sagemaker', instanceType: instance.type, count: instance.count };
    }
    case 'sourcing':
    case 'view':
      return {
        kind: 'lambda',
        memoryMb: (a.memoryMb as number | undefined) ?? LAMBDA_MEMORY_MB[stage.type]!,
      };
    case 'notify':
      return { kind: 'sns' };
    default:
      return undefined;
  }
}

/** The stages a run without a choice taken goes through: every sequence, every parallel branch, `otherwise`. */
export function defaultPath(flow: readonly FlowStep[]): string[] {
  const out: string[] = [];
  for (const step of flow) {
    if (step.kind === 'stage') out.push(step.stageId);
    else if (step.kind === 'parallel') for (const branch of step.branches) out.push(...defaultPath(branch));
    else out.push(...defaultPath(step.otherwise));
  }
  return out;
}

/** Every state of an ASL definition, in parallel branches and maps too. */
export function countStates(definition: unknown): number {
  const states = (definition as { States?: Record<string, unknown> } | undefined)?.States ?? {};
  let count = 0;
  for (const state of Object.values(states)) {
    count += 1;
    const s = state as { Branches?: unknown[]; ItemProcessor?: unknown; Iterator?: unknown };
    for (const branch of s.Branches ?? []) count += countStates(branch);
    if (s.ItemProcessor) count += countStates(s.ItemProcessor);
    if (s.Iterator) count += countStates(s.Iterator);
  }
  return count;
}

export interface WorkloadContext {
  readonly pipeline: PipelineModel;
  /** states of the compiled state machine (each entered about once per run) */
  readonly stateCount: number;
  /** minutes per attempt, by stage id (--stage-minutes) */
  readonly stageMinutes: Readonly<Record<string, number>>;
  /**
   * Whose times the ledger holds: the twin's (scaled by CLOUD_TIME_MODEL) or the cloud's (billed as
   * recorded: the Glue job and the transform job ran for real).
   * @default 'local'
   */
  readonly times?: 'local' | 'cloud';
}

const seconds = (a?: string, b?: string) =>
  a && b ? Math.max(0, (new Date(b).getTime() - new Date(a).getTime()) / 1000) : undefined;

/** One recorded run of the twin's ledger, as the cloud would bill it. */
export function workloadFromRun(
  run: RunWithStages,
  movements: readonly ObjectMovementItem[],
  context: WorkloadContext,
): RunWorkload {
  const { pipeline } = context;
  const notes: string[] = [];
  const stages: StageWorkload[] = [];
  const written = (stageId: string) => movements.filter((m) => m.stageId === stageId);
  let attempts = 0;
  let snsPublishes = run.status === 'FAILED' ? 1 : 0;
  for (const stage of Object.values(pipeline.stages)) {
    const started = run.stages.filter((s) => s.stageId === stage.id && s.status !== 'SKIPPED');
    const tries = started.filter((s) => s.finishedAt !== undefined);
    if (tries.length < started.length)
      notes.push(
        `${stage.id}: ${started.length - tries.length} unfinished attempt(s) left out (the run is still going)`,
      );
    const compute = computeOf(stage);
    if (tries.length === 0 || !compute) continue;
    attempts += tries.length;
    if (compute.kind === 'sns') snsPublishes += tries.length;
    const override = context.stageMinutes[stage.id];
    const model = CLOUD_TIME_MODEL[stage.type];
    const attemptSeconds = tries.map((t) => {
      if (override !== undefined) return override * 60;
      const local = seconds(t.startedAt, t.finishedAt);
      if (context.times === 'cloud') return local ?? 0;
      if (!model) return local ?? 0;
      return model.overheadSeconds + (local ?? 0) * model.factor;
    });
    const locals = tries.map((t) => seconds(t.startedAt, t.finishedAt));
    const secondsFrom =
      compute.kind === 'sns'
        ? 'a Step Functions SNS publish: no compute'
        : override !== undefined
          ? `--stage-minutes ${stage.id}=${override}`
          : context.times === 'cloud'
            ? `cloud ledger: ${locals.map((s) => (s === undefined ? 'unfinished' : `${s.toFixed(1)} s`)).join(', ')} as recorded`
            : model
              ? `ledger: ${locals.map((s) => (s === undefined ? 'unfinished' : `${s.toFixed(1)} s`)).join(', ')} local -> ${model.overheadSeconds} s + local x ${model.factor} (${model.why})`
              : 'ledger: local time as is';
    const out = written(stage.id);
    const last = tries[tries.length - 1]!;
    const gets =
      stage.type === 'sourcing'
        ? (last.counts.files ?? 0) + (last.counts.duplicates ?? 0)
        : stage.type === 'spark-etl'
          ? (last.counts.filesRead ?? 0)
          : stage.type === 'sagemaker-scoring'
            ? movements.filter((m) => m.to.startsWith('features/')).length
            : 0;
    const athena = last.counts.athenaBytesScanned;
    const rows =
      stage.type === 'spark-etl'
        ? last.counts.rowsRead
        : stage.type === 'sagemaker-scoring'
          ? last.counts.scoredRows
          : undefined;
    stages.push({
      stageId: stage.id,
      type: stage.type,
      compute,
      attemptSeconds: compute.kind === 'sns' ? [] : attemptSeconds,
      secondsFrom,
      // the objects it wrote, and two LISTs per attempt (PUT-class)
      objectsWritten: out.length + (compute.kind === 'sns' ? 0 : 2 * tries.length),
      bytesWritten: out.reduce((sum, m) => sum + m.bytes, 0),
      rawBytesWritten: out.filter((m) => m.to.startsWith('raw/')).reduce((sum, m) => sum + m.bytes, 0),
      objectsRead: gets,
      ...(athena !== undefined ? { athenaBytesScanned: [athena] } : {}),
      ...(rows !== undefined ? { rows } : {}),
    });
  }
  if (!stages.some((s) => s.athenaBytesScanned))
    notes.push('Athena: the view stages run DDL only (free); no bytes scanned are recorded for this run');
  const extraAttempts = attempts - stages.length;
  const transitions = context.stateCount + 2 * Math.max(0, extraAttempts);
  const itemBytes =
    JSON.stringify(run).length -
    JSON.stringify(run.stages).length +
    run.stages.reduce((sum, s) => sum + JSON.stringify(s).length, 0);
  const movementBytes = movements.reduce((sum, m) => sum + JSON.stringify(m).length, 0);
  return {
    runId: run.runId,
    from: 'ledger',
    stages,
    stateTransitions: transitions,
    // run start/finish; per attempt a put and a two-item transaction (2 WRU each); a write per movement
    ledgerWriteUnits: 2 + 5 * attempts + movements.length,
    ledgerReadUnits: 0,
    ledgerBytes: itemBytes + movementBytes,
    logBytes: logBytesOf(stages, transitions),
    kmsRequests: Math.ceil(movements.length / 100) + attempts,
    snsPublishes,
    notes,
  };
}

/** A run estimated from pipeline.yaml alone: the default path, PIPELINE_ONLY_SECONDS per stage, no data volume. */
export function workloadFromPipeline(context: WorkloadContext): RunWorkload {
  const { pipeline } = context;
  const stages: StageWorkload[] = [];
  for (const id of defaultPath(pipeline.flow)) {
    const stage = pipeline.stages[id]!;
    const compute = computeOf(stage);
    if (!compute) continue;
    const override = context.stageMinutes[id];
    const guess = PIPELINE_ONLY_SECONDS[stage.type] ?? 0;
    stages.push({
      stageId: id,
      type: stage.type,
      compute,
      attemptSeconds: compute.kind === 'sns' ? [] : [override !== undefined ? override * 60 : guess],
      secondsFrom:
        override !== undefined
          ? `--stage-minutes ${id}=${override}`
          : `no run in the ledger: ${guess} s assumed for a ${stage.type} stage`,
      objectsWritten: 0,
      bytesWritten: 0,
      rawBytesWritten: 0,
      objectsRead: 0,
    });
  }
  return {
    from: 'pipeline',
    stages,
    stateTransitions: context.stateCount,
    ledgerWriteUnits: 2 + 5 * stages.length,
    ledgerReadUnits: 0,
    ledgerBytes: 1000 * (1 + stages.length),
    logBytes: logBytesOf(stages, context.stateCount),
    kmsRequests: stages.length,
    snsPublishes: stages.filter((s) => s.compute.kind === 'sns').length,
    notes: [
      'no run in the ledger: stage times are assumptions and data volume (S3 storage and requests) is left out; run the pipeline once (npm start) for measured numbers',
    ],
  };
}

function logBytesOf(stages: readonly StageWorkload[], transitions: number): number {
  return (
    stages.reduce((sum, s) => sum + LOG_BYTES[s.compute.kind] * Math.max(1, s.attemptSeconds.length), 0) +
    LOG_BYTES.transition * transitions
  );
}

/** What of an env config changes the bill. shared-infra creates one KMS key and turns PITR on. */
export function environmentProfile(config: EnvConfig): EnvironmentProfile {
  const subscribers = { email: 0, https: 0, sqs: 0 };
  for (const s of config.errorTopic.subscribers) subscribers[s.protocol] += 1;
  return {
    name: config.name,
    region: config.region,
    logRetentionDays: config.logRetentionDays,
    rawTransitionDays: config.rawTransitionDays,
    subscribers,
    kmsKeys: 1,
    ledgerPitr: true,
    ...(config.costBaseline ? { baseline: config.costBaseline } : {}),
  };
}
