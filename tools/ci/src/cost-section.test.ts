import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addCostToStackReview, readCostSection, withCostSection } from './cost-section';
import { planReviewCommand } from './plan-review-command';

const plan = path.join(import.meta.dirname, '__fixtures__', 'plans', 'sourcing-create.json');
const COST =
  '### Cost: serverless pipeline vs the replaced cluster (dev)\n\n| | USD |\n| --- | ---: |\n| per run | $0.0546 |\n';

describe('the cost section of a plan review', () => {
  it('goes right after the terraform plan summary line, before the tables', () => {
    // Arrange
    const review = planReviewCommand(plan, { env: 'dev' }).output;

    // Act
    const withCost = withCostSection(review, COST);

    // Assert
    const lines = withCost.split('\n');
    const summary = lines.findIndex((l) => /^\d+ to create, /.test(l));
    expect(summary).toBeGreaterThan(0);
    expect(lines.slice(summary + 1, summary + 3)).toEqual([
      '',
      '### Cost: serverless pipeline vs the replaced cluster (dev)',
    ]);
    expect(withCost.indexOf('| per run | $0.0546 |')).toBeLessThan(withCost.indexOf('### By service'));
    expect(withCost.replace(`\n\n${COST.trim()}`, '')).toBe(review);
  });

  it('is appended when the review has no summary line, and left out when empty', () => {
    expect(withCostSection('## Plan review: dev\n', COST)).toBe(`## Plan review: dev\n\n${COST}`);
    expect(withCostSection('## Plan review: dev\n', '  \n')).toBe('## Plan review: dev\n');
  });

  it('is what `lakepipe-ci review --cost FILE` prints, as Jenkins runs it', () => {
    // Arrange
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cost-section-'));
    const file = path.join(dir, 'cost.md');
    writeFileSync(file, COST);
    const repoRoot = path.resolve(import.meta.dirname, '../../..');

    // Act
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'tools/ci/src/bin.ts'),
        'review',
        plan,
        '--env',
        'dev',
        '--cost',
        file,
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LAKEPIPE_ALLOW_DESTROY: '' } },
    );

    // Assert
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(withCostSection(planReviewCommand(plan, { env: 'dev' }).output, COST));
  });

  it('goes into the review file of the stack that Jenkins archives and shows at the approval', () => {
    // Arrange
    const workspaceRoot = mkdtempSync(path.join(os.tmpdir(), 'cost-review-'));
    const reviewFile = path.join(workspaceRoot, 'cdktf.out', 'reviews', 'sourcing-prod.md');
    mkdirSync(path.dirname(reviewFile), { recursive: true });
    const review = planReviewCommand(plan, { env: 'prod' }).output;
    writeFileSync(reviewFile, review);

    // Act
    const printed = addCostToStackReview(
      workspaceRoot,
      { id: 'sourcing', project: 'sourcing', ephemeral: true, env: 'prod', stackName: 'sourcing-prod' },
      COST,
    );

    // Assert
    expect(readFileSync(reviewFile, 'utf8')).toBe(withCostSection(review, COST));
    expect(printed).toBe(readFileSync(reviewFile, 'utf8'));
  });

  it('names a --cost file that is missing or not markdown', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cost-section-'));
    const json = path.join(dir, 'cost.json');
    writeFileSync(json, '{"perRun":{}}');

    expect(() => readCostSection(path.join(dir, 'nope.md'))).toThrow(
      `--cost ${path.join(dir, 'nope.md')} does not exist: write it with \`npx lakepipe cost --env <env> --format markdown > ${path.join(dir, 'nope.md')}\``,
    );
    expect(() => readCostSection(json)).toThrow(`--cost ${json} has no markdown heading`);
  });
});
