import { resourcesOfType, statementWithSid, synthJson, testEnvConfig } from '@lakepipe/constructs/testing';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { BootstrapStack } from './bootstrap-stack';

const config = testEnvConfig({ stateBucket: 'lakepipe-tfstate-111111111111-eu-west-1' });

describe('BootstrapStack', () => {
  it('keeps its own state locally, since the state bucket does not exist yet', () => {
    // Act
    const json = synthJson(new BootstrapStack(Testing.app(), 'bootstrap-dev', { config }));

    // Assert
    expect(json.terraform?.backend).toEqual({ local: { path: 'terraform.bootstrap-dev.tfstate' } });
  });

  it('creates the configured state bucket versioned, encrypted, private, TLS-only and never destroyed', () => {
    // Act
    const json = synthJson(new BootstrapStack(Testing.app(), 'bootstrap-dev', { config }));

    // Assert
    const [bucket] = resourcesOfType(json, 'aws_s3_bucket');
    expect(bucket?.config).toEqual({
      bucket: 'lakepipe-tfstate-111111111111-eu-west-1',
      lifecycle: { prevent_destroy: true },
    });
    expect(resourcesOfType(json, 'aws_s3_bucket_versioning')[0]?.config.versioning_configuration).toEqual({
      status: 'Enabled',
    });
    expect(resourcesOfType(json, 'aws_s3_bucket_public_access_block')[0]?.config).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = resourcesOfType(json, 'aws_s3_bucket_policy')[0]?.config.policy;
    expect(statementWithSid(policy, 'DenyInsecureTransport').Effect).toBe('Deny');
    expect(resourcesOfType(json, 'aws_s3_bucket_lifecycle_configuration')[0]?.config.rule).toContainEqual(
      expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
    );
  });

  it('pins the provider to the account and tags with service bootstrap', () => {
    // Act
    const json = synthJson(new BootstrapStack(Testing.app(), 'bootstrap-dev', { config }));

    // Assert
    expect(json.provider?.aws?.[0]).toMatchObject({
      allowed_account_ids: ['111111111111'],
      default_tags: [{ tags: expect.objectContaining({ service: 'bootstrap', environment: 'dev' }) }],
    });
  });
});
