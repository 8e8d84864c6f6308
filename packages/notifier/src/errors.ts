/** The base of every error of the notifier package. */
export class NotifierError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotifierError';
  }
}

/** A publish input that is not what an `arn:aws:states:::sns:publish` task passes. */
export class InvalidNotificationError extends NotifierError {
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
export class NotificationPublishError extends NotifierError {
  constructor(
    readonly topicArn: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`could not publish to ${topicArn}: ${detail}`, { cause });
    this.name = 'NotificationPublishError';
  }
}
