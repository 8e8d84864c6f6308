import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanFormatError } from './errors';
import { allowancesFromEnv, parseAllowance, planReview, reviewAction } from './plan-review';
import { renderPlanReviewJson, renderPlanReviewMarkdown } from './render';
import type { StackCatalogEntry } from './stack-catalog';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '__fixtures__', 'plans', name), 'utf8'));

const catalog: readonly StackCatalogEntry[] = [
  { id: 'shared-infra', project: 'shared-infra', ephemeral: false },
  { id: 'sourcing', project: 'sourcing', ephemeral: true },
  { id: 'view-catalog', project: 'view', ephemeral: false },
  { id: 'view', project: 'view', ephemeral: true },
];

describe('planReview', () => {
  it('counts a first deploy as creates, by resource type and by service', () => {
    // Arrange
    const plan = fixture('sourcing-create.json');

    // Act
    const review = planReview(plan, { env: 'dev', stack: 'sourcing-dev', catalog });

    // Assert
    expect(review.verdict).toBe('pass');
    expect(review.totals).toEqual({
      create: 3,
      update: 0,
      replace: 0,
      delete: 0,
      'no-op': 0,
      read: 0,
      forget: 0,
    });
    expect(Object.keys(review.byType)).toEqual([
      'aws_cloudwatch_log_group',
      'aws_iam_role',
      'aws_lambda_function',
    ]);
    expect(review.byService.sourcing?.create).toBe(3);
    expect(review.risky).toEqual([]);
  });

  it('passes a prod plan that only updates a Lambda in place', () => {
    // Arrange
    const plan = fixture('sourcing-lambda-update.json');

    // Act
    const review = planReview(plan, { env: 'prod', stack: 'sourcing-prod', catalog });

    // Assert
    expect(review.verdict).toBe('pass');
    expect(review.reasons).toEqual([]);
    expect(review.totals.update).toBe(1);
    expect(review.totals['no-op']).toBe(2);
    expect(review.changes.map((c) => [c.address, c.action])).toEqual([
      ['aws_lambda_function.sourcing_handler_2B8E4C17', 'update'],
    ]);
  });

  it('blocks a prod plan that replaces the lake bucket, naming the forcing attribute', () => {
    // Arrange
    const plan = fixture('shared-infra-bucket-replace.json');

    // Act
    const review = planReview(plan, { env: 'prod', stack: 'shared-infra-prod', catalog });

    // Assert
    expect(review.verdict).toBe('blocked');
    expect(review.risky).toEqual([
      {
        address: 'aws_s3_bucket.lake_bucket_5C0F7E2A',
        type: 'aws_s3_bucket',
        service: 'shared-infra',
        action: 'replace',
        risk: 'S3 bucket (its objects are lost)',
        allowed: false,
        replacePaths: ['bucket'],
        actionReason: 'replace_because_cannot_update',
      },
    ]);
    expect(review.reasons).toEqual([
      'replace of aws_s3_bucket.lake_bucket_5C0F7E2A: S3 bucket (its objects are lost); pass --allow-destroy prod:aws_s3_bucket.lake_bucket_5C0F7E2A to allow it',
    ]);
  });

  it('blocks a prod plan that destroys the lake bucket', () => {
    // Arrange
    const plan = fixture('shared-infra-bucket-delete.json');

    // Act
    const review = planReview(plan, { env: 'prod' });

    // Assert
    expect(review.verdict).toBe('blocked');
    expect(review.totals.delete).toBe(1);
    expect(review.risky.map((c) => [c.address, c.action])).toEqual([
      ['aws_s3_bucket.lake_bucket_5C0F7E2A', 'delete'],
    ]);
  });

  it('blocks a prod plan that replaces or destroys the ledger table', () => {
    // Arrange
    const replace = fixture('shared-infra-table-replace.json');
    const destroy = fixture('shared-infra-table-delete.json');

    // Act
    const replaced = planReview(replace, { env: 'prod' });
    const destroyed = planReview(destroy, { env: 'prod' });

    // Assert
    expect(replaced.verdict).toBe('blocked');
    expect(replaced.risky[0]).toMatchObject({
      address: 'aws_dynamodb_table.ledger_table_7D6C5B4A',
      action: 'replace',
      risk: 'DynamoDB table (its items are lost)',
      replacePaths: ['hash_key'],
    });
    expect(destroyed.verdict).toBe('blocked');
    expect(destroyed.risky[0]).toMatchObject({ action: 'delete', type: 'aws_dynamodb_table' });
  });

  it('lets an explicitly allowed stateful destroy through in prod, and says so', () => {
    // Arrange
    const plan = fixture('shared-infra-bucket-delete.json');

    // Act
    const review = planReview(plan, { env: 'prod', allow: ['prod:aws_s3_bucket.lake_bucket_5C0F7E2A'] });

    // Assert
    expect(review.verdict).toBe('warn');
    expect(review.risky[0]?.allowed).toBe(true);
    expect(review.reasons).toEqual([
      'delete of aws_s3_bucket.lake_bucket_5C0F7E2A: S3 bucket (its objects are lost) (explicitly allowed)',
    ]);
  });

  it('reports an allowance that matches nothing, so a typo does not go unnoticed', () => {
    // Arrange
    const plan = fixture('shared-infra-bucket-delete.json');

    // Act
    const review = planReview(plan, { env: 'prod', allow: ['prod:aws_s3_bucket.lake_bucket'] });

    // Assert
    expect(review.verdict).toBe('blocked');
    expect(review.unusedAllowances).toEqual(['aws_s3_bucket.lake_bucket']);
    expect(renderPlanReviewMarkdown(review)).toContain(
      '- note: --allow-destroy prod:aws_s3_bucket.lake_bucket matches no destroy or replace in this plan',
    );
  });

  it('warns but does not block the same stateful destroy in dev', () => {
    // Arrange
    const plan = fixture('shared-infra-table-delete.json');

    // Act
    const review = planReview(plan, { env: 'dev' });

    // Assert
    expect(review.verdict).toBe('warn');
    expect(review.risky).toHaveLength(1);
  });

  it('passes a plan with no changes and lists nothing to do', () => {
    // Arrange
    const plan = fixture('shared-infra-noop.json');

    // Act
    const review = planReview(plan, { env: 'prod' });

    // Assert
    expect(review.verdict).toBe('pass');
    expect(review.changes).toEqual([]);
    expect(review.totals['no-op']).toBe(3);
    expect(renderPlanReviewMarkdown(review)).toContain(
      '0 to create, 0 to update, 0 to replace, 0 to destroy, 3 unchanged',
    );
  });

  it('blocks a plan with errors in every environment', () => {
    // Arrange
    const plan = fixture('sourcing-errored.json');

    // Act
    const dev = planReview(plan, { env: 'dev' });
    const prod = planReview(plan, { env: 'prod' });

    // Assert
    expect(dev.verdict).toBe('blocked');
    expect(prod.verdict).toBe('blocked');
    expect(dev.errored).toBe(true);
    expect(dev.reasons).toEqual(['the plan has errors and is incomplete']);
  });

  it('names error diagnostics merged into the plan', () => {
    // Arrange
    const plan = {
      ...(fixture('sourcing-errored.json') as object),
      diagnostics: [
        { severity: 'warning', summary: 'Deprecated attribute' },
        {
          severity: 'error',
          summary: 'error reading SSM Parameter',
          address: 'data.aws_ssm_parameter.lake_bucket',
        },
      ],
    };

    // Act
    const review = planReview(plan, { env: 'dev' });

    // Assert
    expect(review.reasons).toEqual([
      'the plan has errors and is incomplete: error reading SSM Parameter (data.aws_ssm_parameter.lake_bucket)',
    ]);
  });

  it('calls out the Terraform state bucket and a Glue table, and finds the service of untagged resources', () => {
    // Arrange
    const plan = fixture('misplaced-destroy.json');

    // Act
    const review = planReview(plan, {
      env: 'dev',
      catalog,
      stateBucket: 'lakepipe-tfstate-111111111111-eu-west-1',
    });

    // Assert
    expect(review.risky.map((c) => [c.address, c.risk])).toEqual([
      ['aws_glue_catalog_table.bench_tests_table_0A1B2C3D', 'Glue table (Athena queries over it break)'],
      [
        'aws_s3_bucket.state_bucket_8F9E0D1C',
        "Terraform state bucket lakepipe-tfstate-111111111111-eu-west-1 (every stack's state is lost)",
      ],
    ]);
    expect(review.changes.map((c) => c.service)).toEqual(['unknown', 'unknown', 'view']);
  });

  it('flags a destroy of any resource declared with prevent_destroy', () => {
    // Arrange
    const plan = fixture('view-destroy.json');

    // Act
    const review = planReview(plan, {
      env: 'prod',
      preventDestroy: ['aws_cloudwatch_log_group.view_handler_logs_5E6F7081'],
    });

    // Assert
    expect(review.verdict).toBe('blocked');
    expect(review.risky.map((c) => [c.address, c.risk])).toEqual([
      ['aws_cloudwatch_log_group.view_handler_logs_5E6F7081', 'declared with lifecycle.prevent_destroy'],
    ]);
  });

  it('rejects a document that is not terraform show -json output, naming the file and the fields', () => {
    // Arrange
    const notAPlan = {
      format_version: '0.1',
      resource_changes: [{ address: 'aws_s3_bucket.x', change: {} }],
    };

    // Act
    const act = () => planReview(notAPlan, { env: 'prod', source: 'cdktf.out/stacks/x/plan.json' });

    // Assert
    expect(act).toThrow(PlanFormatError);
    expect(act).toThrow(/^cdktf\.out\/stacks\/x\/plan\.json is not a terraform plan/);
    expect(act).toThrow(
      'format_version: format_version must be 1.x (Terraform >= 0.12 JSON plan format) (got "0.1")',
    );
    expect(act).toThrow('resource_changes.0.change.actions');
  });

  it('renders markdown with the verdict, the tables and the risky changes', () => {
    // Arrange
    const review = planReview(fixture('shared-infra-bucket-replace.json'), {
      env: 'prod',
      stack: 'shared-infra-prod',
    });

    // Act
    const markdown = renderPlanReviewMarkdown(review);

    // Assert
    expect(markdown).toContain('## Plan review: shared-infra-prod (prod)');
    expect(markdown).toContain('**⛔ BLOCKED: this plan must not be applied as it is**');
    expect(markdown).toContain(
      '| service | replace | no-op |\n| --- | ---: | ---: |\n| shared-infra | 1 | 2 |',
    );
    expect(markdown).toContain(
      '| `aws_s3_bucket.lake_bucket_5C0F7E2A` | replace | S3 bucket (its objects are lost) | no |',
    );
    expect(markdown).toContain('- `-/+` `aws_s3_bucket.lake_bucket_5C0F7E2A` replace (forced by bucket)');
  });

  it('renders JSON that round-trips to the review', () => {
    // Arrange
    const review = planReview(fixture('sourcing-lambda-update.json'), { env: 'prod' });

    // Act
    const json = JSON.parse(renderPlanReviewJson(review));

    // Assert
    expect(json).toEqual(review);
  });
});

