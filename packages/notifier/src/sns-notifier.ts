import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { NotificationPublishError } from './errors';
import { type ErrorNotification, formatNotification, SNS_SUBJECT_LIMIT } from './notification';
import type { PublishInput } from './publish-input';

export interface SnsNotifierProps {
  readonly client: SNSClient;
  /** the environment's error topic (shared-infra publishes its ARN in SSM) */
  readonly topicArn: string;
}

/** Publishes failures to the error topic; subscribers (email, chat, paging) take it from there. */
export class SnsNotifier {
  constructor(private readonly props: SnsNotifierProps) {}

  /** One structured failure: text body for humans, message attributes for filter policies. */
  async notify(notification: ErrorNotification): Promise<{ readonly MessageId: string }> {
    const { subject, body } = formatNotification(notification);
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      kind: { DataType: 'String', StringValue: 'failure' },
      runId: { DataType: 'String', StringValue: notification.runId },
      stage: { DataType: 'String', StringValue: notification.stage },
      errorName: { DataType: 'String', StringValue: notification.errorName },
    };
    if (notification.pipeline)
      attributes.pipeline = { DataType: 'String', StringValue: notification.pipeline };
    return this.publish({
      TopicArn: this.props.topicArn,
      Subject: subject,
      Message: body,
      MessageAttributes: attributes,
    });
  }

  /** A raw publish (the shape an `sns:publish` task passes); the subject is cut to 99 characters (SNS requires fewer than 100). */
  async publish(input: PublishInput): Promise<{ readonly MessageId: string }> {
    try {
      const response = await this.props.client.send(
        new PublishCommand({
          TopicArn: input.TopicArn,
          Subject: input.Subject === undefined ? undefined : input.Subject.slice(0, SNS_SUBJECT_LIMIT),
          Message: input.Message,
          MessageAttributes: input.MessageAttributes as PublishCommand['input']['MessageAttributes'],
        }),
      );
      return { MessageId: response.MessageId ?? '' };
    } catch (error) {
      throw new NotificationPublishError(input.TopicArn, error);
    }
  }
}
