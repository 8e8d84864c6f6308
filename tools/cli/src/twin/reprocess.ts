import path from 'node:path';
import { FolderObjectStore, lakePrefixes } from '@lakepipe/lake';
import { releaseRunClaims } from '@lakepipe/ledger';
import type { PipelineModel } from '@lakepipe/workflow';
import { RedriveRefusedError } from '../errors';
import { compileForLocalRun } from './compile';
import { acquireRunLock } from './lake-lock';
import { openLocalLedger } from './local-ledger';
import { abortOrphanedRuns } from './orphans';

export interface ReleasedRun {
  /** source claims released: their files are new again for the next run */
  readonly claims: number;
  /** raw/ (and quarantine/) objects of the run removed, so the next run lands each file once */
  readonly objects: number;
}

/**
 * Lets go of what a FAILED or ABORTED run took and never published (`lakepipe reprocess --run`):
 * its source claims are deleted and its raw/ and quarantine/ copies removed, so the next run takes
 * those files as new. The run itself stays in the ledger as it ended. A SUCCEEDED or running run is
 * refused: its files are published, or still being worked on.
 */
export async function releaseRun(options: {
  readonly lakeRoot: string;
  readonly pipeline: PipelineModel;
  readonly runId: string;
  readonly env: string;
  readonly onWait?: (message: string) => void;
}): Promise<ReleasedRun> {
  const lakeRoot = path.resolve(options.lakeRoot);
  const { target } = compileForLocalRun(options.pipeline, options.env);
  const release = await acquireRunLock(lakeRoot, options.runId, options.onWait ?? (() => undefined));
  try {
    const local = await openLocalLedger(lakeRoot, target.ledgerTable, { onWait: options.onWait });
    try {
      await abortOrphanedRuns(local, lakeRoot);
      const run = await local.ledger.getRun(options.runId);
      if (!run) throw new RedriveRefusedError(options.runId, `the ledger of ${lakeRoot} has no such run`);
      if (run.status === 'SUCCEEDED' || run.status === 'RUNNING')
        throw new RedriveRefusedError(
          options.runId,
          `it is ${run.status}: only a FAILED or ABORTED run's files can be released`,
        );
      const claims = await releaseRunClaims(
        { client: local.documents, tableName: local.tableName },
        options.runId,
      );
      const store = new FolderObjectStore(lakeRoot);
      let objects = 0;
      for (const dataset of Object.keys(options.pipeline.datasets)) {
        for (const prefix of [lakePrefixes.raw(dataset), lakePrefixes.quarantine(dataset, options.runId)]) {
          const doomed: string[] = [];
          for await (const object of store.listAll(prefix))
            if (object.key.includes(`/run=${options.runId}/`)) doomed.push(object.key);
          for (const key of doomed) await store.delete(key);
          objects += doomed.length;
        }
      }
      return { claims: claims.length, objects };
    } finally {
      await local.close();
    }
  } finally {
    release();
  }
}