describe('reviewAction', () => {
  it('folds create-before-destroy and destroy-before-create into replace', () => {
    expect(reviewAction(['delete', 'create'])).toBe('replace');
    expect(reviewAction(['create', 'delete'])).toBe('replace');
    expect(reviewAction(['update'])).toBe('update');
  });
});

/** A `terraform show -json` plan with one change per [type, name, actions]. */
function planOf(changes: readonly (readonly [string, string, readonly string[]])[]): unknown {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_changes: changes.map(([type, name, actions]) => ({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions, before: { name }, after: actions.includes('create') ? { name } : null },
    })),
  };
}

describe('planReview of operational state and env-qualified allowances', () => {
  const logGroupAndAlarm = planOf([
    ['aws_cloudwatch_log_group', 'sfn_logs', ['delete']],
    ['aws_cloudwatch_metric_alarm', 'executions_failed', ['delete', 'create']],
    ['aws_lambda_function', 'handler', ['delete']],
  ]);

  it('blocks deleting a log group or replacing an alarm in prod, as stateful', () => {
    // Act
    const review = planReview(logGroupAndAlarm, { env: 'prod' });

    // Assert
    expect(review.verdict).toBe('blocked');
    expect(review.risky.map((c) => [c.address, c.action, c.risk])).toEqual([
      ['aws_cloudwatch_log_group.sfn_logs', 'delete', 'CloudWatch log group (its log events are lost)'],
      [
        'aws_cloudwatch_metric_alarm.executions_failed',
        'replace',
        'CloudWatch alarm (its history is lost and nobody is paged until it is back)',
      ],
    ]);
  });

  it('only warns about the same log group and alarm in dev', () => {
    // Act
    const review = planReview(logGroupAndAlarm, { env: 'dev' });

    // Assert
    expect(review.verdict).toBe('warn');
    expect(review.risky).toHaveLength(2);
  });

  it('never lets an allowance for dev downgrade the prod review', () => {
    // Arrange
    const allow = ['dev:aws_cloudwatch_log_group.sfn_logs', 'aws_cloudwatch_metric_alarm.executions_failed'];

    // Act
    const prod = planReview(logGroupAndAlarm, { env: 'prod', allow });
    const dev = planReview(logGroupAndAlarm, { env: 'dev', allow });

    // Assert
    expect(prod.verdict).toBe('blocked');
    expect(prod.risky.map((c) => c.allowed)).toEqual([false, false]);
    expect(prod.unqualifiedAllowances).toEqual(['aws_cloudwatch_metric_alarm.executions_failed']);
    expect(prod.reasons).toContain(
      'allowance aws_cloudwatch_metric_alarm.executions_failed names no environment, so it does not apply to prod (protected): write prod:aws_cloudwatch_metric_alarm.executions_failed',
    );
    expect(prod.unusedAllowances).toEqual([]);
    expect(dev.risky.map((c) => c.allowed)).toEqual([true, true]);
  });

  it('accepts allowances that name prod, one address at a time', () => {
    // Act
    const review = planReview(logGroupAndAlarm, {
      env: 'prod',
      allow: ['prod:aws_cloudwatch_log_group.sfn_logs', 'prod:aws_cloudwatch_metric_alarm.executions_failed'],
    });

    // Assert
    expect(review.verdict).toBe('warn');
    expect(review.reasons).toEqual([
      'delete of aws_cloudwatch_log_group.sfn_logs: CloudWatch log group (its log events are lost) (explicitly allowed)',
      'replace of aws_cloudwatch_metric_alarm.executions_failed: CloudWatch alarm (its history is lost and nobody is paged until it is back) (explicitly allowed)',
    ]);
  });
});

describe('parseAllowance', () => {
  it('reads a leading environment, and leaves bare and module addresses whole', () => {
    expect(parseAllowance('prod:aws_s3_bucket.lake')).toEqual({ env: 'prod', address: 'aws_s3_bucket.lake' });
    expect(parseAllowance('aws_s3_bucket.lake')).toEqual({ address: 'aws_s3_bucket.lake' });
    expect(parseAllowance('module.x.aws_s3_bucket.y["a:b"]')).toEqual({
      address: 'module.x.aws_s3_bucket.y["a:b"]',
    });
  });
});

describe('allowancesFromEnv', () => {
  it('splits the Jenkins parameter on commas, spaces and newlines', () => {
    expect(allowancesFromEnv(' aws_s3_bucket.a, aws_dynamodb_table.b\naws_kms_key.c ')).toEqual([
      'aws_s3_bucket.a',
      'aws_dynamodb_table.b',
      'aws_kms_key.c',
    ]);
    expect(allowancesFromEnv(undefined)).toEqual([]);
  });
});
