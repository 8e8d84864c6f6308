import { describe, expect, it } from 'vitest';
import { compileTargetFor } from './compile-target';
import { testEnvConfig } from './testing';

describe('compileTargetFor', () => {
  it('derives the lake bucket, ledger table and error topic ARN from the config alone', () => {
    // Arrange
    const config = testEnvConfig({ name: 'prod', accountId: '222222222222', region: 'eu-central-1' });

    // Act
    const target = compileTargetFor(config);

    // Assert
    expect(target).toMatchObject({
      env: 'prod',
      accountId: '222222222222',
      region: 'eu-central-1',
      lakeBucket: 'lakepipe-prod-lake-222222222222-eu-central-1',
      ledgerTable: 'lakepipe-prod-ledger',
      errorTopicArn: 'arn:aws:sns:eu-central-1:222222222222:lakepipe-prod-errors',
    });
    expect(target.resourceName('sourcing')).toBe('lakepipe-prod-sourcing');
  });
});
