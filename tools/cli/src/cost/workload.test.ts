import path from 'node:path';
import { defaultPriceBook } from '@lakepipe/cost';
import type { ObjectMovementItem, RunWithStages, StageAttemptItem } from '@lakepipe/ledger';
import { TRANSFORM_INSTANCE_TYPES } from '@lakepipe/sagemaker-scoring/stage-type';
import { GLUE_WORKER_TYPES } from '@lakepipe/spark-etl/stage-type';
import { describe, expect, it } from 'vitest';
import { loadPipelineForCli } from '../stage-registry';
import { runsPerDayOf } from './local-report';
import {
  CLOUD_TIME_MODEL,
  countStates,
  defaultPath,
  parseStageMinutes,
  type WorkloadContext,
  workloadFromPipeline,
  workloadFromRun,
} from './workload';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const pipeline = loadPipelineForCli(path.join(workspaceRoot, 'pipeline.yaml'));
const runId = '20261130T020000Z-abc123';
const SHA = 'b'.repeat(64);

function attempt(
  stageId: string,
  n: number,
  from: string,
  seconds: number,
  more: Partial<StageAttemptItem> = {},
) {
  const start = new Date(`2026-11-30T02:${from}Z`);
  return {
    runId,
    stageId,
    attempt: n,
    status: 'SUCCEEDED',
    startedAt: start.toISOString(),
    finishedAt: new Date(start.getTime() + seconds * 1000).toISOString(),
    inputPrefixes: [],
    outputPrefixes: [],
    counts: {},
    ...more,
  } satisfies StageAttemptItem;
}

const run: RunWithStages = {
  runId,
  pipeline: 'bench-quality',
  status: 'SUCCEEDED',
  startedAt: '2026-11-30T02:00:00.000Z',
  finishedAt: '2026-11-30T02:10:00.000Z',
  counters: {},
  stages: [
    attempt('source', 1, '00:00', 2, { counts: { files: 3, duplicates: 1 } }),
    attempt('etl', 1, '01:00', 4, { status: 'FAILED' }),
    attempt('etl', 2, '02:00', 10, { counts: { filesRead: 3, rowsRead: 1000 } }),
    attempt('score', 1, '03:00', 3, { counts: { scoredRows: 990 } }),
    attempt('views', 1, '04:00', 1),
  ],
};

const movements: ObjectMovementItem[] = [
  {
    runId,
    stageId: 'source',
    to: `raw/bench_tests/dt=2026-11-30/run=${runId}/a.csv`,
    bytes: 3000,
    sha256: SHA,
    at: '',
  },
  {
    runId,
    stageId: 'etl',
    to: 'curated/bench_tests/dt=2026-11-30/x.parquet',
    bytes: 1000,
    sha256: SHA,
    at: '',
  },
  {
    runId,
    stageId: 'etl',
    to: `features/bench_tests/run=${runId}/part-0.csv`,
    bytes: 500,
    sha256: SHA,
    at: '',
  },
  {
    runId,
    stageId: 'score',
    to: `scored/bench_tests/run=${runId}/part-0.csv.out`,
    bytes: 400,
    sha256: SHA,
    at: '',
  },
];

const context: WorkloadContext = { pipeline, stateCount: 40, stageMinutes: {} };

