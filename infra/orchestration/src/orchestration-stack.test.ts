import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { resourcesOfType, synthJson } from '@lakepipe/constructs/testing';
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
    expect(resourcesOfType(json, 'aws_cloudwatch_log_group')[0]!.config).toMatchObject({
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
});
