import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listEnvironments, loadEnvConfig, parseEnvConfig } from './env-config';
import { EnvConfigError } from './errors';

const VALID = `name: dev
accountId: "111111111111"
region: eu-west-1
costCenter: data-platform
stateBucket: lakepipe-tfstate-111111111111-eu-west-1
logRetentionDays: 14
noncurrentVersionExpirationDays: 30
rawTransitionDays: 30
athena:
  bytesScannedCutoffPerQuery: 10737418240
  resultExpirationDays: 7
errorTopic:
  subscribers:
    - { protocol: email, endpoint: team@example.com }
keyAccess:
  administratorRoleArn: arn:aws:iam::111111111111:role/lakepipe-deployer
  breakGlassRoleArn: arn:aws:iam::111111111111:role/lakepipe-kms-break-glass
  readerRoleArns: [arn:aws:iam::111111111111:role/data-analyst]
`;

const BASELINE = `costBaseline:
  master: { instanceType: m5.xlarge, count: 1 }
  core: { instanceType: r5.2xlarge, count: 4 }
  hoursPerDay: 24
  ebsGbPerInstance: 500
`;

function configDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'env-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function errorOf(action: () => unknown): EnvConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof EnvConfigError) return error;
    throw error;
  }
  throw new Error('expected an EnvConfigError');
}

