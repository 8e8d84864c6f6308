import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '@lakepipe/lake';
import { S3ObjectStore } from '@lakepipe/lake/s3';
import { createLedgerClient, LedgerTableWriter, type LedgerWriter } from '@lakepipe/ledger/writer';
import { SourcingEventError } from './errors';
import { parseSourcingEvent } from './event';
import { type IngestResult, ingestSources } from './ingest';

const logger = new Logger({ serviceName: 'sourcing' });

/** What the handler needs; the Lambda builds them from its environment, tests pass local ones. */
export interface SourcingDependencies {
  readonly store: ObjectStore;
  readonly ledger: LedgerWriter;
  /** another bucket's store, for `s3` sources with `bucket:` */
  readonly bucketStore: (bucket: string) => ObjectStore;
}

/** The Lambda result: the stage output plus the per-file details (the workflow keeps only the counts). */
export type SourcingResult = IngestResult;

/** A handler over the given dependencies: parse the event, ingest, return the counts. */
export function createSourcingHandler(dependencies: () => SourcingDependencies) {
  return async (event: unknown): Promise<SourcingResult> => {
    const request = parseSourcingEvent(event);
    logger.appendKeys({ runId: request.runId, stageId: request.stageId });
    const { store, ledger, bucketStore } = dependencies();
    const result = await ingestSources({
      runId: request.runId,
      stageId: request.stageId,
      sources: request.datasets,
      store,
      ledger,
      bucketStore,
      allowDirectories: false,
      onFile: (file) =>
        file.status === 'skipped'
          ? logger.warn('file skipped', { ...file })
          : logger.info(`file ${file.status}`, {
              dataset: file.dataset,
              source: file.source,
              rawKey: file.rawKey,
            }),
    });
    logger.info('sourcing finished', {
      files: result.files,
      bytes: result.bytes,
      duplicates: result.duplicates,
      skipped: result.skipped,
    });
    return result;
  };
}

/** Environment the stack sets: LAKE_BUCKET, LEDGER_TABLE, and KMS_KEY_ARN for SSE-KMS writes. */
export function dependenciesFromEnvironment(env: NodeJS.ProcessEnv = process.env): SourcingDependencies {
  const missing = ['LAKE_BUCKET', 'LEDGER_TABLE'].filter((name) => !env[name]);
  if (missing.length > 0)
    throw new SourcingEventError(
      missing.map((name) => `environment variable ${name} is not set (the stack sets it)`),
    );
  const client = new S3Client({});
  const kmsKeyId = env.KMS_KEY_ARN || undefined;
  return {
    store: new S3ObjectStore({ client, bucket: env.LAKE_BUCKET!, kmsKeyId }),
    ledger: new LedgerTableWriter({ client: createLedgerClient(), tableName: env.LEDGER_TABLE! }),
    bucketStore: (bucket) => new S3ObjectStore({ client, bucket, kmsKeyId }),
  };
}

let cached: SourcingDependencies | undefined;

/** The Lambda entry point (module-level clients, reused across warm invocations). */
export const handler = createSourcingHandler(() => {
  cached ??= dependenciesFromEnvironment();
  return cached;
});
