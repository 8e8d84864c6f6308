import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueDataCatalogEncryptionSettings } from '@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import {
  bucketName,
  type EnvConfig,
  errorTopicName,
  glueDatabaseName,
  LakepipeStack,
  lakeBucketName,
  ledgerTableName,
  type PolicyStatement,
  policyDocumentOf,
  publishParameter,
  SHARED_PARAMETERS,
} from '@lakepipe/constructs';
import type { Construct } from 'constructs';
import { HardenedBucket } from './hardened-bucket';

export interface SharedInfraStackProps {
  readonly config: EnvConfig;
  /**
   * Terraform stack name (also the state key).
   * @default the construct id
   */
  readonly stackName?: string;
}

/** Days S3 server access logs are kept in the log bucket. */
export const ACCESS_LOG_RETENTION_DAYS = 365;

/** The log group SageMaker batch transform writes to (one per account and region, named by SageMaker). */
export const SAGEMAKER_TRANSFORM_LOG_GROUP = '/aws/sagemaker/TransformJobs';

/** The GSI the ledger's "runs by time" access pattern queries (see @lakepipe/ledger keys). */
export const LEDGER_RUNS_INDEX = 'GSI1';

/**
 * The always-on storage of one environment: KMS key, lake / Athena-results / log buckets,
 * Athena workgroup, Glue database, ledger table, error topic, and an SSM parameter for
 * every name and ARN a service stack needs. Never destroyed by the compute pipeline.
 */
