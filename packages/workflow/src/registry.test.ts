import { describe, expect, it } from 'vitest';
import { StageRegistryError } from './errors';
import { notifyStageType } from './notify';
import { createStageRegistry } from './registry';
import { fakeStageType, testTarget } from './test-fixtures/stage-types';

describe('createStageRegistry', () => {
  it('always contains the built-in notify type and lists names sorted', () => {
    // Act
    const registry = createStageRegistry([fakeStageType]);

    // Assert
    expect(registry.names).toEqual(['fake', 'notify']);
    expect(registry.get('notify')).toBe(notifyStageType);
  });

  it('rejects a type registered twice or named notify', () => {
    // Act / Assert
    expect(() => createStageRegistry([fakeStageType, fakeStageType])).toThrow(
      new StageRegistryError('stage type "fake" is registered twice'),
    );
    expect(() => createStageRegistry([{ ...fakeStageType, type: 'notify' }])).toThrow(
      /built into the workflow package/,
    );
  });
});

describe('notify stage type', () => {
  it('compiles to an SNS publish on the error topic with the run id in the message', () => {
    // Act
    const steps = notifyStageType.compile({
      stageId: 'warn',
      attributes: { message: "ratio {high} isn't ok" },
      timeoutSeconds: 60,
      datasets: {},
      pipelineName: 'p',
      target: testTarget,
    });

    // Assert
    expect(steps).toHaveLength(1);
    expect(steps[0]!.state.Resource).toBe('arn:aws:states:::sns:publish');
    expect(steps[0]!.state.Parameters).toMatchObject({
      TopicArn: testTarget.errorTopicArn,
      Subject: 'lakepipe p: warn',
      'Message.$': "States.Format('ratio \\{high\\} isn\\'t ok (pipeline p, run {})', $.runId)",
    });
  });

  it('publishes through the local notifier and explains when none is given', async () => {
    // Arrange
    const published: unknown[] = [];
    const context = {
      stageId: 'warn',
      notifier: {
        publish: async (message: unknown) => {
          published.push(message);
          return { MessageId: 'm-1' };
        },
      },
    };

    // Act
    const request = (parameters: unknown) => ({
      runId: '20261130T100000Z-abc123',
      stageId: 'warn',
      attributes: { message: 'hi' },
      parameters,
    });
    const result = await notifyStageType.local.publish!(
      request({ TopicArn: 't', Message: 'hi' }),
      context as never,
    );

    // Assert
    expect(result).toEqual({ MessageId: 'm-1' });
    expect(published).toEqual([{ TopicArn: 't', Message: 'hi' }]);
    await expect(notifyStageType.local.publish!(request({}), { stageId: 'warn' } as never)).rejects.toThrow(
      'stage warn (notify) needs a notifier: pass LocalStageContext.notifier when running it locally',
    );
  });
});
