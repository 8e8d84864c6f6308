import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import {
  DEPLOYED_PARAMETERS,
  type EnvConfig,
  LakepipeNodeFunction,
  LakepipeStack,
  type PolicyStatement,
  publishParameter,
  readParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import {
  type CompiledPipeline,
  compilePipeline,
  createStageRegistry,
  lakeKeyAliasArn,
  manifestReadPermission,
  type PipelineModel,
  type StagePermission,
  type StageType,
} from '@lakepipe/workflow';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { EXECUTION_STATUS_CHANGE, STOPPED_STATUSES } from './execution-closer/stopped-execution';

/** The execution closer's Lambda entry (bundled by LakepipeNodeFunction). */
const EXECUTION_CLOSER_ENTRY = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'execution-closer',
  'handler.ts',
);

export interface OrchestrationStackProps {
  readonly config: EnvConfig;
  /** the validated pipeline.yaml */
  readonly pipeline: PipelineModel;
  /** every service's stage type (injected: this stack imports no service) */
  readonly stageTypes: readonly StageType[];
  /**
   * The Terraform stack name.
   * @default the construct id
   */
  readonly stackName?: string;
}

interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[] | string;
  readonly Condition?: Record<string, unknown>;
}

/** A trust policy for an AWS service acting for `sourceArn` (ArnLike) in this account only (confused deputy). */
const assumeRole = (service: string, accountId: string, sourceArn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnLike: { 'aws:SourceArn': sourceArn },
        },
      },
    ],
  });

/**
 * The pipeline's state machine (ephemeral): compiled from pipeline.yaml exactly as the local twin
 * runs it, its role (each stage type's permissions + the ledger table + the error topic), the
 * triggers from `trigger:`, one rule routing failed executions / Glue runs / transform jobs to the
 * error topic, the execution closer (a Lambda on a rule for stopped executions: their run is marked
 * ABORTED in the ledger), and an alarm on failed executions. Shared resources come from SSM parameters.
 */
export class OrchestrationStack extends LakepipeStack {
  readonly compiled: CompiledPipeline;
  readonly stateMachine: SfnStateMachine;
  readonly role: IamRole;
  /** marks the run of an execution that ended ABORTED, TIMED_OUT or FAILED outside the failure path */
  readonly executionCloser: LakepipeNodeFunction;

