import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { publishParameter, readParameter, SHARED_PARAMETERS } from './ssm';
import { dataSourcesOfType, resourcesOfType, synthJson, testEnvConfig } from './testing';

describe('SSM parameter helpers', () => {
  it('publishes a String parameter under /lakepipe/<env>/', () => {
    // Arrange
    const stack = new TerraformStack(Testing.app(), 'ssm');

    // Act
    publishParameter(stack, 'lake', {
      config: testEnvConfig({ name: 'prod' }),
      path: SHARED_PARAMETERS.lakeBucketName,
      value: 'lakepipe-prod-lake-1-eu-west-1',
      description: 'the lake bucket',
    });

    // Assert
    expect(resourcesOfType(synthJson(stack), 'aws_ssm_parameter')).toEqual([
      {
        name: 'lake',
        config: {
          name: '/lakepipe/prod/storage/lake-bucket-name',
          type: 'String',
          value: 'lakepipe-prod-lake-1-eu-west-1',
          description: 'the lake bucket',
        },
      },
    ]);
  });

  it('reads a parameter as a data source and returns its value token', () => {
    // Arrange
    const stack = new TerraformStack(Testing.app(), 'ssm');

    // Act
    const value = readParameter(stack, 'table', {
      config: testEnvConfig(),
      path: SHARED_PARAMETERS.ledgerTableArn,
    });
    publishParameter(stack, 'copy', { config: testEnvConfig(), path: 'copy', value, description: 'copy' });

    // Assert
    const json = synthJson(stack);
    expect(dataSourcesOfType(json, 'aws_ssm_parameter')).toEqual([
      { name: 'table', config: { name: '/lakepipe/dev/ledger/table-arn' } },
    ]);
    expect(resourcesOfType(json, 'aws_ssm_parameter')[0]?.config.value).toBe(
      `\${data.aws_ssm_parameter.table.value}`,
    );
  });

  it('keeps every shared parameter path unique and relative', () => {
    // Act
    const paths = Object.values(SHARED_PARAMETERS);

    // Assert
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) expect(p).toMatch(/^[a-z]+\/[a-z0-9-]+$/);
  });
});
