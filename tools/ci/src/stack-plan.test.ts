import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandFailedError, PlanBlockedError } from './errors';
import { processRunner } from './exec';
import { loadDeliveryEnvConfig, toTarget } from './stack-catalog';
import { applyStack, planStack, preventDestroyAddresses } from './stack-plan';
import { deliveryWorkspace, fakeTerraform, fakeTerraformEnv, testCatalog } from './test-workspace';

const quiet = () => undefined;

describe('planStack', () => {
  it('runs init, plan and show, then writes the review for Jenkins to archive', async () => {
    // Arrange
    const root = deliveryWorkspace(['sourcing-prod']);
    const tf = fakeTerraformEnv(root, { 'sourcing-prod': 'sourcing-lambda-update.json' });
    const target = toTarget(testCatalog[3]!, 'prod');

    // Act
    const review = await planStack({
      workspaceRoot: root,
      target,
      config: loadDeliveryEnvConfig(root, 'prod'),
      catalog: testCatalog,
      runner: processRunner({ env: tf.env, log: quiet }),
      terraformBin: fakeTerraform,
    });

    // Assert
    expect(tf.calls().map((call) => call.split(' ').slice(0, 2).join(' '))).toEqual([
      'sourcing-prod init',
      'sourcing-prod plan',
      'sourcing-prod show',
    ]);
    expect(review?.verdict).toBe('pass');
    expect(review?.stack).toBe('sourcing-prod');
    const markdown = readFileSync(path.join(root, 'cdktf.out', 'reviews', 'sourcing-prod.md'), 'utf8');
    expect(markdown).toContain('## Plan review: sourcing-prod (prod)');
    const json = JSON.parse(
      readFileSync(path.join(root, 'cdktf.out', 'reviews', 'sourcing-prod.json'), 'utf8'),
    );
    expect(json.totals.update).toBe(1);
  });

  it('blocks the destroy of a resource the synthesized stack marks prevent_destroy', async () => {
    // Arrange
    const root = deliveryWorkspace(['view-prod']);
    writeFileSync(
      path.join(root, 'cdktf.out', 'stacks', 'view-prod', 'cdk.tf.json'),
      JSON.stringify({
        resource: {
          aws_cloudwatch_log_group: { view_handler_logs_5E6F7081: { lifecycle: { prevent_destroy: true } } },
          aws_lambda_function: { view_handler_3C4D5E6F: {} },
        },
      }),
    );
    const tf = fakeTerraformEnv(root, { 'view-prod': 'view-destroy.json' });

    // Act
    const review = await planStack({
      workspaceRoot: root,
      target: toTarget(testCatalog[8]!, 'prod'),
      config: loadDeliveryEnvConfig(root, 'prod'),
      catalog: testCatalog,
      runner: processRunner({ env: tf.env, log: quiet }),
      terraformBin: fakeTerraform,
    });

    // Assert
    expect(review?.verdict).toBe('blocked');
    expect(review?.risky.map((c) => c.address)).toEqual([
      'aws_cloudwatch_log_group.view_handler_logs_5E6F7081',
    ]);
  });

  it('stops with the failing terraform command and its error output', async () => {
    // Arrange
    const root = deliveryWorkspace(['sourcing-dev']);
    const tf = fakeTerraformEnv(root, {}, 'sourcing-dev plan');

    // Act
    const act = planStack({
      workspaceRoot: root,
      target: toTarget(testCatalog[3]!, 'dev'),
      config: loadDeliveryEnvConfig(root, 'dev'),
      catalog: testCatalog,
      runner: processRunner({ env: tf.env, log: quiet }),
      terraformBin: fakeTerraform,
    });

    // Assert
    await expect(act).rejects.toThrow(CommandFailedError);
    await expect(act).rejects.toThrow(
      /terraform plan -input=false .* exited with 1:\nError: fake failure of terraform plan/,
    );
  });
});

describe('applyStack', () => {
  it('refuses to apply a plan whose review blocked it, and applies nothing', async () => {
    // Arrange
    const root = deliveryWorkspace(['shared-infra-prod']);
    const tf = fakeTerraformEnv(root, { 'shared-infra-prod': 'shared-infra-bucket-delete.json' });
    const options = {
      workspaceRoot: root,
      target: toTarget(testCatalog[0]!, 'prod'),
      config: loadDeliveryEnvConfig(root, 'prod'),
      catalog: testCatalog,
      runner: processRunner({ env: tf.env, log: quiet }),
      terraformBin: fakeTerraform,
    };
    await planStack(options);

    // Act
    const act = applyStack(options);

    // Assert
    await expect(act).rejects.toThrow(PlanBlockedError);
    await expect(act).rejects.toThrow(
      'plan of shared-infra-prod is blocked:\n  - delete of aws_s3_bucket.lake_bucket_5C0F7E2A',
    );
    expect(tf.calls().some((call) => call.includes(' apply '))).toBe(false);
  });

  it('applies the saved plan once the review passed', async () => {
    // Arrange
    const root = deliveryWorkspace(['sourcing-prod']);
    const tf = fakeTerraformEnv(root, { 'sourcing-prod': 'sourcing-lambda-update.json' });
    const options = {
      workspaceRoot: root,
      target: toTarget(testCatalog[3]!, 'prod'),
      config: loadDeliveryEnvConfig(root, 'prod'),
      catalog: testCatalog,
      runner: processRunner({ env: tf.env, log: quiet }),
      terraformBin: fakeTerraform,
    };
    await planStack(options);

    // Act
    await applyStack(options);

    // Assert
    expect(tf.calls().at(-1)).toBe('sourcing-prod apply -input=false -no-color -lock-timeout=5m plan.tfplan');
    expect(existsSync(path.join(root, 'cdktf.out', 'stacks', 'sourcing-prod', 'plan.tfplan'))).toBe(true);
  });
});

describe('preventDestroyAddresses', () => {
  it('lists the resources a synthesized stack protects with lifecycle.prevent_destroy', () => {
    expect(
      preventDestroyAddresses({
        resource: {
          aws_s3_bucket: { lake: { lifecycle: { prevent_destroy: true } }, logs: {} },
          aws_kms_key: { key: { lifecycle: { prevent_destroy: false } } },
        },
      }),
    ).toEqual(['aws_s3_bucket.lake']);
  });
});
