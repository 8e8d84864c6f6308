import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const pipeline = path.join(workspaceRoot, 'pipeline.yaml');
const base = {
  config: pipeline,
  rows: '1000',
  lake: path.join(workspaceRoot, '.tmp', 'unused-lake'),
  env: 'dev',
};
const quiet = { write: () => true };

describe('lakepipe run refuses bad options before touching the lake', () => {
  it('names a missing pipeline file', async () => {
    await expect(runCommand({ ...base, config: 'nope.yaml' }, quiet)).rejects.toThrow(
      '--config "nope.yaml" is not valid: a pipeline file that exists (default: pipeline.yaml in the current folder)',
    );
  });

  it('names a row count that is not a whole number above 0', async () => {
    await expect(runCommand({ ...base, rows: '-5' }, quiet)).rejects.toThrow(
      '--rows "-5" is not valid: a whole number above 0',
    );
  });

  it('names a malformed --fail and a stage the pipeline does not have', async () => {
    await expect(runCommand({ ...base, fail: 'etl:x' }, quiet)).rejects.toThrow(
      '--fail "etl:x" is not valid: STAGE or STAGE:TIMES, e.g. etl:2',
    );
    await expect(runCommand({ ...base, fail: 'nosuch' }, quiet)).rejects.toThrow(
      `--fail "nosuch" is not valid: a stage of ${pipeline}: source, etl, score, views, report, warn`,
    );
  });
});