  constructor(scope: Construct, id: string, props: OrchestrationStackProps) {
    super(scope, id, { config: props.config, service: 'orchestration', stackName: props.stackName });
    const { config, pipeline } = props;
    const registry = createStageRegistry(props.stageTypes);
    const target = this.compileTarget;
    this.compiled = compilePipeline(pipeline, registry, target);

    const shared = (id: string, path: string) => readParameter(this, id, { config, path });
    const kmsKeyArn = shared('kms-key-arn', SHARED_PARAMETERS.kmsKeyArn);
    const ledgerTableArn = shared('ledger-table-arn', SHARED_PARAMETERS.ledgerTableArn);
    const ledgerTableName = shared('ledger-table-name', SHARED_PARAMETERS.ledgerTableName);
    const errorTopicArn = shared('error-topic-arn', SHARED_PARAMETERS.errorTopicArn);
    const lakeBucketName = shared('lake-bucket-name', SHARED_PARAMETERS.lakeBucketName);
    const machineName = this.name(`${pipeline.name}`);

    const logGroup = new CloudwatchLogGroup(this, 'state-machine-logs', {
      name: `/aws/vendedlogs/states/${machineName}`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: kmsKeyArn,
    });

    this.role = new IamRole(this, 'state-machine-role', {
      name: this.name(`${pipeline.name}-sfn`),
      assumeRolePolicy: assumeRole(
        'states.amazonaws.com',
        config.accountId,
        `arn:aws:states:${config.region}:${config.accountId}:stateMachine:${machineName}`,
      ),
    });
    new IamRolePolicy(this, 'state-machine-policy', {
      role: this.role.name,
      name: 'pipeline',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: this.statements(pipeline, registry.get.bind(registry), target, {
          ledgerTableArn,
          errorTopicArn,
          kmsKeyArn,
        }),
      }),
    });

    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: machineName,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: JSON.stringify(this.compiled.definition),
      loggingConfiguration: {
        logDestination: `${logGroup.arn}:*`,
        includeExecutionData: true,
        level: 'ALL',
      },
      tracingConfiguration: { enabled: true },
    });

    // `lakepipe run --env` starts and follows this machine; it finds it here
    publishParameter(this, 'state-machine-arn-parameter', {
      config,
      path: DEPLOYED_PARAMETERS.stateMachineArn(pipeline.name),
      value: this.stateMachine.arn,
      description: `the state machine of pipeline ${pipeline.name}`,
    });
    new TerraformOutput(this, 'state-machine-arn', {
      value: this.stateMachine.arn,
      description: `state machine of pipeline ${pipeline.name}`,
    });

    const eventsRole = new IamRole(this, 'events-role', {
      name: this.name(`${pipeline.name}-events`),
      // the schedule and object-created rules are named `<machineName>-*`
      assumeRolePolicy: assumeRole(
        'events.amazonaws.com',
        config.accountId,
        `arn:aws:events:${config.region}:${config.accountId}:rule/${machineName}-*`,
      ),
    });
    new IamRolePolicy(this, 'events-policy', {
      role: eventsRole.name,
      name: 'start-execution',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [this.stateMachine.arn] },
        ],
      }),
    });

    // Triggers: the run id is minted by the state machine from the execution start time.
    if (pipeline.trigger.schedule) {
      const rule = new CloudwatchEventRule(this, 'schedule', {
        name: this.name(`${pipeline.name}-schedule`),
        description: `starts ${pipeline.name} on ${pipeline.trigger.schedule}`,
        scheduleExpression: pipeline.trigger.schedule,
      });
      new CloudwatchEventTarget(this, 'schedule-target', {
        rule: rule.name,
        arn: this.stateMachine.arn,
        roleArn: eventsRole.arn,
        input: JSON.stringify({ trigger: 'schedule' }),
      });
    }
    if (pipeline.trigger.objectCreated) {
      // needs EventBridge notifications on the lake bucket (shared-infra)
      const rule = new CloudwatchEventRule(this, 'object-created', {
        name: this.name(`${pipeline.name}-object-created`),
        description: `starts ${pipeline.name} when an object lands under ${pipeline.trigger.objectCreated}`,
        eventPattern: JSON.stringify({
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: {
            bucket: { name: [lakeBucketName] },
            object: { key: [{ prefix: pipeline.trigger.objectCreated }] },
          },
        }),
      });
      new CloudwatchEventTarget(this, 'object-created-target', {
        rule: rule.name,
        arn: this.stateMachine.arn,
        roleArn: eventsRole.arn,
        inputTransformer: {
          inputPaths: { key: '$.detail.object.key', bucket: '$.detail.bucket.name' },
          inputTemplate: '{"trigger":"objectCreated","triggerDetail":{"bucket":<bucket>,"key":<key>}}',
        },
      });
    }

    // One rule for every failure the state machine cannot report itself (States.Runtime, aborts, timeouts).
    const prefix = `${this.name('')}`;
    const failures = new CloudwatchEventRule(this, 'failures', {
      name: this.name(`${pipeline.name}-failures`),
      description: 'failed/timed-out/aborted executions, failed Glue job runs and SageMaker transform jobs',
      eventPattern: JSON.stringify({
        source: ['aws.states', 'aws.glue', 'aws.sagemaker'],
        'detail-type': [
          'Step Functions Execution Status Change',
          'Glue Job State Change',
          'SageMaker Transform Job State Change',
        ],
        detail: {
          $or: [
            { stateMachineArn: [this.stateMachine.arn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
            { jobName: [{ prefix }], state: ['FAILED', 'TIMEOUT'] },
            { TransformJobName: [{ prefix }], TransformJobStatus: ['Failed'] },
          ],
        },
      }),
    });
    new CloudwatchEventTarget(this, 'failures-target', {
      rule: failures.name,
      arn: errorTopicArn,
      inputTransformer: {
        inputPaths: {
          detailType: '$.detail-type',
          execution: '$.detail.name',
          executionInput: '$.detail.input',
          executionStatus: '$.detail.status',
          jobName: '$.detail.jobName',
          jobRunId: '$.detail.jobRunId',
          jobState: '$.detail.state',
          transformJob: '$.detail.TransformJobName',
          time: '$.time',
        },
        inputTemplate: `{"pipeline":"${pipeline.name}","env":"${config.name}","event":<detailType>,"time":<time>,"execution":<execution>,"executionInput":<executionInput>,"status":<executionStatus>,"glueJob":<jobName>,"glueJobRunId":<jobRunId>,"glueState":<jobState>,"transformJob":<transformJob>}`,
      },
    });

    // The run of an execution stopped from outside (StopExecution, its timeout, a States.Runtime error)
    // stays RUNNING unless something marks it: the closer finds the run through the execution item the
    // state machine writes before starting it (docs/decisions/0011-execution-closer.md).
    this.executionCloser = new LakepipeNodeFunction(this, 'execution-closer', {
      config,
      name: `${pipeline.name}-closer`,
      entry: EXECUTION_CLOSER_ENTRY,
      description: `lakepipe ${pipeline.name}: marks the run of an aborted or timed-out execution ABORTED in the ledger`,
      memorySize: 256,
      timeoutSeconds: 30,
      environment: { LEDGER_TABLE_NAME: ledgerTableName, POWERTOOLS_SERVICE_NAME: 'orchestration' },
      kmsKeyArn,
      onFailureDestinationArn: this.compileTarget.errorTopicArn,
      policyStatements: executionCloserStatements({ ledgerTableArn, kmsKeyArn }),
    });
    const stopped = new CloudwatchEventRule(this, 'stopped-executions', {
      name: this.name(`${pipeline.name}-stopped-executions`),
      description: `executions of ${machineName} that ended ABORTED, TIMED_OUT or FAILED: their run is closed in the ledger`,
      eventPattern: JSON.stringify({
        source: ['aws.states'],
        'detail-type': [EXECUTION_STATUS_CHANGE],
        detail: { stateMachineArn: [this.stateMachine.arn], status: [...STOPPED_STATUSES] },
      }),
    });
    new CloudwatchEventTarget(this, 'stopped-executions-target', {
      rule: stopped.name,
      arn: this.executionCloser.functionArn,
      // EventBridge retries a failed delivery for up to a day; the closer's writes are idempotent
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
    });
    new LambdaPermission(this, 'stopped-executions-invoke', {
      statementId: 'StoppedExecutions',
      action: 'lambda:InvokeFunction',
      functionName: this.executionCloser.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: stopped.arn,
      sourceAccount: config.accountId,
    });

    new CloudwatchMetricAlarm(this, 'executions-failed', {
      alarmName: this.name(`${pipeline.name}-executions-failed`),
      alarmDescription: `an execution of ${machineName} failed`,
      namespace: 'AWS/States',
      metricName: 'ExecutionsFailed',
      dimensions: { StateMachineArn: this.stateMachine.arn },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [errorTopicArn],
    });
  }

  private statements(
    pipeline: PipelineModel,
    typeOf: (name: string) => StageType | undefined,
    target: ReturnType<() => OrchestrationStack['compileTarget']>,
    shared: { ledgerTableArn: string; errorTopicArn: string; kmsKeyArn: string },
  ): Statement[] {
    const statements: Statement[] = [];
    const seen = new Set<string>();
    // stage types name the lake key by its alias (no Terraform token in the ASL); IAM matches key ARNs
    const lakeKeyAlias = lakeKeyAliasArn(target);
    for (const stage of Object.values(pipeline.stages)) {
      const type = typeOf(stage.type)!;
      const permissions: readonly StagePermission[] = [
        ...type.permissions({
          stageId: stage.id,
          attributes: stage.attributes,
          datasets: pipeline.datasets,
          pipelineName: pipeline.name,
          pipeline,
          target,
        }),
        // the compiler's manifest read after the stage's steps
        ...(type.writesManifest === false ? [] : [manifestReadPermission(target, stage.id)]),
      ];
      permissions.forEach((permission, i) => {
        const key = JSON.stringify([
          [...permission.actions].sort(),
          [...permission.resources].sort(),
          permission.conditions ?? null,
        ]);
        if (seen.has(key)) return;
        seen.add(key);
        statements.push({
          Sid: `Stage${pascal(stage.id)}${i}`,
          Effect: 'Allow',
          Action: [...permission.actions],
          Resource: permission.resources.map((resource) =>
            resource === lakeKeyAlias ? shared.kmsKeyArn : resource,
          ),
          ...(permission.conditions
            ? { Condition: withLakeKeyArn(permission.conditions, lakeKeyAlias, shared.kmsKeyArn) }
            : {}),
        });
      });
    }
    statements.push(
      {
        // run, stage summary and attempt items only (RUN#<runId>), never a claim or a movement;
        // GetItem: a redrive reads whether a stage of the run already succeeded
        Sid: 'Ledger',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: [shared.ledgerTableArn],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } },
      },
      {
        // Record execution: the execution item (EXEC#<executionArn> -> runId) the execution closer reads
        Sid: 'LedgerExecution',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem'],
        Resource: [shared.ledgerTableArn],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EXEC#*'] } },
      },
      { Sid: 'ErrorTopic', Effect: 'Allow', Action: ['sns:Publish'], Resource: [shared.errorTopicArn] },
      {
        // the topic, the table and the manifests in the SSE-KMS lake, all on the key ARN
        Sid: 'EncryptedTopicAndTable',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [shared.kmsKeyArn],
      },
      {
        // log delivery and X-Ray take no resource-level permissions
        Sid: 'LogDelivery',
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        Resource: '*',
      },
      {
        Sid: 'Tracing',
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ],
        Resource: '*',
      },
    );
    return statements;
  }
}

