import { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { publishViews } from './athena/publish-views';
import { parseViewPublishEvent } from './lambda-event';

const logger = new Logger({ serviceName: 'view' });
const athena = new AthenaClient({});

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * The view Lambda: registers the run's scored partitions and (re)creates the views the
 * state machine names, in the environment's workgroup. Returns `{ views }`.
 */
export async function handler(event: unknown): Promise<{ views: readonly string[] }> {
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
  return { views: result.views };
}
