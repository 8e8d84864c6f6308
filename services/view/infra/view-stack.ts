import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type EnvConfig,
  LakepipeNodeFunction,
  LakepipeStack,
  type PolicyStatement,
  publishParameter,
  readParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import { type PipelineModel, stagesOf } from '@lakepipe/workflow';
import type { Construct } from 'constructs';
import { buildLakeCatalog } from '../src/catalog';
import { VIEW_FUNCTION_COMPONENT, VIEW_FUNCTION_TIMEOUT_SECONDS, viewStageType } from '../src/stage-type';
import { TABLE_STAGES } from '../src/tables';

/** Where the view Lambda's ARN is published: `/lakepipe/<env>/view/function-arn`. */
export const VIEW_FUNCTION_ARN_PARAMETER = 'view/function-arn';

export const VIEW_HANDLER_ENTRY = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../src/handler.ts',
);

export interface ViewStackProps {
  readonly config: EnvConfig;
  /** the validated pipeline.yaml; its views are checked at synth, so a bad view fails before deploy */
  readonly pipeline: PipelineModel;
  /**
   * How long one Athena statement may run before it is stopped, in ms.
   * @default 120000 (2 min); the Lambda times out after 900 s
   */
  readonly statementTimeoutMs?: number;
  /**
   * The Terraform stack name.
   * @default the construct id
   */
  readonly stackName?: string;
}

/**
 * The view service's ephemeral compute: the view Lambda (nodejs22.x, esbuild) that registers
 * a run's scored partitions and (re)creates the views in the environment's workgroup. Its role
 * may query only in that workgroup, change only that database's tables, read the lake's stage
 * prefixes, write Athena results, and use the environment key. Its ARN goes to SSM.
 */
export class ViewStack extends LakepipeStack {
  readonly function: LakepipeNodeFunction;

  constructor(scope: Construct, id: string, props: ViewStackProps) {
    super(scope, id, { config: props.config, service: 'view', stackName: props.stackName });
    const { config } = props;
    // Fail synth, not the first run, when a view is outside the dialect or reads a missing table.
    const catalog = buildLakeCatalog(props.pipeline);
    const read = (name: string, parameterPath: string) =>
      readParameter(this, name, { config, path: parameterPath });
    const shared = {
      lakeBucketName: read('lake-bucket-name', SHARED_PARAMETERS.lakeBucketName),
      lakeBucketArn: read('lake-bucket-arn', SHARED_PARAMETERS.lakeBucketArn),
      kmsKeyArn: read('kms-key-arn', SHARED_PARAMETERS.kmsKeyArn),
      database: read('glue-database-name', SHARED_PARAMETERS.glueDatabaseName),
      workgroup: read('athena-workgroup-name', SHARED_PARAMETERS.athenaWorkgroupName),
      resultsBucketArn: read('athena-results-bucket-arn', SHARED_PARAMETERS.athenaResultsBucketArn),
    };

    this.function = new LakepipeNodeFunction(this, 'function', {
      config,
      name: VIEW_FUNCTION_COMPONENT,
      entry: VIEW_HANDLER_ENTRY,
      description: 'lakepipe view: registers scored partitions and (re)creates Athena views after a run',
      memorySize: 256,
      timeoutSeconds: VIEW_FUNCTION_TIMEOUT_SECONDS,
      kmsKeyArn: shared.kmsKeyArn,
      environment: {
        ATHENA_WORKGROUP: shared.workgroup,
        GLUE_DATABASE: shared.database,
        LAKE_BUCKET: shared.lakeBucketName,
        KMS_KEY_ARN: shared.kmsKeyArn,
        STATEMENT_TIMEOUT_MS: String(props.statementTimeoutMs ?? 120_000),
      },
      policyStatements: viewFunctionStatements({
        config,
        ...shared,
        views: catalog.views.map((view) => view.name),
        scoredTables: catalog.tables.filter((table) => table.stage === 'scored').map((table) => table.name),
        stages: stagesOf(props.pipeline, viewStageType).map((stage) => stage.id),
      }),
    });

    publishParameter(this, 'function-arn-parameter', {
      config,
      path: VIEW_FUNCTION_ARN_PARAMETER,
      value: this.function.functionArn,
      description: 'the view Lambda the state machine invokes for view stages',
    });
  }
}

/**
 * Exactly what the view Lambda needs: one workgroup; read the database's tables; create, replace
 * and drop only its own views; add partitions only to the `scored_` tables (their definitions
 * belong to the catalog stacks); read the stage prefixes; the results bucket; the key.
 */
export function viewFunctionStatements(input: {
  readonly config: EnvConfig;
  readonly lakeBucketArn: string;
  readonly kmsKeyArn: string;
  readonly database: string;
  readonly workgroup: string;
  readonly resultsBucketArn: string;
  /** the views the Lambda (re)creates (built-in and declared) */
  readonly views: readonly string[];
  /** the `scored_<dataset>` tables whose run partitions it registers */
  readonly scoredTables: readonly string[];
  /**
   * the view stages whose manifests it writes
   * @default none
   */
  readonly stages?: readonly string[];
}): PolicyStatement[] {
  const { region, accountId } = input.config;
  const glue = `arn:aws:glue:${region}:${accountId}`;
  const table = (name: string) => `${glue}:table/${input.database}/${name}`;
  return [
    {
      sid: 'QueryInWorkgroup',
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ],
      resources: [`arn:aws:athena:${region}:${accountId}:workgroup/${input.workgroup}`],
    },
    {
      sid: 'ReadDatabaseTables',
      actions: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetTables',
        'glue:GetPartition',
        'glue:GetPartitions',
      ],
      resources: [`${glue}:catalog`, `${glue}:database/${input.database}`, table('*')],
    },
    ...(input.views.length === 0
      ? []
      : [
          {
            sid: 'ManageOwnViews',
            actions: ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
            resources: [`${glue}:catalog`, `${glue}:database/${input.database}`, ...input.views.map(table)],
          },
        ]),
    ...(input.scoredTables.length === 0
      ? []
      : [
          {
            sid: 'AddScoredPartitions',
            actions: ['glue:CreatePartition', 'glue:BatchCreatePartition'],
            resources: [
              `${glue}:catalog`,
              `${glue}:database/${input.database}`,
              ...input.scoredTables.map(table),
            ],
          },
        ]),
    {
      sid: 'ReadStagePrefixes',
      actions: ['s3:GetObject'],
      resources: TABLE_STAGES.map((stage) => `${input.lakeBucketArn}/${stage}/*`),
    },
    {
      sid: 'ListStagePrefixes',
      actions: ['s3:ListBucket'],
      resources: [input.lakeBucketArn],
      conditions: { StringLike: { 's3:prefix': TABLE_STAGES.map((stage) => `${stage}/*`) } },
    },
    {
      // a GetBucketLocation request has no s3:prefix: under the prefix condition it was never allowed
      sid: 'LocateLake',
      actions: ['s3:GetBucketLocation'],
      resources: [input.lakeBucketArn],
    },
    ...(input.stages?.length
      ? [
          {
            sid: 'WriteManifests',
            actions: ['s3:PutObject'],
            resources: input.stages.map((stage) => `${input.lakeBucketArn}/_manifests/run=*/${stage}.json`),
          },
        ]
      : []),
    {
      sid: 'WriteQueryResults',
      actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [`${input.resultsBucketArn}/*`],
    },
    {
      sid: 'ListQueryResults',
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [input.resultsBucketArn],
    },
    {
      sid: 'UseEnvironmentKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [input.kmsKeyArn],
    },
  ];
}
