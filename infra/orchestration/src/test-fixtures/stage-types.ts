import type { StageType } from '@lakepipe/workflow';
import { z } from 'zod';

/** Stand-ins with the `type:` names of pipeline.yaml's services: one Lambda call each, loose attributes. */
export const standInStageTypes: readonly StageType[] = ['sourcing', 'spark-etl', 'sagemaker-scoring', 'view'].map(
  (type): StageType => ({
    type,
    description: `stand-in for ${type}`,
    attributes: z.looseObject({}),
    compile: ({ stageId, target }) => [
      {
        key: 'invoke',
        state: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName(stageId)}`,
            Payload: { 'runId.$': '$.runId' },
          },
          ResultSelector: { 'output.$': '$.Payload' },
        },
      },
    ],
    permissions: ({ stageId, target }) => [
      {
        actions: ['lambda:InvokeFunction'],
        resources: [`arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName(stageId)}`],
      },
    ],
    local: {},
  }),
);
