import { InvalidNotificationError } from './errors';

/** The Parameters of an `arn:aws:states:::sns:publish` task (the shape SNS Publish takes). */
export interface PublishInput {
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Readonly<
    Record<string, { readonly DataType: string; readonly StringValue: string }>
  >;
}

/** Checks a state's resolved Parameters before treating them as a publish. */
export function assertPublishInput(input: unknown): PublishInput {
  const i = (input ?? {}) as Record<string, unknown>;
  if (typeof i.TopicArn !== 'string' || i.TopicArn === '')
    throw new InvalidNotificationError('TopicArn', i.TopicArn, 'a topic ARN');
  if (typeof i.Message !== 'string') throw new InvalidNotificationError('Message', i.Message, 'a string');
  if (i.Subject !== undefined && typeof i.Subject !== 'string')
    throw new InvalidNotificationError('Subject', i.Subject, 'a string');
  return i as unknown as PublishInput;
}