export class SharedInfraStack extends LakepipeStack {
  readonly key: KmsKey;
  readonly lakeBucket: HardenedBucket;
  readonly logBucket: HardenedBucket;
  readonly athenaResultsBucket: HardenedBucket;
  readonly workgroup: AthenaWorkgroup;
  readonly database: GlueCatalogDatabase;
  readonly ledgerTable: DynamodbTable;
  readonly errorTopic: SnsTopic;
  readonly transformLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: SharedInfraStackProps) {
    super(scope, id, { config: props.config, service: 'shared-infra', stackName: props.stackName });
    const { config } = this;
    const { accountId, region } = config;
    const preventDestroy = config.deletionProtection ? { preventDestroy: true } : undefined;

    this.key = new KmsKey(this, 'key', {
      description: `lakepipe ${config.name}: lake, ledger, Athena results, error topic and logs`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify(policyDocumentOf(keyPolicyStatements(config))),
      lifecycle: preventDestroy,
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${this.name('data')}`, targetKeyId: this.key.keyId });

    this.logBucket = new HardenedBucket(this, 'log-bucket', {
      bucketName: bucketName(config.name, 'logs', accountId, region),
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{}],
          expiration: [{ days: ACCESS_LOG_RETENTION_DAYS }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
      policyStatements: [
        {
          sid: 'AllowS3ServerAccessLogs',
          principal: { Service: 'logging.s3.amazonaws.com' },
          actions: ['s3:PutObject'],
          resources: [`arn:aws:s3:::${bucketName(config.name, 'logs', accountId, region)}/s3-access/*`],
          conditions: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
      preventDestroy: config.deletionProtection,
    });
    const accessLogsTo = (name: string) => ({
      targetBucket: this.logBucket.bucketName,
      targetPrefix: `s3-access/${name}/`,
    });

    const keyAliasArn = `arn:aws:kms:${region}:${accountId}:alias/${this.name('data')}`;
    this.lakeBucket = new HardenedBucket(this, 'lake-bucket', {
      bucketName: lakeBucketName(config),
      kmsKeyArn: this.key.arn,
      kmsKeyAliasArn: keyAliasArn,
      accessLogs: accessLogsTo('lake'),
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: config.noncurrentVersionExpirationDays }],
        },
        {
          id: 'raw-to-standard-ia',
          status: 'Enabled',
          filter: [{ prefix: 'raw/' }],
          transition: [{ days: config.rawTransitionDays, storageClass: 'STANDARD_IA' }],
        },
      ],
      preventDestroy: config.deletionProtection,
    });

    this.athenaResultsBucket = new HardenedBucket(this, 'athena-results-bucket', {
      bucketName: bucketName(config.name, 'athena-results', accountId, region),
      kmsKeyArn: this.key.arn,
      kmsKeyAliasArn: keyAliasArn,
      accessLogs: accessLogsTo('athena-results'),
      lifecycleRules: [
        {
          id: 'expire-query-results',
          status: 'Enabled',
          filter: [{}],
          expiration: [{ days: config.athena.resultExpirationDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
      preventDestroy: config.deletionProtection,
    });

    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: this.name('analytics'),
      description: `lakepipe ${config.name}: queries over every lake stage`,
      state: 'ENABLED',
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: this.key.arn },
        },
      },
    });

    this.database = new GlueCatalogDatabase(this, 'database', {
      name: glueDatabaseName(config.name),
      description: `lakepipe ${config.name}: tables and views over the lake`,
      lifecycle: preventDestroy,
    });
    // Table definitions (columns, locations) are encrypted with the environment key. The setting
    // is per account and region: one lakepipe environment per account.
    new GlueDataCatalogEncryptionSettings(this, 'catalog-encryption', {
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: this.key.arn },
        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: this.key.arn },
      },
    });
    // SageMaker creates this group on first use with no retention and no key: declare it first.
    this.transformLogGroup = new CloudwatchLogGroup(this, 'sagemaker-transform-logs', {
      name: SAGEMAKER_TRANSFORM_LOG_GROUP,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: this.key.arn,
    });

    this.ledgerTable = new DynamodbTable(this, 'ledger-table', {
      name: ledgerTableName(config),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'PK',
      rangeKey: 'SK',
      attribute: [
        { name: 'PK', type: 'S' },
        { name: 'SK', type: 'S' },
        { name: 'GSI1PK', type: 'S' },
        { name: 'GSI1SK', type: 'S' },
      ],
      globalSecondaryIndex: [
        { name: LEDGER_RUNS_INDEX, hashKey: 'GSI1PK', rangeKey: 'GSI1SK', projectionType: 'ALL' },
      ],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.arn },
      ttl: { attributeName: 'expiresAt', enabled: true },
      deletionProtectionEnabled: config.deletionProtection,
      lifecycle: preventDestroy,
    });

    this.errorTopic = new SnsTopic(this, 'error-topic', {
      name: errorTopicName(config),
      displayName: `lakepipe ${config.name} errors`,
      kmsMasterKeyId: this.key.arn,
      lifecycle: preventDestroy,
    });
    new SnsTopicPolicy(this, 'error-topic-policy', {
      arn: this.errorTopic.arn,
      policy: JSON.stringify(policyDocumentOf(topicPolicyStatements(config, this.errorTopic.arn))),
    });
    config.errorTopic.subscribers.forEach((subscriber, index) => {
      new SnsTopicSubscription(this, `error-subscriber-${index}`, {
        topicArn: this.errorTopic.arn,
        protocol: subscriber.protocol,
        endpoint: subscriber.endpoint,
      });
    });

    this.publishParameters();
  }

  private publishParameters(): void {
    const values: Record<keyof typeof SHARED_PARAMETERS, [string, string]> = {
      lakeBucketName: [
        this.lakeBucket.bucketName,
        'the lake bucket (raw, curated, rejected, features, scored)',
      ],
      lakeBucketArn: [this.lakeBucket.bucketArn, 'the lake bucket ARN'],
      logBucketName: [this.logBucket.bucketName, 'the S3 server access log bucket'],
      logBucketArn: [this.logBucket.bucketArn, 'the S3 server access log bucket ARN'],
      kmsKeyArn: [this.key.arn, 'the customer-managed KMS key of the environment'],
      kmsKeyAlias: [`alias/${this.name('data')}`, 'the KMS key alias'],
      ledgerTableName: [this.ledgerTable.name, 'the ledger DynamoDB table'],
      ledgerTableArn: [this.ledgerTable.arn, 'the ledger DynamoDB table ARN'],
      errorTopicArn: [this.errorTopic.arn, 'the SNS topic every failure is published to'],
      errorTopicName: [this.errorTopic.name, 'the SNS error topic name'],
      glueDatabaseName: [this.database.name, 'the Glue catalog database of the lake tables'],
      athenaWorkgroupName: [this.workgroup.name, 'the Athena workgroup (engine v3, enforced settings)'],
      athenaResultsBucketName: [this.athenaResultsBucket.bucketName, 'the Athena query results bucket'],
      athenaResultsBucketArn: [this.athenaResultsBucket.bucketArn, 'the Athena query results bucket ARN'],
    };
    for (const [key, [value, description]] of Object.entries(values)) {
      const path = SHARED_PARAMETERS[key as keyof typeof SHARED_PARAMETERS];
      publishParameter(this, `parameter-${path.replace(/\//g, '-')}`, {
        config: this.config,
        path,
        value,
        description,
      });
    }
  }
}

/** Actions that manage the key; none of them reads or writes data. */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** What break-glass may do: read and restore the key policy, and stop a scheduled deletion. */
export const KEY_BREAK_GLASS_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:DescribeKey',
  'kms:EnableKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
] as const;

/**
 * The AWS services the deployer uses the key through while Terraform creates resources: S3
 * (uploads of Glue scripts and the model artifact), DynamoDB (the table's grant), Lambda
 * (environment variables), Glue (the encrypted Data Catalog). Its only key use.
 */
export const DEPLOY_TIME_KEY_SERVICES = ['dynamodb', 'glue', 'lambda', 's3'] as const;

/** Where the deployer may also decrypt: table definitions and function settings, never lake objects or ledger items. */
export const DEPLOY_TIME_DECRYPT_SERVICES = ['glue', 'lambda'] as const;

const KEY_DATA_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
] as const;

/**
 * The key policy: it alone decides who may use the key (the account root holds no blanket
 * `kms:*`, so an IAM policy in the account cannot grant the key to anyone else).
 * - the deployer role of the env config administers the key and uses it only through the AWS
 *   services Terraform creates encrypted resources in: it can upload to the lake but not read it;
 * - break-glass: the account's root user and the break-glass role may read and restore the key
 *   policy. Both can always be (re)created by the account owner, so the key cannot be locked out;
 * - lakepipe roles of this environment use the key for data; CreateGrant only for AWS resources;
 * - reader roles named in the env config may decrypt;
 * - CloudWatch Logs and the publishers to the encrypted error topic, scoped to this account.
 */
export function keyPolicyStatements(config: EnvConfig): PolicyStatement[] {
  const { accountId, region, keyAccess } = config;
  const account = `arn:aws:iam::${accountId}:root`;
  const lakepipeRoles = `arn:aws:iam::${accountId}:role/lakepipe-${config.name}-*`;
  const viaServices = (services: readonly string[]) => services.map((s) => `${s}.${region}.amazonaws.com`);
  return [
    {
      sid: 'DeployerAdministersKey',
      principal: { AWS: keyAccess.administratorRoleArn },
      actions: [...KEY_ADMINISTRATION_ACTIONS],
      resources: ['*'],
    },
    {
      sid: 'DeployerEncryptsThroughServices',
      principal: { AWS: keyAccess.administratorRoleArn },
      actions: ['kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': viaServices(DEPLOY_TIME_KEY_SERVICES) } },
    },
    {
      sid: 'DeployerGrantsToAwsResources',
      principal: { AWS: keyAccess.administratorRoleArn },
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': viaServices(DEPLOY_TIME_KEY_SERVICES) },
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
      },
    },
    {
      sid: 'DeployerReadsCatalogAndFunctions',
      principal: { AWS: keyAccess.administratorRoleArn },
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': viaServices(DEPLOY_TIME_DECRYPT_SERVICES) } },
    },
    {
      sid: 'BreakGlassRestoresKeyPolicy',
      principal: { AWS: account },
      actions: [...KEY_BREAK_GLASS_ACTIONS],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': [account, keyAccess.breakGlassRoleArn] } },
    },
    {
      sid: 'LakepipeRolesUseKey',
      principal: { AWS: account },
      actions: [...KEY_DATA_ACTIONS],
      resources: ['*'],
      conditions: { ArnLike: { 'aws:PrincipalArn': lakepipeRoles } },
    },
    {
      sid: 'LakepipeRolesGrantToAwsResources',
      principal: { AWS: account },
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:PrincipalArn': lakepipeRoles },
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
      },
    },
    ...(keyAccess.readerRoleArns.length === 0
      ? []
      : [
          {
            sid: 'ReadersDecrypt',
            principal: { AWS: account },
            actions: ['kms:Decrypt', 'kms:DescribeKey'],
            resources: ['*'],
            conditions: { ArnEquals: { 'aws:PrincipalArn': [...keyAccess.readerRoleArns] } },
          },
        ]),
    {
      sid: 'CloudWatchLogsEncrypt',
      principal: { Service: `logs.${region}.amazonaws.com` },
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:*` },
      },
    },
    {
      sid: 'ServicesPublishToEncryptedTopic',
      principal: {
        Service: [
          'events.amazonaws.com',
          'states.amazonaws.com',
          'cloudwatch.amazonaws.com',
          'sns.amazonaws.com',
        ],
      },
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ];
}

/** Every action a topic policy can name: the TLS deny covers them all, not only Publish. */
export const TOPIC_POLICY_ACTIONS = [
  'sns:AddPermission',
  'sns:DeleteTopic',
  'sns:GetTopicAttributes',
  'sns:ListSubscriptionsByTopic',
  'sns:Publish',
  'sns:RemovePermission',
  'sns:SetTopicAttributes',
  'sns:Subscribe',
] as const;

/** The error topic's policy: the account manages it; EventBridge, Step Functions and CloudWatch publish. */
export function topicPolicyStatements(config: EnvConfig, topicArn: string): PolicyStatement[] {
  return [
    {
      sid: 'AccountManagesTopic',
      principal: { AWS: `arn:aws:iam::${config.accountId}:root` },
      actions: [
        'sns:Publish',
        'sns:Subscribe',
        'sns:GetTopicAttributes',
        'sns:SetTopicAttributes',
        'sns:ListSubscriptionsByTopic',
      ],
      resources: [topicArn],
    },
    {
      sid: 'ServicesPublishErrors',
      principal: { Service: ['events.amazonaws.com', 'states.amazonaws.com', 'cloudwatch.amazonaws.com'] },
      actions: ['sns:Publish'],
      resources: [topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': config.accountId } },
    },
    {
      sid: 'DenyInsecureTransport',
      effect: 'Deny',
      principal: '*',
      actions: [...TOPIC_POLICY_ACTIONS],
      resources: [topicArn],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ];
}
