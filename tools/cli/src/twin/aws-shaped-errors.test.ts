import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { errorText, readableCause } from '../errors';
import { runLocalPipeline } from './runner';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const tmpRoot = path.join(workspaceRoot, '.tmp');

describe('the twin fails the way AWS fails', () => {
  it('does not retry a Glue job that fails with RejectRatioExceededError, although AWS reports it as States.TaskFailed', async () => {
    // Arrange: the repo pipeline, with a reject limit the 1% broken sample rows exceed and 3 ETL attempts
    mkdirSync(tmpRoot, { recursive: true });
    const lake = mkdtempSync(path.join(tmpRoot, 'twin-aws-errors-'));
    const pipeline = parseYaml(readFileSync(path.join(workspaceRoot, 'pipeline.yaml'), 'utf8'));
    pipeline.datasets.bench_tests.maxRejectRatio = 0.001;
    pipeline.stages.etl.retry = { maxAttempts: 3, intervalSeconds: 1 };
    const configFile = path.join(lake, 'pipeline.yaml');
    writeFileSync(configFile, stringifyYaml(pipeline));

    // Act
    const result = await runLocalPipeline({ configFile, lakeRoot: lake, rows: 3000, env: 'dev' });

    // Assert: one attempt (the classify step found the name in the TaskFailed cause), recorded by its name
    expect(result.ok).toBe(false);
    const etl = (result.run?.stages ?? []).filter((s) => s.stageId === 'etl');
    expect(etl.map((s) => s.status)).toEqual(['FAILED']);
    expect(result.run?.error?.name).toBe('RejectRatioExceededError');
    const cause = JSON.parse(result.run?.error?.cause ?? '{}');
    expect(cause).toMatchObject({ JobRunState: 'FAILED' });
    expect(cause.ErrorMessage).toMatch(/^RejectRatioExceededError: /);
  }, 300_000);
});

describe('readableCause', () => {
  it('shows the engine message inside an AWS-shaped cause and leaves plain text alone', () => {
    expect(
      readableCause('{"JobName":"j","JobRunState":"FAILED","ErrorMessage":"RejectRatioExceededError: 41%"}'),
    ).toBe('RejectRatioExceededError: 41%');
    expect(readableCause('{"errorType":"X","errorMessage":"boom","trace":[]}')).toBe('boom');
    expect(readableCause('disk full')).toBe('disk full');
    expect(readableCause('{not json')).toBe('{not json');
  });

  it('says the error name once when the engine message starts with it', () => {
    const cause =
      '{"JobName":"j","JobRunState":"FAILED","ErrorMessage":"RejectRatioExceededError: 50% rejected"}';
    expect(errorText('RejectRatioExceededError', cause)).toBe('RejectRatioExceededError: 50% rejected');
    expect(errorText('States.Timeout', '')).toBe('States.Timeout: ');
    expect(errorText('InjectedFailureError', 'attempt 3')).toBe('InjectedFailureError: attempt 3');
  });
});
