import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { LakepipeStack } from './lakepipe-stack';
import { allResources, synthJson, testEnvConfig } from './testing';

const STANDARD_TAGS = {
  project: 'lakepipe',
  environment: 'prod',
  service: 'spark-etl',
  'managed-by': 'terraform+cdktf',
  'cost-center': 'data-platform',
};

describe('LakepipeStack', () => {
  it('pins the AWS provider to the environment account and region with the standard default tags', () => {
    // Arrange
    const config = testEnvConfig({ name: 'prod', accountId: '222222222222' });

    // Act
    const stack = new LakepipeStack(Testing.app(), 'spark-etl-prod', { config, service: 'spark-etl' });

    // Assert
    expect(synthJson(stack).provider?.aws).toEqual([
      { region: 'eu-west-1', allowed_account_ids: ['222222222222'], default_tags: [{ tags: STANDARD_TAGS }] },
    ]);
  });

  it('keeps state in the env state bucket under lakepipe/<env>/<stack>.tfstate with S3 native locking', () => {
    // Act
    const stack = new LakepipeStack(Testing.app(), 'spark-etl-prod', {
      config: testEnvConfig({ name: 'prod', stateBucket: 'state-bucket' }),
      service: 'spark-etl',
    });

    // Assert
    expect(synthJson(stack).terraform?.backend).toEqual({
      s3: {
        bucket: 'state-bucket',
        key: 'lakepipe/prod/spark-etl-prod.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it('requires Terraform >= 1.11, the first version with stable S3 native locking', () => {
    // Act
    const stack = new LakepipeStack(Testing.app(), 'view-dev', { config: testEnvConfig(), service: 'view' });

    // Assert
    expect(synthJson(stack).terraform?.required_version).toBe('>= 1.11.0');
  });

  it('accepts the stack name in props and names components lakepipe-<env>-<component>', () => {
    // Act
    const stack = new LakepipeStack(Testing.app(), {
      config: testEnvConfig(),
      service: 'view',
      stackName: 'view-dev',
    });

    // Assert
    expect(stack.node.id).toBe('view-dev');
    expect(stack.name('views')).toBe('lakepipe-dev-views');
    expect(stack.compileTarget.ledgerTable).toBe('lakepipe-dev-ledger');
  });

  it('tags every taggable resource, including those on a provider alias without default tags', () => {
    // Arrange
    const stack = new LakepipeStack(Testing.app(), 'spark-etl-prod', {
      config: testEnvConfig({ name: 'prod' }),
      service: 'spark-etl',
    });
    const useast = new AwsProvider(stack, 'us-east-1', { region: 'us-east-1', alias: 'useast' });
    new S3Bucket(stack, 'covered', { bucket: 'covered' });
    new SqsQueue(stack, 'aliased', { name: 'aliased', provider: useast, tags: { purpose: 'test' } });

    // Act
    const json = synthJson(stack);

    // Assert
    const defaultTags = (json.provider?.aws?.[0]?.default_tags as { tags: unknown }[] | undefined)?.[0]?.tags;
    expect(defaultTags).toEqual(STANDARD_TAGS);
    const resources = allResources(json);
    const aliased = resources.find((r) => r.name === 'aliased');
    expect(aliased?.config.tags).toEqual({ ...STANDARD_TAGS, purpose: 'test' });
    const covered = resources.find((r) => r.name === 'covered');
    expect(covered?.config.provider).toBeUndefined(); // default provider: default_tags apply
  });
});