describe('loadEnvConfig', () => {
  it('loads the repository dev and prod configs, with deletion protection in prod only', () => {
    // Act
    const dev = loadEnvConfig('dev');
    const prod = loadEnvConfig('prod');

    // Assert
    expect(dev).toMatchObject({ name: 'dev', region: 'eu-west-1', deletionProtection: false });
    expect(dev.sourceFile).toBe('infra/config/dev.yaml');
    expect(prod).toMatchObject({ name: 'prod', deletionProtection: true });
    expect(prod.errorTopic.subscribers.map((s) => s.protocol)).toEqual(['email', 'https', 'sqs']);
  });

  it('lists the environments that have a config file', () => {
    // Arrange
    const dir = configDirWith({ 'dev.yaml': VALID, 'prod.yaml': VALID.replace('name: dev', 'name: prod') });

    // Act / Assert
    expect(listEnvironments({ configDir: dir })).toEqual(['dev', 'prod']);
    expect(listEnvironments()).toEqual(expect.arrayContaining(['dev', 'prod']));
  });

  it('rejects a missing account id naming the file and the field', () => {
    // Arrange
    const dir = configDirWith({ 'dev.yaml': VALID.replace('accountId: "111111111111"\n', '') });

    // Act
    const error = errorOf(() => loadEnvConfig('dev', { configDir: dir }));

    // Assert
    expect(error.message).toMatch(
      /dev\.yaml(:\d+)?: accountId is required \(the 12-digit AWS account id, quoted\)/,
    );
    expect(error.problems).toEqual([expect.objectContaining({ field: 'accountId' })]);
  });

  it('rejects an account id that is not 12 digits, with its line and value', () => {
    // Act
    const error = errorOf(() =>
      parseEnvConfig(VALID.replace('"111111111111"', '"1234"'), { file: 'infra/config/dev.yaml' }),
    );

    // Assert
    expect(error.message).toBe('infra/config/dev.yaml:2: accountId must be 12 digits (got "1234")');
  });

  it('rejects an unknown region and lists the valid ones', () => {
    // Act
    const error = errorOf(() =>
      parseEnvConfig(VALID.replace('eu-west-1\n', 'eu-westish-1\n'), { file: 'infra/config/dev.yaml' }),
    );

    // Assert
    expect(error.message).toMatch(
      /^infra\/config\/dev\.yaml:3: region must be an AWS commercial region, one of: /,
    );
    expect(error.message).toContain('us-east-1, us-east-2');
    expect(error.message).toContain('(got "eu-westish-1")');
  });

  it('reports every problem at once instead of stopping at the first', () => {
    // Arrange
    const text = VALID.replace('logRetentionDays: 14', 'logRetentionDays: 15')
      .replace('bytesScannedCutoffPerQuery: 10737418240', 'bytesScannedCutoffPerQuery: 1024')
      .replace('{ protocol: email, endpoint: team@example.com }', '{ protocol: sms, endpoint: "+4412345" }');

    // Act
    const error = errorOf(() => parseEnvConfig(text, { file: 'dev.yaml' }));

    // Assert
    expect(error.problems.map((p) => p.field)).toEqual([
      'logRetentionDays',
      'athena.bytesScannedCutoffPerQuery',
      'errorTopic.subscribers[0].protocol',
    ]);
    expect(error.message).toContain('dev.yaml:6: logRetentionDays must be a CloudWatch retention value');
    expect(error.message).toContain(
      'dev.yaml:10: athena.bytesScannedCutoffPerQuery must be at least 10000000 (10 MB, the Athena minimum) (got 1024)',
    );
    expect(error.message).toContain(
      'errorTopic.subscribers[0].protocol must be one of email, https, sqs (got "sms")',
    );
  });

  it('rejects a subscriber endpoint that does not fit its protocol', () => {
    // Arrange
    const text = VALID.replace(
      '{ protocol: email, endpoint: team@example.com }',
      '{ protocol: sqs, endpoint: "https://sqs.eu-west-1.amazonaws.com/1/q" }',
    );

    // Act
    const error = errorOf(() => parseEnvConfig(text, { file: 'dev.yaml' }));

    // Assert
    expect(error.message).toBe(
      'dev.yaml:14: errorTopic.subscribers[0].endpoint must be an SQS queue ARN for protocol sqs (got "https://sqs.eu-west-1.amazonaws.com/1/q")',
    );
  });

  it('rejects a misspelled field instead of ignoring it', () => {
    // Act
    const error = errorOf(() => parseEnvConfig(`${VALID}logRetentionDay: 14\n`, { file: 'dev.yaml' }));

    // Assert
    expect(error.message).toBe('dev.yaml:19: the file has unknown field "logRetentionDay"');
  });

  it('rejects a file whose name field differs from its file name', () => {
    // Arrange
    const dir = configDirWith({ 'staging.yaml': VALID });

    // Act
    const error = errorOf(() => loadEnvConfig('staging', { configDir: dir }));

    // Assert
    expect(error.message).toMatch(/staging\.yaml:1: name must match the file name "staging" \(got "dev"\)$/);
  });

  it('names the known environments when asked for one without a file', () => {
    // Act
    const error = errorOf(() => loadEnvConfig('qa'));

    // Assert
    expect(error.message).toBe('infra/config/qa.yaml: no such environment "qa" (known: dev, prod)');
  });

  it('rejects key roles outside the account and a reader that is also the administrator', () => {
    // Arrange
    const text = VALID.replace(
      'breakGlassRoleArn: arn:aws:iam::111111111111:role/lakepipe-kms-break-glass',
      'breakGlassRoleArn: arn:aws:iam::999999999999:role/lakepipe-kms-break-glass',
    ).replace(
      'readerRoleArns: [arn:aws:iam::111111111111:role/data-analyst]',
      'readerRoleArns: [arn:aws:iam::111111111111:role/lakepipe-deployer]',
    );

    // Act
    const error = errorOf(() => parseEnvConfig(text, { file: 'dev.yaml' }));

    // Assert
    expect(error.problems.map((p) => `${p.line}: ${p.field} ${p.message}`)).toEqual([
      `17: keyAccess.breakGlassRoleArn must be a role in the environment's account 111111111111 (got "arn:aws:iam::999999999999:role/lakepipe-kms-break-glass")`,
      '18: keyAccess.readerRoleArns[0] must not be the administrator or break-glass role (got "arn:aws:iam::111111111111:role/lakepipe-deployer")',
    ]);
  });

  it('rejects a key role that is not a role ARN', () => {
    // Act
    const error = errorOf(() =>
      parseEnvConfig(VALID.replace('role/lakepipe-deployer', 'user/alice'), { file: 'dev.yaml' }),
    );

    // Assert
    expect(error.message).toBe(
      'dev.yaml:16: keyAccess.administratorRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) (got "arn:aws:iam::111111111111:user/alice")',
    );
  });

  it('reads the declared cost baseline, and the repository configs declare one', () => {
    // Act
    const config = parseEnvConfig(`${VALID}${BASELINE}`, { file: 'infra/config/dev.yaml' });

    // Assert
    expect(config.costBaseline).toEqual({
      master: { instanceType: 'm5.xlarge', count: 1 },
      core: { instanceType: 'r5.2xlarge', count: 4 },
      hoursPerDay: 24,
      ebsGbPerInstance: 500,
    });
    expect(loadEnvConfig('prod').costBaseline?.core.count).toBeGreaterThan(0);
    expect(loadEnvConfig('dev').costBaseline?.master.count).toBe(1);
  });

  it('rejects a cost baseline with bad hours, a negative count and a malformed instance type, at their lines', () => {
    // Arrange
    const bad = BASELINE.replace('count: 4', 'count: -2')
      .replace('hoursPerDay: 24', 'hoursPerDay: 30')
      .replace('m5.xlarge', 'm5-xlarge');

    // Act
    const error = errorOf(() => parseEnvConfig(`${VALID}${bad}`, { file: 'infra/config/dev.yaml' }));

    // Assert
    expect(error.message).toBe(
      [
        'infra/config/dev.yaml:20: costBaseline.master.instanceType must be an EC2 instance type, e.g. m5.xlarge (got "m5-xlarge")',
        'infra/config/dev.yaml:21: costBaseline.core.count must be 0 or more (got -2)',
        'infra/config/dev.yaml:22: costBaseline.hoursPerDay must be at most 24 (got 30)',
      ].join('\n'),
    );
  });

  it('names what a cost baseline without its core nodes is missing', () => {
    // Act
    const error = errorOf(() =>
      parseEnvConfig(`${VALID}${BASELINE.replace(/ {2}core:.*\n/, '')}`, { file: 'dev.yaml' }),
    );

    // Assert
    expect(error.message).toBe(
      'dev.yaml:20: costBaseline.core is required (instanceType and count of the core nodes)',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    // Act
    const error = errorOf(() => parseEnvConfig('name: dev\naccountId: [1, 2\n', { file: 'dev.yaml' }));

    // Assert
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/^dev\.yaml:\d+: /);
  });
});
