import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { errorNotification } from './notification';
import { SnsNotifier } from './sns-notifier';

const runId = '20261126T064500Z-a1b2c3';
const topicArn = 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors';

/** A loopback endpoint speaking SNS's query protocol: records each form body, answers Publish. */
async function startSnsEndpoint(status = 200) {
  const requests: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push(new URLSearchParams(body));
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(
        status === 200
          ? `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-${requests.length}</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`
          : '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>req-2</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const client = new SNSClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return { requests, client };
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('SnsNotifier', () => {
  it('publishes the formatted failure with attributes subscribers can filter on', async () => {
    // Arrange
    const { requests, client } = await startSnsEndpoint();
    const notifier = new SnsNotifier({ client, topicArn });

    // Act
    const { MessageId } = await notifier.notify(
      errorNotification({
        runId,
        pipeline: 'bench',
        stage: 'etl',
        attempt: 1,
        errorName: 'GlueJobFailed',
        cause: 'OOM',
      }),
    );

    // Assert
    expect(MessageId).toBe('msg-1');
    const form = requests[0]!;
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('TopicArn')).toBe(topicArn);
    expect(form.get('Subject')).toBe(`lakepipe bench: run ${runId} failed in etl: GlueJobFailed`);
    expect(form.get('Message')).toContain(`Stage:  etl (attempt 1)`);
    expect(form.get('Message')).toContain(`npx lakepipe status ${runId}`);
    const attributes = Object.fromEntries(
      [1, 2, 3, 4, 5].map((i) => [
        form.get(`MessageAttributes.entry.${i}.Name`),
        form.get(`MessageAttributes.entry.${i}.Value.StringValue`),
      ]),
    );
    expect(attributes).toEqual({
      kind: 'failure',
      runId,
      stage: 'etl',
      errorName: 'GlueJobFailed',
      pipeline: 'bench',
    });
  });

  it('cuts a raw subject to 100 characters', async () => {
    // Arrange
    const { requests, client } = await startSnsEndpoint();
    const notifier = new SnsNotifier({ client, topicArn });

    // Act
    await notifier.publish({ TopicArn: topicArn, Subject: 's'.repeat(150), Message: 'm' });

    // Assert
    expect(requests[0]?.get('Subject')).toBe('s'.repeat(99));
  });

  it('names the topic when SNS refuses the message', async () => {
    // Arrange
    const { client } = await startSnsEndpoint(404);
    const notifier = new SnsNotifier({ client, topicArn });

    // Act
    const publish = notifier.publish({ TopicArn: topicArn, Message: 'm' });

    // Assert
    await expect(publish).rejects.toThrow(
      `could not publish to ${topicArn}: NotFoundException: Topic does not exist`,
    );
  });
});