/**
 * The execution closer reads an execution item (EXEC#…) and the run's items (RUN#…), and updates
 * only RUN# items (the run, its stage summaries and attempts, each conditioned on RUNNING).
 */
export function executionCloserStatements(input: {
  readonly ledgerTableArn: string;
  readonly kmsKeyArn: string;
}): PolicyStatement[] {
  return [
    {
      sid: 'ReadExecutionAndRun',
      actions: ['dynamodb:GetItem'],
      resources: [input.ledgerTableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EXEC#*', 'RUN#*'] } },
    },
    {
      sid: 'AbortRun',
      actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      resources: [input.ledgerTableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RUN#*'] } },
    },
    {
      // the ledger table is encrypted with the environment key
      sid: 'UseLedgerKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [input.kmsKeyArn],
    },
  ];
}

/**
 * A condition block where every value naming the lake key by its alias names it by its ARN too:
 * a request may carry either, and both are the same key.
 */
function withLakeKeyArn(
  conditions: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  alias: string,
  keyArn: string,
): Record<string, Record<string, unknown>> {
  const expand = (value: unknown): unknown => {
    const values = [value].flat();
    return values.includes(alias) ? [keyArn, ...values] : value;
  };
  return Object.fromEntries(
    Object.entries(conditions).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, expand(value)])),
    ]),
  );
}

function pascal(id: string): string {
  return id
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
