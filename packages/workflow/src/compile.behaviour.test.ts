import { describe, expect, it } from 'vitest';
import { compilePipeline } from './compile';
import { parsePipeline } from './parse';
import { createStageRegistry } from './registry';
import {
  choiceOnRatio,
  failureDeepInside,
  noRetry,
  parallelThenReport,
  retryTwice,
} from './test-fixtures/flows/behaviour';
import { runLocally } from './test-fixtures/run-locally';
import { fakeStageType, testTarget } from './test-fixtures/stage-types';

const registry = createStageRegistry([fakeStageType]);
const compile = (text: string) => compilePipeline(parsePipeline(text, { registry }), registry, testTarget);

class BenchOfflineError extends Error {
  override name = 'BenchOfflineError';
}

/** Minimal DynamoDB-like view of what the ledger tasks wrote. */
const attemptStatuses = (ledger: Awaited<ReturnType<typeof runLocally>>['ledger'], stage: string) =>
  ledger
    .filter((c) => c.action === 'attempt-succeeded' || c.action === 'attempt-failed')
    .filter((c) => c.state.startsWith(`${stage}:`))
    .map((c) => c.action);

describe('compiled pipelines run under aws-local-stepfunctions', () => {
  it('retries a stage that fails twice and succeeds on attempt 3 with maxAttempts 2', async () => {
    // Arrange
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls < 3) throw new BenchOfflineError(`bench offline (call ${calls})`);
      return { rows: 42 };
    };

    // Act
    const run = await runLocally(compile(retryTwice), { flaky });

    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({
      runId: '20260101T000000Z-abc123',
      trigger: 'manual',
      flaky: { rows: 42 },
    });
    expect(run.ledger.filter((c) => c.action === 'start-attempt')).toHaveLength(3);
    const recorded = run.ledger.filter((c) => c.action === 'record-attempt');
    expect(recorded.map((c) => (c.params.Item as Record<string, { N: string }>).attempt.N)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(attemptStatuses(run.ledger, 'flaky')).toEqual([
      'attempt-failed',
      'attempt-failed',
      'attempt-succeeded',
    ]);
    const failed = run.ledger.find((c) => c.action === 'attempt-failed')!;
    expect(JSON.stringify(failed.params)).toContain('bench offline (call 1)');
    expect(run.ledger.at(-1)!.action).toBe('run-succeeded');
    expect(run.notifications).toEqual([]);
  });

  it('fails at once with maxAttempts 0 and notifies the error and cause once', async () => {
    // Arrange
    const flaky = async () => {
      throw new BenchOfflineError('bench B07 did not answer');
    };

    // Act
    const run = await runLocally(compile(noRetry), { flaky });

    // Assert
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({ name: 'BenchOfflineError', cause: 'bench B07 did not answer' });
    expect(run.stepCalls).toHaveLength(1);
    expect(run.notifications).toHaveLength(1);
    const message = JSON.parse(run.notifications[0]!.Message as string);
    expect(message).toEqual({
      pipeline: 'no-retry',
      runId: '20260101T000000Z-abc123',
      stage: 'flaky',
      subject: 'lakepipe no-retry: run failed in flaky',
      error: 'BenchOfflineError',
      cause: 'bench B07 did not answer',
    });
    expect(run.notifications[0]!.Subject).toBe('lakepipe no-retry: run failed in flaky');
    const runFailed = run.ledger.filter((c) => c.action === 'run-failed');
    expect(runFailed).toHaveLength(1);
    expect(JSON.stringify(runFailed[0]!.params)).toContain('"S":"FAILED"');
  });

  it('does not retry an error named as non-retryable even when retries are configured', async () => {
    // Arrange
    class InvalidInputError extends Error {
      override name = 'InvalidInputError';
    }
    let calls = 0;
    const flaky = async () => {
      calls++;
      throw new InvalidInputError('column test_id missing');
    };

    // Act
    const run = await runLocally(compile(retryTwice), { flaky });

    // Assert
    expect(run.status).toBe('FAILED');
    expect(calls).toBe(1);
    expect(run.notifications).toHaveLength(1);
  });

  it('does not retry a job that AWS reports as States.TaskFailed with a non-retryable error in its cause', async () => {
    // Arrange: what a failed Glue job run looks like to Step Functions (the engine's error is only in the cause)
    class TaskFailed extends Error {
      override name = 'States.TaskFailed';
    }
    let calls = 0;
    const flaky = async () => {
      calls++;
      throw new TaskFailed(
        JSON.stringify({ JobRunState: 'FAILED', ErrorMessage: 'InvalidInputError: column test_id missing' }),
      );
    };

    // Act
    const run = await runLocally(compile(retryTwice), { flaky });

    // Assert
    expect(run.status).toBe('FAILED');
    expect(calls).toBe(1);
    expect(run.error?.name).toBe('InvalidInputError');
    const failed = run.ledger.filter((c) => c.action === 'attempt-failed');
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0]!.params)).toContain('InvalidInputError');
    expect(JSON.parse(run.notifications[0]!.Message as string).error).toBe('InvalidInputError');
  });

  it('still retries a States.TaskFailed whose cause names no non-retryable error', async () => {
    // Arrange
    class TaskFailed extends Error {
      override name = 'States.TaskFailed';
    }
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls < 3)
        throw new TaskFailed(JSON.stringify({ JobRunState: 'FAILED', ErrorMessage: 'Executor lost' }));
      return { rows: 1 };
    };

    // Act
    const run = await runLocally(compile(retryTwice), { flaky });

    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
  });

  it('runs both branches of a parallel and keeps their outputs and the run id for later stages', async () => {
    // Arrange
    const seen: unknown[] = [];
    const stages = {
      left: async () => ({ rows: 1 }),
      right: async () => ({ rows: 2 }),
      report: async (input: unknown) => {
        seen.push(input);
        return { rows: 3 };
      },
    };

    // Act
    const run = await runLocally(compile(parallelThenReport), stages);

    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.stepCalls.map(([name]) => name).sort()).toEqual(['left.run', 'report.run', 'right.run']);
    expect(run.output).toMatchObject({ left: { rows: 1 }, right: { rows: 2 }, report: { rows: 3 } });
    expect(seen).toEqual([{ runId: '20260101T000000Z-abc123', stage: 'report' }]);
  });

  it.each([
    { rejectedRatio: 0.06, expected: ['etl.run', 'warn.publish', 'score.run'] },
    { rejectedRatio: 0.05, expected: ['etl.run', 'score #2.run'] },
    { rejectedRatio: 0.01, expected: ['etl.run', 'score #2.run'] },
  ])(
    'takes the right choice branch for rejectedRatio $rejectedRatio',
    async ({ rejectedRatio, expected }) => {
      // Arrange
      const stages = {
        etl: async () => ({ rows: 10, rejectedRatio }),
        score: async () => ({ rows: 10 }),
      };
      const compiled = compile(choiceOnRatio);
      const published: string[] = [];

      // Act
      const run = await runLocally(compiled, {
        ...stages,
        warn: async (input) => {
          published.push((input as { Message: string }).Message);
          return { MessageId: 'm-1' };
        },
      });

      // Assert
      expect(run.status).toBe('SUCCEEDED');
      expect(run.stepCalls.map(([name]) => name)).toEqual(expected);
      if (rejectedRatio > 0.05)
        expect(published).toEqual(['reject ratio above 5% (pipeline choose, run 20260101T000000Z-abc123)']);
    },
  );

  it('notifies once and marks the run FAILED when a stage fails in a parallel branch inside a choice', async () => {
    // Arrange
    let brokenCalls = 0;
    const stages = {
      etl: async () => ({ rows: 5 }),
      left: async () => ({ rows: 1 }),
      broken: async () => {
        brokenCalls++;
        throw new BenchOfflineError('disk full');
      },
      after: async () => ({ rows: 1 }),
    };

    // Act
    const run = await runLocally(compile(failureDeepInside), stages);

    // Assert
    expect(run.status).toBe('FAILED');
    expect(brokenCalls).toBe(2);
    expect(run.error).toEqual({ name: 'BenchOfflineError', cause: 'disk full' });
    expect(run.notifications).toHaveLength(1);
    expect(JSON.parse(run.notifications[0]!.Message as string)).toEqual({
      pipeline: 'nested',
      runId: '20260101T000000Z-abc123',
      stage: 'broken',
      subject: 'lakepipe nested: run failed in broken',
      error: 'BenchOfflineError',
      cause: 'disk full',
    });
    expect(run.ledger.filter((c) => c.action === 'run-failed')).toHaveLength(1);
    expect(run.ledger.some((c) => c.action === 'run-succeeded')).toBe(false);
    expect(run.stepCalls.map(([name]) => name)).not.toContain('after.run');
  });

  it('mints a time-sortable run id when the execution input has none', async () => {
    // Act
    const run = await runLocally(
      compile(retryTwice),
      { flaky: async () => ({ rows: 1 }) },
      { trigger: 'schedule' },
    );

    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output!.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(run.output!.trigger).toBe('schedule');
  });
});
