import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { type PolicyStatement, policyDocumentOf } from '@lakepipe/constructs';
import { Construct } from 'constructs';

export interface HardenedBucketProps {
  readonly bucketName: string;
  /**
   * SSE-KMS with this key and an S3 bucket key.
   * @default SSE-S3 (AES256): required for a server-access-log target bucket, which cannot use SSE-KMS
   */
  readonly kmsKeyArn?: string;
  /**
   * The key's alias ARN: uploads naming the key by this alias (SageMaker does) are accepted too.
   * @default only the key ARN is accepted in `x-amz-server-side-encryption-aws-kms-key-id`
   */
  readonly kmsKeyAliasArn?: string;
  /**
   * Where S3 server access logs of this bucket go.
   * @default no access logging (only for the log bucket itself)
   */
  readonly accessLogs?: { readonly targetBucket: string; readonly targetPrefix: string };
  /** lifecycle rules besides the abort-incomplete-multipart-upload rule every bucket gets */
  readonly lifecycleRules: readonly S3BucketLifecycleConfigurationRule[];
  /**
   * Statements added to the bucket policy after the TLS-only deny.
   * @default none
   */
  readonly policyStatements?: readonly PolicyStatement[];
  /**
   * Refuse `terraform destroy` of the bucket (set in prod).
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/** Days after which an unfinished multipart upload is aborted, in every bucket. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * An S3 bucket with the lakepipe baseline: versioning, default encryption, all four
 * public-access blocks, BucketOwnerEnforced (no ACLs), a TLS-only bucket policy,
 * lifecycle rules, EventBridge notifications (the pipeline's objectCreated trigger) and,
 * optionally, server access logs. A KMS bucket refuses uploads that ask for any other encryption.
 */
export class HardenedBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: HardenedBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;

    new S3BucketVersioningA(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [
        props.kmsKeyArn
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyId: props.kmsKeyArn,
              },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket,
      policy: JSON.stringify(
        policyDocumentOf([
          {
            sid: 'DenyInsecureTransport',
            effect: 'Deny',
            principal: '*',
            actions: ['s3:*'],
            resources: [this.bucket.arn, `${this.bucket.arn}/*`],
            conditions: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          ...(props.kmsKeyArn ? denyUploadsNotEncryptedWith(this.bucket.arn, props) : []),
          ...(props.policyStatements ?? []),
        ]),
      ),
      // a policy write races the public-access block on a new bucket
      dependsOn: [publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'abort-incomplete-multipart-uploads',
          status: 'Enabled',
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS }],
        },
        ...props.lifecycleRules,
      ],
    });
    new S3BucketNotification(this, 'eventbridge', { bucket, eventbridge: true });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, 'access-logs', {
        bucket,
        targetBucket: props.accessLogs.targetBucket,
        targetPrefix: props.accessLogs.targetPrefix,
      });
    }
  }

  get bucketName(): string {
    return this.bucket.bucket;
  }

  get bucketArn(): string {
    return this.bucket.arn;
  }
}

/**
 * Uploads that name an encryption must name SSE-KMS with the bucket's key; an upload that names
 * none gets the bucket default (the same key). Null-checks keep the default path open.
 */
function denyUploadsNotEncryptedWith(bucketArn: string, props: HardenedBucketProps): PolicyStatement[] {
  const objects = [`${bucketArn}/*`];
  return [
    {
      sid: 'DenyUploadsNotSseKms',
      effect: 'Deny',
      principal: '*',
      actions: ['s3:PutObject'],
      resources: objects,
      conditions: {
        Null: { 's3:x-amz-server-side-encryption': 'false' },
        StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
      },
    },
    {
      sid: 'DenyUploadsWithAnotherKey',
      effect: 'Deny',
      principal: '*',
      actions: ['s3:PutObject'],
      resources: objects,
      conditions: {
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
        StringNotEquals: {
          's3:x-amz-server-side-encryption-aws-kms-key-id': [
            props.kmsKeyArn!,
            ...(props.kmsKeyAliasArn ? [props.kmsKeyAliasArn] : []),
          ],
        },
      },
    },
  ];
}
