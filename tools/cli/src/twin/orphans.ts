import { markRunAborted } from '@lakepipe/ledger';
import { runHoldingLake } from './lake-lock';
import type { LocalLedger } from './local-ledger';

/**
 * Marks every run the lake's ledger still calls RUNNING while no live lakepipe command runs it (its
 * process was killed, the machine rebooted, Ctrl-C) as ABORTED, with its RUNNING stage attempts, so
 * `status` tells the truth and `lakepipe redrive` can resume it. Returns the run ids it marked.
 */
export async function abortOrphanedRuns(local: LocalLedger, lakeRoot: string): Promise<string[]> {
  const live = runHoldingLake(lakeRoot)?.runId;
  const aborted: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await local.ledger.listRuns({ limit: 100, cursor });
    for (const run of page.items) {
      if (run.status !== 'RUNNING' || run.runId === live) continue;
      const result = await markRunAborted(
        { client: local.documents, tableName: local.tableName },
        run.runId,
        `its process is gone: no lakepipe command is running it on ${lakeRoot} (lakepipe redrive ${run.runId} resumes it)`,
      );
      if (result.aborted) aborted.push(run.runId);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return aborted;
}
