import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalNotifier, type NotificationRecord } from './local-notifier';
import { errorNotification } from './notification';

const runId = '20261126T064500Z-a1b2c3';
const topicArn = 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors';

async function newNotifier() {
  const lakeRoot = await mkdtemp(path.join(tmpdir(), 'lake-'));
  const lines: string[] = [];
  const notifier = new LocalNotifier({
    lakeRoot,
    write: (line) => lines.push(line),
    now: () => new Date('2026-11-26T07:00:00.000Z'),
    prefixesFor: (stage, id) => (stage === 'etl' ? [`raw/bench_tests/dt=2026-11-26/run=${id}/`] : []),
  });
  const records = async () =>
    (await readFile(path.join(lakeRoot, '_notifications', '2026-11-26.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as NotificationRecord);
  return { notifier, lines, records };
}

describe('LocalNotifier', () => {
  it('appends a failure from the state machine as one JSON line and prints one console line', async () => {
    // Arrange
    const { notifier, lines, records } = await newNotifier();
    const taskParameters = {
      TopicArn: topicArn,
      Subject: `lakepipe bench: run ${runId} failed in etl`,
      Message: JSON.stringify({
        pipeline: 'bench',
        runId,
        stage: 'etl',
        error: 'RejectRatioExceededError',
        cause: '41% rejected\nsee rejected/',
      }),
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'failure' } },
    };

    // Act
    const { MessageId } = await notifier.publishFromTask(taskParameters);

    // Assert
    const [record] = await records();
    expect(record).toMatchObject({
      at: '2026-11-26T07:00:00.000Z',
      messageId: MessageId,
      kind: 'failure',
      topicArn,
      subject: `lakepipe bench: run ${runId} failed in etl: RejectRatioExceededError`,
      notification: {
        runId,
        stage: 'etl',
        errorName: 'RejectRatioExceededError',
        prefixes: [`raw/bench_tests/dt=2026-11-26/run=${runId}/`, `_manifests/run=${runId}/`],
        lookup: { cli: `npx lakepipe status ${runId}`, http: `GET /runs/${runId}` },
      },
    });
    expect(lines).toEqual([
      `✖ run ${runId} failed in etl: RejectRatioExceededError: 41% rejected — npx lakepipe status ${runId}`,
    ]);
  });

  it('records a plain notice and a direct notify, one line each, in order', async () => {
    // Arrange
    const { notifier, lines, records } = await newNotifier();

    // Act
    await notifier.publish({
      TopicArn: topicArn,
      Subject: 'lakepipe bench: done',
      Message: 'nightly scoring done',
    });
    await notifier.notify(
      errorNotification({ runId, stage: 'view', attempt: 3, errorName: 'States.Timeout', cause: 'slow' }),
    );

    // Assert
    expect((await records()).map((r) => r.kind)).toEqual(['notice', 'failure']);
    expect(lines).toEqual([
      '● lakepipe bench: done: nightly scoring done',
      `✖ run ${runId} failed in view (attempt 3): States.Timeout: slow — npx lakepipe status ${runId}`,
    ]);
  });

  it('rejects task parameters without a topic, naming the field', async () => {
    // Arrange
    const { notifier } = await newNotifier();

    // Act
    const publish = notifier.publishFromTask({ Message: 'x' });

    // Assert
    await expect(publish).rejects.toThrow('notification TopicArn must be a topic ARN (got undefined)');
  });
});
