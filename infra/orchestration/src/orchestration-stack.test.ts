import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { resourcesOfType, resourceWhere, synthJson } from '@lakepipe/constructs/testing';
import { compilePipeline, createStageRegistry, loadPipeline } from '@lakepipe/workflow';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { OrchestrationStack } from './orchestration-stack';
import { standInStageTypes } from './test-fixtures/stage-types';

/** A Terraform interpolation `${expr}` as it appears in synthesized JSON. */
const tf = (expression: string) => `$${'{'}${expression}}`;
const registry = createStageRegistry(standInStageTypes);
const pipeline = loadPipeline(path.join(import.meta.dirname, '..', '..', '..', 'pipeline.yaml'), registry);

function synth(env: string) {
  const config = loadEnvConfig(env);
  const stack = new OrchestrationStack(Testing.app(), 'orchestration', {
    config,
    pipeline,
    stageTypes: standInStageTypes,
  });
  return { config, json: synthJson(stack) };
}

describe.each(['dev', 'prod'])('OrchestrationStack (%s)', (env) => {
  it('deploys exactly the definition the local twin compiles, STANDARD, logged and traced', () => {
    // Arrange
    const { config, json } = synth(env);
    const expected = compilePipeline(pipeline, registry, compileTargetFor(config));

    // Act
    const [machine] = resourcesOfType(json, 'aws_sfn_state_machine');

    // Assert
    expect(machine!.config.definition).toBe(JSON.stringify(expected.definition));
    expect(machine!.config.definition).not.toContain(tf('').slice(0, 2));
    expect(machine!.config).toMatchObject({
      name: `lakepipe-${env}-bench-quality`,
      type: 'STANDARD',
      logging_configuration: {
        include_execution_data: true,
        level: 'ALL',
        log_destination: tf('aws_cloudwatch_log_group.state-machine-logs.arn') + ':*',
      },
      tracing_configuration: { enabled: true },
    });
    expect(
      resourceWhere(json, 'aws_cloudwatch_log_group', {
        name: `/aws/vendedlogs/states/lakepipe-${env}-bench-quality`,
      }).config,
    ).toMatchObject({
      name: `/aws/vendedlogs/states/lakepipe-${env}-bench-quality`,
      retention_in_days: config.logRetentionDays,
      kms_key_id: tf('data.aws_ssm_parameter.kms-key-arn.value'),
    });
  });

  it('publishes the state machine ARN where lakepipe run --env finds it', () => {
    // Arrange
    const { json } = synth(env);

    // Act
    const parameters = resourcesOfType(json, 'aws_ssm_parameter').map((p) => p.config);

    // Assert
    expect(parameters).toContainEqual(
      expect.objectContaining({
        name: `/lakepipe/${env}/orchestration/bench-quality/state-machine-arn`,
        type: 'String',
        value: tf('aws_sfn_state_machine.state-machine.arn'),
      }),
    );
  });

  it('grants the role each stage permission, its manifest read, the ledger table and the error topic', () => {
    // Arrange
    const { json } = synth(env);

    // Act
    const [policy] = resourcesOfType(json, 'aws_iam_role_policy').filter((p) => p.config.name === 'pipeline');
    const statements = JSON.parse(policy!.config.policy as string).Statement as {
      Sid: string;
      Action: string[];
      Resource: unknown;
    }[];

    // Assert
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.StageEtl0).toMatchObject({
      Action: ['lambda:InvokeFunction'],
      Resource: [
        `arn:aws:lambda:eu-west-1:${env === 'dev' ? '111111111111' : '222222222222'}:function:lakepipe-${env}-etl`,
      ],
    });
    expect(bySid.Ledger).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: [tf('data.aws_ssm_parameter.ledger-table-arn.value')],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } },
    });
    expect(bySid.LedgerExecution).toMatchObject({
      Action: ['dynamodb:PutItem'],
      Resource: [tf('data.aws_ssm_parameter.ledger-table-arn.value')],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EXEC#*'] } },
    });
    expect(bySid.ErrorTopic).toMatchObject({
      Resource: [tf('data.aws_ssm_parameter.error-topic-arn.value')],
    });
    // each stage's own, then GetObject on its manifest (the compiler's manifest read; not for notify)
    expect(bySid.StageEtl1).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: [expect.stringMatching(/^arn:aws:s3:::lakepipe-.*\/_manifests\/run=\*\/etl\.json$/)],
    });
    expect(statements.map((s) => s.Sid)).toEqual([
      'StageSource0',
      'StageSource1',
      'StageEtl0',
      'StageEtl1',
      'StageScore0',
      'StageScore1',
      'StageViews0',
      'StageViews1',
      'StageReport0',
      'StageReport1',
      'StageWarn0',
      'Ledger',
      'LedgerExecution',
      'ErrorTopic',
      'EncryptedTopicAndTable',
      'LogDelivery',
      'Tracing',
    ]);
  });

  it('starts on the schedule and on objects created under the trigger prefix', () => {
    // Arrange
    const { json } = synth(env);

    // Act
    const targets = resourcesOfType(json, 'aws_cloudwatch_event_target');

    // Assert
    expect(
      resourcesOfType(json, 'aws_cloudwatch_event_rule').find((r) => r.name === 'schedule')!.config,
    ).toMatchObject({
      schedule_expression: 'cron(0 2 * * ? *)',
    });
    const objectRule = resourcesOfType(json, 'aws_cloudwatch_event_rule').find(
      (r) => r.name === 'object-created',
    )!;
    expect(JSON.parse(objectRule.config.event_pattern as string).detail.object.key).toEqual([
      { prefix: 'landing/bench_tests/' },
    ]);
    expect(targets.find((t) => t.name === 'schedule-target')!.config.input).toBe('{"trigger":"schedule"}');
  });

  it('routes failed executions, Glue runs and transform jobs to the error topic and alarms on failures', () => {
    // Arrange
    const { json } = synth(env);

    // Act
    const rule = resourcesOfType(json, 'aws_cloudwatch_event_rule').find((r) => r.name === 'failures')!;
    const target = resourcesOfType(json, 'aws_cloudwatch_event_target').find(
      (t) => t.name === 'failures-target',
    )!;

    // Assert
    const pattern = JSON.parse(rule.config.event_pattern as string);
    expect(pattern.source).toEqual(['aws.states', 'aws.glue', 'aws.sagemaker']);
    expect(pattern.detail.$or).toHaveLength(3);
    expect(pattern.detail.$or[0].status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(target.config.arn).toBe(tf('data.aws_ssm_parameter.error-topic-arn.value'));
    expect(JSON.stringify(target.config.input_transformer)).toContain('<execution>');
    expect(resourcesOfType(json, 'aws_cloudwatch_metric_alarm')[0]!.config).toMatchObject({
      metric_name: 'ExecutionsFailed',
      namespace: 'AWS/States',
      alarm_actions: [tf('data.aws_ssm_parameter.error-topic-arn.value')],
    });
  });

  it('closes the run of an execution that ends ABORTED, TIMED_OUT or FAILED: a rule on this machine targets the closer', () => {
    // Arrange
    const { config, json } = synth(env);
    const functionName = `lakepipe-${env}-bench-quality-closer`;

    // Act
    const rule = resourcesOfType(json, 'aws_cloudwatch_event_rule').find(
      (r) => r.name === 'stopped-executions',
    )!;
    const target = resourcesOfType(json, 'aws_cloudwatch_event_target').find(
      (t) => t.name === 'stopped-executions-target',
    )!;
    const fn = resourcesOfType(json, 'aws_lambda_function').find(
      (f) => f.config.function_name === functionName,
    )!;
    const permission = resourcesOfType(json, 'aws_lambda_permission').find(
      (p) => p.name === 'stopped-executions-invoke',
    )!;
    const role = resourceWhere(json, 'aws_iam_role', { name: `${functionName}-fn` });
    const policy = resourceWhere(json, 'aws_iam_role_policy', { role: tf(`aws_iam_role.${role.name}.name`) });

    // Assert
    expect(JSON.parse(rule.config.event_pattern as string)).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: [tf('aws_sfn_state_machine.state-machine.arn')],
        status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
      },
    });
    expect(target.config).toMatchObject({
      rule: tf(`aws_cloudwatch_event_rule.${rule.name}.name`),
      arn: tf(`aws_lambda_function.${fn.name}.arn`),
      retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
    });
    expect(permission.config).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      source_arn: tf(`aws_cloudwatch_event_rule.${rule.name}.arn`),
      source_account: config.accountId,
    });
    expect(fn.config).toMatchObject({
      runtime: 'nodejs22.x',
      environment: {
        variables: expect.objectContaining({
          LEDGER_TABLE_NAME: tf('data.aws_ssm_parameter.ledger-table-name.value'),
        }),
      },
    });
    const statements = JSON.parse(policy.config.policy as string).Statement as {
      Sid: string;
      Action: string[];
      Condition?: unknown;
    }[];
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.ReadExecutionAndRun).toMatchObject({
      Action: ['dynamodb:GetItem'],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EXEC#*', 'RUN#*'] } },
    });
    expect(bySid.AbortRun).toMatchObject({
      Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } },
    });
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });
});
