import { compileTargetFor, isTaggable, SHARED_PARAMETERS } from '@lakepipe/constructs';
import {
  allResources,
  resourcesOfType,
  resourceWhere,
  statementWithSid,
  synthJson,
  type TerraformJson,
  testEnvConfig,
} from '@lakepipe/constructs/testing';
import { TerraformResource, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SharedInfraStack } from './shared-infra-stack';

const DEV = testEnvConfig({
  errorTopic: {
    subscribers: [
      { protocol: 'email', endpoint: 'oncall@example.com' },
      { protocol: 'https', endpoint: 'https://hooks.example.com/lakepipe' },
      { protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-1:111111111111:support' },
    ],
  },
});
const PROD = testEnvConfig({
  name: 'prod',
  accountId: '222222222222',
  stateBucket: 'lakepipe-tfstate-222222222222-eu-west-1',
  deletionProtection: true,
});

function stackFor(config = DEV): SharedInfraStack {
  return new SharedInfraStack(Testing.app(), `shared-infra-${config.name}`, { config });
}

const synthDev = (() => {
  let cached: TerraformJson | undefined;
  return () => {
    cached ??= synthJson(stackFor(DEV));
    return cached;
  };
})();

const BUCKETS = {
  lake: 'lakepipe-dev-lake-111111111111-eu-west-1',
  results: 'lakepipe-dev-athena-results-111111111111-eu-west-1',
  logs: 'lakepipe-dev-logs-111111111111-eu-west-1',
};

/** The name of the aws_s3_bucket resource holding a bucket, for `${aws_s3_bucket.<name>.id}` references. */
function bucketRef(json: TerraformJson, bucket: string, attribute = 'id'): string {
  return `\${aws_s3_bucket.${resourceWhere(json, 'aws_s3_bucket', { bucket }).name}.${attribute}}`;
}

function forBucket(json: TerraformJson, type: string, bucket: string): Record<string, unknown> {
  return resourceWhere(json, type, { bucket: bucketRef(json, bucket) }).config;
}

describe('SharedInfraStack', () => {
  it('creates a customer-managed KMS key with rotation and an alias', () => {
    // Act
    const json = synthDev();

    // Assert
    expect(resourcesOfType(json, 'aws_kms_key')[0]?.config).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
    });
    expect(resourcesOfType(json, 'aws_kms_alias')[0]?.config.name).toBe('alias/lakepipe-dev-data');
  });

  it('lets lakepipe roles, CloudWatch Logs and the error-topic publishers use the key', () => {
    // Act
    const policy = resourcesOfType(synthDev(), 'aws_kms_key')[0]?.config.policy;

    // Assert
    expect(statementWithSid(policy, 'LakepipeRolesUseKey')).toMatchObject({
      Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
      Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/lakepipe-dev-*' } },
    });
    expect(statementWithSid(policy, 'CloudWatchLogsEncrypt').Principal).toEqual({
      Service: 'logs.eu-west-1.amazonaws.com',
    });
    expect(statementWithSid(policy, 'ServicesPublishToEncryptedTopic')).toMatchObject({
      Principal: {
        Service: [
          'events.amazonaws.com',
          'states.amazonaws.com',
          'cloudwatch.amazonaws.com',
          'sns.amazonaws.com',
        ],
      },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
  });

  it('separates key administration (deployer, break-glass) from key use, with no blanket kms:* for the account', () => {
    // Act
    const policy = resourcesOfType(synthDev(), 'aws_kms_key')[0]?.config.policy;
    const statements = (JSON.parse(String(policy)) as { Statement: Record<string, unknown>[] }).Statement;

    // Assert
    expect(statements.flatMap((s) => s.Action as string[])).not.toContain('kms:*');
    const admin = statementWithSid(policy, 'DeployerAdministersKey');
    expect(admin.Principal).toEqual({ AWS: 'arn:aws:iam::111111111111:role/lakepipe-deployer' });
    expect(admin.Action).toContain('kms:PutKeyPolicy');
    expect(admin.Action).not.toContain('kms:Decrypt');
    expect(statementWithSid(policy, 'DeployerEncryptsThroughServices').Condition).toEqual({
      StringEquals: {
        'kms:ViaService': ['dynamodb', 'glue', 'lambda', 's3'].map((s) => `${s}.eu-west-1.amazonaws.com`),
      },
    });
    // the deployer may read table definitions and function settings, never lake objects or the ledger
    expect(statementWithSid(policy, 'DeployerReadsCatalogAndFunctions').Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['glue.eu-west-1.amazonaws.com', 'lambda.eu-west-1.amazonaws.com'] },
    });
    expect(statementWithSid(policy, 'BreakGlassRestoresKeyPolicy')).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: [
        'kms:CancelKeyDeletion',
        'kms:DescribeKey',
        'kms:EnableKey',
        'kms:GetKeyPolicy',
        'kms:PutKeyPolicy',
      ],
      Condition: {
        ArnEquals: {
          'aws:PrincipalArn': [
            'arn:aws:iam::111111111111:root',
            'arn:aws:iam::111111111111:role/lakepipe-kms-break-glass',
          ],
        },
      },
    });
    expect(statementWithSid(policy, 'LakepipeRolesGrantToAwsResources').Condition).toMatchObject({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
    expect(statementWithSid(policy, 'ReadersDecrypt')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/data-analyst'] } },
    });
  });

  it('encrypts the Glue Data Catalog and declares the SageMaker transform log group with retention and the key', () => {
    // Arrange
    const json = synthDev();

    // Act
    const catalog = resourcesOfType(json, 'aws_glue_data_catalog_encryption_settings')[0]?.config;
    const transformLogs = resourceWhere(json, 'aws_cloudwatch_log_group', {
      name: '/aws/sagemaker/TransformJobs',
    }).config;

    // Assert
    expect(catalog?.data_catalog_encryption_settings).toEqual({
      encryption_at_rest: {
        catalog_encryption_mode: 'SSE-KMS',
        sse_aws_kms_key_id: `\${aws_kms_key.key.arn}`,
      },
      connection_password_encryption: {
        return_connection_password_encrypted: true,
        aws_kms_key_id: `\${aws_kms_key.key.arn}`,
      },
    });
    expect(transformLogs).toMatchObject({ retention_in_days: 14, kms_key_id: `\${aws_kms_key.key.arn}` });
  });

  it('refuses lake uploads that ask for SSE-S3 or another KMS key', () => {
    // Act
    const policy = forBucket(synthDev(), 'aws_s3_bucket_policy', BUCKETS.lake).policy;

    // Assert
    expect(statementWithSid(policy, 'DenyUploadsNotSseKms').Condition).toEqual({
      Null: { 's3:x-amz-server-side-encryption': 'false' },
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
    });
    expect(statementWithSid(policy, 'DenyUploadsWithAnotherKey').Condition).toEqual({
      Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
      StringNotEquals: {
        's3:x-amz-server-side-encryption-aws-kms-key-id': [
          `\${aws_kms_key.key.arn}`,
          'arn:aws:kms:eu-west-1:111111111111:alias/lakepipe-dev-data',
        ],
      },
    });
  });

  it('encrypts the lake and Athena results buckets with the key and a bucket key, the log bucket with SSE-S3', () => {
    // Arrange
    const json = synthDev();
    const keyArn = `\${aws_kms_key.key.arn}`;

    // Act / Assert
    for (const bucket of [BUCKETS.lake, BUCKETS.results]) {
      expect(forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', bucket).rule).toEqual([
        {
          apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: keyArn },
          bucket_key_enabled: true,
        },
      ]);
    }
    // S3 server access logs cannot be delivered to an SSE-KMS bucket
    expect(forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', BUCKETS.logs).rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
  });

  it('blocks all four kinds of public access, disables ACLs and versions every bucket', () => {
    // Arrange
    const json = synthDev();

    // Act / Assert
    for (const bucket of Object.values(BUCKETS)) {
      expect(forBucket(json, 'aws_s3_bucket_public_access_block', bucket)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(forBucket(json, 'aws_s3_bucket_ownership_controls', bucket).rule).toEqual({
        object_ownership: 'BucketOwnerEnforced',
      });
      expect(forBucket(json, 'aws_s3_bucket_versioning', bucket).versioning_configuration).toEqual({
        status: 'Enabled',
      });
    }
  });

  it('denies every request without TLS on every bucket', () => {
    // Arrange
    const json = synthDev();

    // Act / Assert
    for (const bucket of Object.values(BUCKETS)) {
      const arn = bucketRef(json, bucket, 'arn');
      expect(
        statementWithSid(forBucket(json, 'aws_s3_bucket_policy', bucket).policy, 'DenyInsecureTransport'),
      ).toEqual({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('gives the lake lifecycle rules for multipart uploads, noncurrent versions and old raw files', () => {
    // Act
    const rules = forBucket(synthDev(), 'aws_s3_bucket_lifecycle_configuration', BUCKETS.lake).rule;

    // Assert
    expect(rules).toEqual([
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: [{}],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
      {
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: [{}],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
      },
      {
        id: 'raw-to-standard-ia',
        status: 'Enabled',
        filter: [{ prefix: 'raw/' }],
        transition: [{ days: 30, storage_class: 'STANDARD_IA' }],
      },
    ]);
  });

  it('logs lake and Athena results access to the log bucket, which admits only S3 logging from this account', () => {
    // Arrange
    const json = synthDev();
    const logBucket = bucketRef(json, BUCKETS.logs, 'bucket');

    // Act / Assert
    expect(forBucket(json, 'aws_s3_bucket_logging', BUCKETS.lake)).toMatchObject({
      target_bucket: logBucket,
      target_prefix: 's3-access/lake/',
    });
    expect(forBucket(json, 'aws_s3_bucket_logging', BUCKETS.results).target_prefix).toBe(
      's3-access/athena-results/',
    );
    const policy = forBucket(json, 'aws_s3_bucket_policy', BUCKETS.logs).policy;
    expect(statementWithSid(policy, 'AllowS3ServerAccessLogs')).toMatchObject({
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: ['s3:PutObject'],
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
  });

  it('expires Athena results and enforces the workgroup location, SSE-KMS, engine v3 and bytes cutoff', () => {
    // Arrange
    const json = synthDev();

    // Act
    const rules = forBucket(json, 'aws_s3_bucket_lifecycle_configuration', BUCKETS.results).rule as unknown[];
    const workgroup = resourcesOfType(json, 'aws_athena_workgroup')[0]?.config;

    // Assert
    expect(rules).toContainEqual(
      expect.objectContaining({ id: 'expire-query-results', expiration: [{ days: 7 }] }),
    );
    expect(workgroup).toMatchObject({
      name: 'lakepipe-dev-analytics',
      configuration: {
        enforce_workgroup_configuration: true,
        bytes_scanned_cutoff_per_query: 10_737_418_240,
        engine_version: { selected_engine_version: 'Athena engine version 3' },
        result_configuration: {
          output_location: `s3://${bucketRef(json, BUCKETS.results, 'bucket')}/results/`,
          encryption_configuration: { encryption_option: 'SSE_KMS', kms_key_arn: `\${aws_kms_key.key.arn}` },
        },
      },
    });
  });

  it('creates the Glue database lakepipe_<env>', () => {
    // Act / Assert
    expect(resourcesOfType(synthDev(), 'aws_glue_catalog_database')[0]?.config.name).toBe('lakepipe_dev');
  });

  it('creates the ledger table on demand with PK/SK, GSI1, PITR, KMS encryption and TTL', () => {
    // Act
    const table = resourcesOfType(synthDev(), 'aws_dynamodb_table')[0]?.config;

    // Assert
    expect(table).toMatchObject({
      name: 'lakepipe-dev-ledger',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'PK',
      range_key: 'SK',
      attribute: [
        { name: 'PK', type: 'S' },
        { name: 'SK', type: 'S' },
        { name: 'GSI1PK', type: 'S' },
        { name: 'GSI1SK', type: 'S' },
      ],
      global_secondary_index: [
        { name: 'GSI1', hash_key: 'GSI1PK', range_key: 'GSI1SK', projection_type: 'ALL' },
      ],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: `\${aws_kms_key.key.arn}` },
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
  });

  it('turns on table deletion protection and prevent_destroy on stateful resources in prod only', () => {
    // Act
    const dev = synthDev();
    const prod = synthJson(stackFor(PROD));

    // Assert
    expect(resourcesOfType(dev, 'aws_dynamodb_table')[0]?.config.deletion_protection_enabled).toBe(false);
    expect(resourcesOfType(prod, 'aws_dynamodb_table')[0]?.config.deletion_protection_enabled).toBe(true);
    const stateful = [
      'aws_kms_key',
      'aws_s3_bucket',
      'aws_dynamodb_table',
      'aws_glue_catalog_database',
      'aws_sns_topic',
    ];
    for (const type of stateful) {
      for (const resource of resourcesOfType(prod, type)) {
        expect(resource.config.lifecycle, `${type}.${resource.name} in prod`).toEqual({
          prevent_destroy: true,
        });
      }
      for (const resource of resourcesOfType(dev, type)) {
        expect(resource.config.lifecycle, `${type}.${resource.name} in dev`).toBeUndefined();
      }
    }
    expect(resourcesOfType(prod, 'aws_s3_bucket')).toHaveLength(3);
  });

  it('encrypts the error topic and lets EventBridge, Step Functions and CloudWatch publish to it', () => {
    // Arrange
    const json = synthDev();
    const topicArn = `\${aws_sns_topic.error-topic.arn}`;

    // Act
    const topic = resourcesOfType(json, 'aws_sns_topic')[0]?.config;
    const policy = resourcesOfType(json, 'aws_sns_topic_policy')[0]?.config;

    // Assert
    expect(topic).toMatchObject({
      name: 'lakepipe-dev-errors',
      kms_master_key_id: `\${aws_kms_key.key.arn}`,
    });
    expect(policy?.arn).toBe(topicArn);
    expect(statementWithSid(policy?.policy, 'ServicesPublishErrors')).toEqual({
      Sid: 'ServicesPublishErrors',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'states.amazonaws.com', 'cloudwatch.amazonaws.com'] },
      Action: ['sns:Publish'],
      Resource: [topicArn],
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    expect(statementWithSid(policy?.policy, 'DenyInsecureTransport').Action).toEqual(
      expect.arrayContaining(['sns:Publish', 'sns:Subscribe', 'sns:SetTopicAttributes', 'sns:DeleteTopic']),
    );
  });

  it('subscribes every subscriber of the env config to the error topic', () => {
    // Act
    const subscriptions = resourcesOfType(synthDev(), 'aws_sns_topic_subscription').map((s) => s.config);

    // Assert
    expect(subscriptions).toEqual([
      { topic_arn: `\${aws_sns_topic.error-topic.arn}`, protocol: 'email', endpoint: 'oncall@example.com' },
      {
        topic_arn: `\${aws_sns_topic.error-topic.arn}`,
        protocol: 'https',
        endpoint: 'https://hooks.example.com/lakepipe',
      },
      {
        topic_arn: `\${aws_sns_topic.error-topic.arn}`,
        protocol: 'sqs',
        endpoint: 'arn:aws:sqs:eu-west-1:111111111111:support',
      },
    ]);
  });

  it('publishes an SSM parameter for every shared name and ARN', () => {
    // Arrange
    const json = synthDev();
    const byName = new Map(resourcesOfType(json, 'aws_ssm_parameter').map((p) => [p.config.name, p.config]));

    // Act / Assert
    expect(byName.size).toBe(Object.keys(SHARED_PARAMETERS).length);
    const expected: Record<keyof typeof SHARED_PARAMETERS, string> = {
      lakeBucketName: bucketRef(json, BUCKETS.lake, 'bucket'),
      lakeBucketArn: bucketRef(json, BUCKETS.lake, 'arn'),
      logBucketName: bucketRef(json, BUCKETS.logs, 'bucket'),
      logBucketArn: bucketRef(json, BUCKETS.logs, 'arn'),
      kmsKeyArn: `\${aws_kms_key.key.arn}`,
      kmsKeyAlias: 'alias/lakepipe-dev-data',
      ledgerTableName: `\${aws_dynamodb_table.ledger-table.name}`,
      ledgerTableArn: `\${aws_dynamodb_table.ledger-table.arn}`,
      errorTopicArn: `\${aws_sns_topic.error-topic.arn}`,
      errorTopicName: `\${aws_sns_topic.error-topic.name}`,
      glueDatabaseName: `\${aws_glue_catalog_database.database.name}`,
      athenaWorkgroupName: `\${aws_athena_workgroup.workgroup.name}`,
      athenaResultsBucketName: bucketRef(json, BUCKETS.results, 'bucket'),
      athenaResultsBucketArn: bucketRef(json, BUCKETS.results, 'arn'),
    };
    for (const [key, value] of Object.entries(expected)) {
      const path = SHARED_PARAMETERS[key as keyof typeof SHARED_PARAMETERS];
      expect(byName.get(`/lakepipe/dev/${path}`), path).toMatchObject({ type: 'String', value });
    }
  });

  it('creates the resources under exactly the names the workflow compiler derives', () => {
    // Arrange
    const json = synthDev();
    const target = compileTargetFor(DEV);

    // Act / Assert
    expect(resourcesOfType(json, 'aws_s3_bucket').map((b) => b.config.bucket)).toContain(target.lakeBucket);
    expect(resourcesOfType(json, 'aws_dynamodb_table')[0]?.config.name).toBe(target.ledgerTable);
    const topicName = resourcesOfType(json, 'aws_sns_topic')[0]?.config.name as string;
    expect(target.errorTopicArn).toBe(`arn:aws:sns:${DEV.region}:${DEV.accountId}:${topicName}`);
  });

  it('tags every taggable resource through the provider default tags', () => {
    // Arrange
    const stack = stackFor(DEV);

    // Act
    const json = synthJson(stack);
    const taggable = stack.node
      .findAll()
      .filter((node): node is TerraformResource => node instanceof TerraformResource && isTaggable(node));

    // Assert
    expect(json.provider?.aws?.[0]?.default_tags).toEqual([
      {
        tags: {
          project: 'lakepipe',
          environment: 'dev',
          service: 'shared-infra',
          'managed-by': 'terraform+cdktf',
          'cost-center': 'data-platform',
        },
      },
    ]);
    expect(taggable.length).toBeGreaterThan(10);
    for (const resource of taggable) {
      // no resource is bound to another provider, so the default tags reach every one
      expect(resource.provider, resource.node.path).toBeUndefined();
    }
    expect(allResources(json).filter((r) => r.config.provider !== undefined)).toEqual([]);
  });

  it('writes its state to lakepipe/<env>/shared-infra-<env>.tfstate with native locking', () => {
    // Act
    const backend = synthJson(stackFor(PROD)).terraform?.backend?.s3;

    // Assert
    expect(backend).toMatchObject({
      bucket: 'lakepipe-tfstate-222222222222-eu-west-1',
      key: 'lakepipe/prod/shared-infra-prod.tfstate',
      use_lockfile: true,
      encrypt: true,
    });
  });
});
