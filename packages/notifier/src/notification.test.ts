import { describe, expect, it } from 'vitest';
import {
  datasetRunPrefixes,
  errorNotification,
  formatNotification,
  parseStateMachineFailure,
} from './notification';

const runId = '20261126T064500Z-a1b2c3';

describe('formatNotification', () => {
  it('says which run, stage, attempt, error and cause, the prefixes and how to look it up', () => {
    // Arrange
    const notification = errorNotification({
      runId,
      pipeline: 'bench',
      stage: 'etl',
      attempt: 2,
      errorName: 'RejectRatioExceededError',
      cause: '41% of rows rejected (limit 5%)',
      prefixes: [
        'raw/bench_tests/dt=2026-11-26/run=20261126T064500Z-a1b2c3/',
        'rejected/bench_tests/run=20261126T064500Z-a1b2c3/',
      ],
    });

    // Act
    const { subject, body } = formatNotification(notification);

    // Assert
    expect(subject).toBe(
      'lakepipe bench: run 20261126T064500Z-a1b2c3 failed in etl: RejectRatioExceededError',
    );
    expect(body).toBe(
      [
        'Run 20261126T064500Z-a1b2c3 of pipeline bench failed.',
        '',
        'Stage:  etl (attempt 2)',
        'Error:  RejectRatioExceededError',
        'Cause:  41% of rows rejected (limit 5%)',
        '',
        'Lake prefixes involved:',
        '  raw/bench_tests/dt=2026-11-26/run=20261126T064500Z-a1b2c3/',
        '  rejected/bench_tests/run=20261126T064500Z-a1b2c3/',
        '  _manifests/run=20261126T064500Z-a1b2c3/',
        '',
        'Look it up:',
        '  npx lakepipe status 20261126T064500Z-a1b2c3',
        '  GET /runs/20261126T064500Z-a1b2c3   (the ledger HTTP API)',
      ].join('\n'),
    );
  });

  it('keeps the subject under the 100 characters SNS allows (99 at most)', () => {
    // Arrange
    const notification = errorNotification({
      runId,
      pipeline: 'a_pipeline_with_a_rather_long_name',
      stage: 'a_stage_with_an_even_longer_name_than_that',
      errorName: 'SomeVeryDescriptiveError',
      cause: 'x',
    });

    // Act
    const { subject } = formatNotification(notification);

    // Assert
    expect(subject).toHaveLength(99);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('rejects a malformed run id', () => {
    expect(() => errorNotification({ runId: 'today', stage: 'etl', errorName: 'E', cause: 'c' })).toThrow(
      'run id "today" is malformed',
    );
  });
});

describe('parseStateMachineFailure', () => {
  it('reads the JSON the compiled failure path publishes', () => {
    // Arrange
    const message = JSON.stringify({
      pipeline: 'bench',
      runId,
      stage: 'score',
      error: 'States.Timeout',
      cause: 'no answer in 900 s',
    });

    // Act
    const notification = parseStateMachineFailure(message, (stage, id) => [
      `scored/bench_tests/run=${id}/`,
      `${stage}/`,
    ]);

    // Assert
    expect(notification).toEqual({
      runId,
      pipeline: 'bench',
      stage: 'score',
      attempt: undefined,
      errorName: 'States.Timeout',
      cause: 'no answer in 900 s',
      prefixes: [`scored/bench_tests/run=${runId}/`, 'score/', `_manifests/run=${runId}/`],
      lookup: { cli: `npx lakepipe status ${runId}`, http: `GET /runs/${runId}` },
    });
  });

  it('treats plain text as a notice, not a failure', () => {
    expect(parseStateMachineFailure('nightly scoring done')).toBeUndefined();
    expect(parseStateMachineFailure('{"hello":1}')).toBeUndefined();
  });
});

describe('datasetRunPrefixes', () => {
  it('lists every prefix a run touches for a dataset', () => {
    expect(datasetRunPrefixes('bench_tests', runId)).toEqual([
      'raw/bench_tests/dt=2026-11-26/run=20261126T064500Z-a1b2c3/',
      'curated/bench_tests/dt=2026-11-26/',
      'rejected/bench_tests/run=20261126T064500Z-a1b2c3/',
      'features/bench_tests/run=20261126T064500Z-a1b2c3/',
      'scored/bench_tests/run=20261126T064500Z-a1b2c3/',
    ]);
  });

  it('rejects a dataset name that would escape its prefix', () => {
    expect(() => datasetRunPrefixes('../x', runId)).toThrow('dataset name "../x" is not allowed');
  });
});
