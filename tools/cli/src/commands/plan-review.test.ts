import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planReviewCli } from './plan-review';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const plans = path.join(workspace, 'tools/ci/src/__fixtures__/plans');

function capture() {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

describe('lakepipe plan-review', () => {
  it('exits 2 for a prod plan that destroys the lake bucket', async () => {
    // Arrange
    const out = capture();
    const err = capture();

    // Act
    const code = await planReviewCli(
      path.join(plans, 'shared-infra-bucket-delete.json'),
      { env: 'prod', format: 'markdown', allowDestroy: [] },
      out,
      err,
    );

    // Assert
    expect(code).toBe(2);
    expect(out.text()).toContain('**⛔ BLOCKED: this plan must not be applied as it is**');
    expect(err.text()).toContain('shared-infra-bucket-delete.json is blocked (exit 2)');
  });

  it('exits 0 for a prod plan that only updates a Lambda, and names its service', async () => {
    // Arrange
    const out = capture();

    // Act
    const code = await planReviewCli(
      path.join(plans, 'sourcing-lambda-update.json'),
      { stack: 'sourcing-prod', format: 'json', allowDestroy: [] },
      out,
      capture(),
    );

    // Assert
    expect(code).toBe(0);
    const review = JSON.parse(out.text());
    expect(review).toMatchObject({ env: 'prod', stack: 'sourcing-prod', verdict: 'pass' });
    expect(review.byService).toEqual({
      sourcing: { create: 0, update: 1, replace: 0, delete: 0, 'no-op': 2, read: 0, forget: 0 },
    });
  });

  it('lets an allowed destroy through with --allow-destroy', async () => {
    // Act
    const code = await planReviewCli(
      path.join(plans, 'shared-infra-bucket-delete.json'),
      { env: 'prod', format: 'markdown', allowDestroy: ['prod:aws_s3_bucket.lake_bucket_5C0F7E2A'] },
      capture(),
      capture(),
    );

    // Assert
    expect(code).toBe(0);
  });

  it('names the file and the field when the input is not a plan', async () => {
    // Arrange
    const file = path.join(process.env.TMPDIR ?? workspace, `not-a-plan-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ resource_changes: [] }));
    const err = capture();

    // Act
    const code = await planReviewCli(
      file,
      { env: 'prod', format: 'markdown', allowDestroy: [] },
      capture(),
      err,
    );

    // Assert
    expect(code).toBe(1);
    expect(err.text()).toContain(`${file} is not a terraform plan (terraform show -json output):`);
    expect(err.text()).toContain(
      'format_version: Invalid input: expected string, received undefined (got missing)',
    );
  });

  it('refuses to assume an environment: exits 1 and asks for --env', async () => {
    // Arrange
    const err = capture();
    const file = path.join(plans, 'shared-infra-bucket-delete.json');

    // Act
    const code = await planReviewCli(file, { format: 'markdown', allowDestroy: [] }, capture(), err);

    // Assert
    expect(code).toBe(1);
    expect(err.text()).toBe(
      `plan-review ${file}: --env is required (or --stack <id>-<env>, e.g. sourcing-prod): a stateful destroy blocks in prod and only warns in dev, so no environment is assumed\n`,
    );
  });

  it('says which environment it took from --stack', async () => {
    // Arrange
    const err = capture();

    // Act
    await planReviewCli(
      path.join(plans, 'sourcing-lambda-update.json'),
      { stack: 'sourcing-prod', format: 'markdown', allowDestroy: [] },
      capture(),
      err,
    );

    // Assert
    expect(err.text()).toBe('plan-review: reviewing for environment prod (from --stack sourcing-prod)\n');
  });
});
