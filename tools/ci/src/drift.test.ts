import { describe, expect, it } from 'vitest';
import { driftCheck, driftNotification, errorTopicArnOf } from './drift';
import { processRunner } from './exec';
import { loadDeliveryEnvConfig } from './stack-catalog';
import { deliveryWorkspace, fakeTerraform, fakeTerraformEnv, testCatalog } from './test-workspace';

describe('driftCheck', () => {
  it('finds the stacks whose plan -detailed-exitcode exits 2, and reports failed checks apart', async () => {
    // Arrange
    const root = deliveryWorkspace(testCatalog.map((entry) => `${entry.id}-prod`));
    const tf = fakeTerraformEnv(root, { default: 'shared-infra-noop.json' }, 'view-prod init');
    const runner = processRunner({
      env: { ...tf.env, FAKE_TF_DRIFT: 'sourcing-prod shared-infra-prod' },
      log: () => undefined,
    });

    // Act
    const report = await driftCheck({
      workspaceRoot: root,
      env: 'prod',
      config: loadDeliveryEnvConfig(root, 'prod'),
      catalog: testCatalog,
      runner,
      terraformBin: fakeTerraform,
    });

    // Assert
    expect(report.drifted).toEqual(['shared-infra-prod', 'sourcing-prod']);
    expect(report.failed.map((f) => f.stackName)).toEqual(['view-prod']);
    expect(report.clean).toHaveLength(testCatalog.length - 3);
    expect(tf.calls().filter((call) => call.includes(' plan '))[0]).toBe(
      'shared-infra-prod plan -input=false -no-color -lock=false -detailed-exitcode -refresh=true',
    );
  });
});

describe('driftNotification', () => {
  it('says nothing when every stack matches its code', () => {
    expect(driftNotification({ env: 'prod', drifted: [], clean: ['view-prod'], failed: [] })).toBeUndefined();
  });

  it('names each drifted stack and failed check for the error topic', () => {
    // Act
    const notification = driftNotification(
      {
        env: 'prod',
        drifted: ['sourcing-prod'],
        clean: [],
        failed: [{ stackName: 'view-prod', error: 'terraform init exited with 1:\nError: x' }],
      },
      'https://jenkins.example.com/job/lakepipe/job/drift-prod/7/',
    );

    // Assert
    expect(notification).toEqual({
      subject: 'lakepipe prod: 1 stack(s) drifted, 1 check(s) failed',
      message: [
        'lakepipe drift check of prod:',
        '- sourcing-prod: the real resources differ from the code (changed by hand?)',
        '- view-prod: the check failed: terraform init exited with 1:',
        '',
        'Reconcile by changing the code and deploying through the pipeline, or by re-applying main.',
        'Build: https://jenkins.example.com/job/lakepipe/job/drift-prod/7/',
        '',
      ].join('\n'),
    });
  });

  it('publishes to the error topic shared-infra creates', () => {
    expect(errorTopicArnOf({ name: 'prod', accountId: '222222222222', region: 'eu-west-1' })).toBe(
      'arn:aws:sns:eu-west-1:222222222222:lakepipe-prod-errors',
    );
  });
});
