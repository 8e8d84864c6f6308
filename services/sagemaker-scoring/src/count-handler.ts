import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import { z } from 'zod';
import { countScoredRun } from './count-scored';
import { ScoringCountEventError } from './errors';

const logger = new Logger({ serviceName: 'sagemaker-scoring' });

/** The Payload the state machine sends after the transform job (the stage type's `count` step). */
export const countEventSchema = z.strictObject({
  runId: z.string().min(1),
  stageId: z.string().min(1),
  dataset: z.string().min(1),
  threshold: z.number().min(0).max(1),
  /** a multi-class model's flagged column in the scored line (1 + class) */
  flagColumn: z.number().int().min(1).optional(),
});

/** A count handler over the given lake; the Lambda builds the store from its environment, tests pass one. */
export function createCountHandler(lake: () => ObjectStore) {
  return async (event: unknown): Promise<Record<string, number>> => {
    const parsed = countEventSchema.safeParse(event);
    if (!parsed.success)
      throw new ScoringCountEventError(
        parsed.error.issues.map((i) => `${i.path.join('.') || 'event'} ${i.message}`),
      );
    logger.appendKeys({ runId: parsed.data.runId, stageId: parsed.data.stageId });
    const manifest = await countScoredRun(lake(), parsed.data, { engine: 'sagemaker' });
    logger.info('scored rows counted', { counts: manifest.counts });
    return manifest.counts;
  };
}

/** The lake from the environment the stack sets: LAKE_BUCKET, and KMS_KEY_ARN for the manifest's SSE-KMS. */
export function lakeFromEnvironment(env: NodeJS.ProcessEnv = process.env): ObjectStore {
  if (!env.LAKE_BUCKET)
    throw new ScoringCountEventError(['environment variable LAKE_BUCKET is not set (the stack sets it)']);
  return new S3ObjectStore({
    client: new S3Client({}),
    bucket: env.LAKE_BUCKET,
    kmsKeyId: env.KMS_KEY_ARN || undefined,
  });
}

let cached: ObjectStore | undefined;

/** The Lambda entry point: counts scored and flagged rows of the run and writes the manifest. */
export const handler = createCountHandler(() => {
  cached ??= lakeFromEnvironment();
  return cached;
});