describe('the workload of a recorded run', () => {
  it('scales each attempt of the twin to cloud time by the stage type, retries included', () => {
    const workload = workloadFromRun(run, movements, context);

    const etl = workload.stages.find((s) => s.stageId === 'etl')!;
    const glue = CLOUD_TIME_MODEL['spark-etl']!;
    expect(etl.attemptSeconds).toEqual([
      glue.overheadSeconds + 4 * glue.factor,
      glue.overheadSeconds + 10 * glue.factor,
    ]);
    expect(etl.compute).toEqual({ kind: 'glue', workerType: 'G.1X', workers: 4 });
    expect(etl).toMatchObject({ rows: 1000, objectsRead: 3, bytesWritten: 1500, rawBytesWritten: 0 });
    expect(workload.stages.find((s) => s.stageId === 'score')).toMatchObject({
      compute: { kind: 'sagemaker', instanceType: 'ml.m5.xlarge', count: 1 },
      attemptSeconds: [240 + 3],
      objectsRead: 1, // the features file
      rows: 990,
    });
    expect(workload.stages.find((s) => s.stageId === 'source')).toMatchObject({
      compute: { kind: 'lambda', memoryMb: 1024 },
      objectsRead: 4,
      rawBytesWritten: 3000,
    });
    expect(workload.stages.map((s) => s.stageId)).toEqual(['source', 'etl', 'score', 'views']);
    // 40 states, and 2 more transitions for the retried attempt
    expect(workload.stateTransitions).toBe(42);
    // run start/finish, 5 per attempt, one per movement
    expect(workload.ledgerWriteUnits).toBe(2 + 5 * 5 + 4);
  });

  it('bills the cloud ledger’s times as recorded, and --stage-minutes over both', () => {
    const cloud = workloadFromRun(run, movements, { ...context, times: 'cloud' });
    const overridden = workloadFromRun(run, movements, { ...context, stageMinutes: { etl: 6 } });

    expect(cloud.stages.find((s) => s.stageId === 'etl')!.attemptSeconds).toEqual([4, 10]);
    expect(cloud.stages[0]!.secondsFrom).toBe('cloud ledger: 2.0 s as recorded');
    expect(overridden.stages.find((s) => s.stageId === 'etl')).toMatchObject({
      attemptSeconds: [360, 360],
      secondsFrom: '--stage-minutes etl=6',
    });
  });

  it('leaves out an unfinished attempt and says so', () => {
    const running = {
      ...run,
      status: 'RUNNING' as const,
      stages: [
        ...run.stages,
        { ...attempt('report', 1, '05:00', 0), status: 'RUNNING' as const, finishedAt: undefined },
      ],
    };

    const workload = workloadFromRun(running, movements, context);

    expect(workload.stages.map((s) => s.stageId)).not.toContain('report');
    expect(workload.notes).toContain('report: 1 unfinished attempt(s) left out (the run is still going)');
  });
});

describe('the workload from pipeline.yaml alone', () => {
  it('takes the path a run without a choice goes through', () => {
    expect(defaultPath(pipeline.flow)).toEqual(['source', 'etl', 'score', 'views', 'report']);

    const workload = workloadFromPipeline(context);

    expect(workload.from).toBe('pipeline');
    expect(workload.stages.find((s) => s.stageId === 'etl')!.attemptSeconds).toEqual([300]);
  });
});

describe('the price book against the pipeline schema', () => {
  it('prices every batch transform instance type and every G worker type a pipeline may declare, in every region', () => {
    const book = defaultPriceBook();

    for (const [region, prices] of Object.entries(book.regions)) {
      const unpriced = TRANSFORM_INSTANCE_TYPES.filter((type) => !prices.sagemakerTransform[type]);
      expect(unpriced, region).toEqual([]);
    }
    // the memory-optimized R workers are billed per M-DPU, a price the book does not have
    expect(GLUE_WORKER_TYPES.filter((type) => book.rules.glueWorkerDpus[type] === undefined)).toEqual([
      'R.1X',
      'R.2X',
      'R.4X',
      'R.8X',
    ]);
  });
});

describe('inputs', () => {
  it('counts the states of an ASL definition, in parallel branches too', () => {
    expect(
      countStates({
        States: {
          A: { Type: 'Pass' },
          P: {
            Type: 'Parallel',
            Branches: [
              { States: { B: { Type: 'Pass' } } },
              { States: { C: { Type: 'Pass' }, D: { Type: 'Pass' } } },
            ],
          },
        },
      }),
    ).toBe(5);
  });

  it('reads runs per day from the schedule when it says', () => {
    expect(runsPerDayOf('cron(0 2 * * ? *)')).toBe(1);
    expect(runsPerDayOf('cron(0,30 2,14 * * ? *)')).toBe(4);
    expect(runsPerDayOf('rate(6 hours)')).toBe(4);
    expect(runsPerDayOf('rate(15 minutes)')).toBe(96);
    expect(runsPerDayOf('cron(0 2 ? * MON *)')).toBeUndefined();
    expect(runsPerDayOf(undefined)).toBeUndefined();
  });

  it('parses --stage-minutes and names what is wrong', () => {
    expect(parseStageMinutes('etl=6, score=9.5', pipeline)).toEqual({ etl: 6, score: 9.5 });
    expect(() => parseStageMinutes('etl', pipeline)).toThrow(
      '--stage-minutes "etl" is not valid: STAGE=MINUTES[,STAGE=MINUTES...], minutes 0 or more, e.g. etl=6,score=9',
    );
  });
});
