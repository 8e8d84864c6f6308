import { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import { publishViews } from './athena/publish-views';
import { ViewConfigError } from './errors';
import { parseViewPublishEvent } from './lambda-event';
import { writeViewManifest } from './manifest';

const logger = new Logger({ serviceName: 'view' });
const athena = new AthenaClient({});
const s3 = new S3Client({});

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ViewConfigError([`environment variable ${name} is not set (the view stack sets it)`]);
  return value;
}

/**
 * The view Lambda: registers the run's scored partitions and (re)creates the views the
 * state machine names, in the environment's workgroup, then writes the stage's manifest.
 * Returns `{ views }`.
 */
export async function handler(event: unknown): Promise<{ views: readonly string[] }> {
  const startedAt = new Date();
  const request = parseViewPublishEvent(event);
  logger.info('publishing views', { runId: request.runId, views: request.views.map((v) => v.name) });
  const result = await publishViews({
    athena,
    workgroup: requiredEnv('ATHENA_WORKGROUP'),
    database: requiredEnv('GLUE_DATABASE'),
    lakeBucket: requiredEnv('LAKE_BUCKET'),
    views: request.views,
    scoredPartitions: { runId: request.runId, datasets: request.datasets },
    timeoutMs: Number(process.env.STATEMENT_TIMEOUT_MS ?? 120_000),
  });
  logger.info('views published', { views: result.views });
  const store = new S3ObjectStore({
    client: s3,
    bucket: requiredEnv('LAKE_BUCKET'),
    kmsKeyId: process.env.KMS_KEY_ARN || undefined,
  });
  await writeViewManifest(store, {
    runId: request.runId,
    stageId: request.stageId,
    views: result.views,
    datasets: request.datasets,
    startedAt,
    engine: 'athena',
  });
  return { views: result.views };
}
