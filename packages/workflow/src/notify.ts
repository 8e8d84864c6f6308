import { z } from 'zod';
import { LocalEngineError } from './errors';
import { formatCall } from './intrinsics';
import type { NotifyMessage, StageType } from './stage-type';

export interface NotifyAttributes {
  /** the text sent to the pipeline's topic; the run id is appended */
  readonly message: string;
  /** @default "lakepipe <pipeline>: <stage id>" */
  readonly subject?: string;
}

const notifyAttributes = z.strictObject({
  message: z.string('must be a string: the text to publish').min(1, 'must not be empty'),
  subject: z
    .string()
    .min(1)
    .max(99, 'must be at most 99 characters (SNS requires fewer than 100)')
    .optional(),
});

/** The built-in `notify` stage: publishes a message to the pipeline's topic (the error topic). */
export const notifyStageType: StageType<NotifyAttributes> = {
  type: 'notify',
  description: "publishes a message (with the run id) to the pipeline's error topic",
  attributes: notifyAttributes,
  compile: ({ stageId, attributes, pipelineName, target }) => [
    {
      key: 'publish',
      state: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sns:publish',
        Comment: `notify: ${attributes.message}`,
        Parameters: {
          TopicArn: target.errorTopicArn,
          Subject: (attributes.subject ?? `lakepipe ${pipelineName}: ${stageId}`).slice(0, 99),
          'Message.$': formatCall([
            `${attributes.message} (pipeline ${pipelineName}, run `,
            { path: '$.runId' },
            ')',
          ]),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'notice' },
            pipeline: { DataType: 'String', StringValue: pipelineName },
            stage: { DataType: 'String', StringValue: stageId },
            runId: { DataType: 'String', 'StringValue.$': '$.runId' },
          },
        },
        ResultSelector: { 'messageId.$': '$.MessageId' },
      },
    },
  ],
  permissions: ({ target }) => [{ actions: ['sns:Publish'], resources: [target.errorTopicArn] }],
  // publishes a message and writes nothing to the lake: its output is the message id
  writesManifest: false,
  local: {
    publish: async ({ parameters }, context) => {
      if (!context.notifier)
        throw new LocalEngineError(
          context.stageId,
          '(notify) needs a notifier: pass LocalStageContext.notifier when running it locally',
        );
      return context.notifier.publish(parameters as NotifyMessage);
    },
  },
};
