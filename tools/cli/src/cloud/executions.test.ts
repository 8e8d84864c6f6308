import { afterEach, describe, expect, it } from 'vitest';
import type { RunObserver } from '../twin/progress';
import { PipelineExecutions, stageStatesOf } from './executions';
import { FakeStepFunctions, type ScriptedEvent, taskEvents } from './test-support/fake-aws';

const MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:lakepipe-dev-p';
let fake: FakeStepFunctions | undefined;

afterEach(async () => {
  await fake?.stop();
});

/** Records what a follower tells the display, one line per call. */
function recorder(): RunObserver & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    stageStarted: (id, attempt) => lines.push(`start ${id} ${attempt}`),
    stageProgress: () => undefined,
    stageFinished: (id, outcome) =>
      lines.push(`${outcome.ok ? 'ok' : 'fail'} ${id}${outcome.error ? ` ${outcome.error}` : ''}`),
    notification: () => undefined,
    close: () => lines.push('close'),
  };
}

describe('following a deployed execution', () => {
  it('maps task states to stages: the first step opens an attempt, the last one closes the stage', () => {
    const states = stageStatesOf({
      bindings: {
        'etl.run': { kind: 'stage-step', stageId: 'etl', stageType: 'spark-etl', stepKey: 'run' },
        'score.transform': { kind: 'stage-step', stageId: 'score', stageType: 's', stepKey: 'transform' },
        'score.count': { kind: 'stage-step', stageId: 'score', stageType: 's', stepKey: 'count' },
        'score #2.transform': { kind: 'stage-step', stageId: 'score', stageType: 's', stepKey: 'transform' },
        'score #2.count': { kind: 'stage-step', stageId: 'score', stageType: 's', stepKey: 'count' },
        'etl.start-attempt': { kind: 'notify', topicArn: 'x' },
      },
    } as never);

    expect(Object.fromEntries(states)).toEqual({
      'etl.run': { stageId: 'etl', first: true, last: true },
      'score.transform': { stageId: 'score', first: true, last: false },
      'score.count': { stageId: 'score', first: false, last: true },
      'score #2.transform': { stageId: 'score', first: true, last: false },
      'score #2.count': { stageId: 'score', first: false, last: true },
    });
  });

  it('reads a history longer than one page, newest first, without repeating or missing an event', async () => {
    // 40 failed attempts and a success: 124 task events, read in pages of 100
    const failures = Array.from(
      { length: 40 },
      () => ({ ok: false, error: 'Glue.X', cause: 'lost' }) as const,
    );
    const events: ScriptedEvent[] = [
      { type: 'ExecutionStarted' },
      ...taskEvents('etl.run', [...failures, { ok: true }]),
      { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } },
    ];
    fake = new FakeStepFunctions(async () => ({ events, perPoll: 200 }));
    const executions = new PipelineExecutions({ sfn: await fake.start(), stateMachineArn: MACHINE });
    const observer = recorder();

    const { executionArn } = await executions.start('20261130T100000Z-000001');
    const outcome = await executions.follow(executionArn, {
      observer,
      stageStates: new Map([['etl.run', { stageId: 'etl', first: true, last: true }]]),
      pollMs: 1,
    });

    expect(outcome).toMatchObject({ status: 'SUCCEEDED', failedStage: undefined });
    expect(observer.lines.filter((l) => l.startsWith('start'))).toHaveLength(41);
    expect(observer.lines.slice(0, 2)).toEqual(['start etl 1', 'fail etl Glue.X: lost']);
    expect(observer.lines.slice(-3)).toEqual(['start etl 41', 'ok etl', 'close']);
    const pages = fake.calls.filter((c) => c.action === 'GetExecutionHistory');
    expect(pages.some((c) => c.body.nextToken !== undefined)).toBe(true);
    expect(pages.every((c) => c.body.reverseOrder === true && c.body.maxResults === 100)).toBe(true);
  });

  it('redrives a failed execution', async () => {
    fake = new FakeStepFunctions(async () => ({ events: [] }));
    const executions = new PipelineExecutions({ sfn: await fake.start(), stateMachineArn: MACHINE });

    const { executionArn } = await executions.start('20261130T100000Z-000002');
    await executions.redrive(executionArn);

    expect(fake.calls.map((c) => c.action)).toEqual(['StartExecution', 'RedriveExecution']);
    expect(fake.calls[1]!.body).toMatchObject({ executionArn });
  });
});
