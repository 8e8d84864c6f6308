/** A publish input that is not what an `arn:aws:states:::sns:publish` task passes. */
export class InvalidNotificationError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`notification ${field} must be ${expected} (got ${JSON.stringify(value)})`);
    this.name = 'InvalidNotificationError';
  }
}

/** SNS refused or could not take the message. */
export class NotificationPublishError extends Error {
  constructor(
    readonly topicArn: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`could not publish to ${topicArn}: ${detail}`, { cause });
    this.name = 'NotificationPublishError';
  }
}
