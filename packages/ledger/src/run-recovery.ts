import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { assertRunId } from '@lakepipe/lake';
import { ledgerKeys } from './keys';
import { itemAbortedRequest } from './run-items';
import { sendRunItemRequest } from './send-run-item';
import type { SourceClaimItem } from './types';

/** The table a recovery operation works on. */
export interface RecoveryTarget {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface AbortedRun {
  /** false when the run was not RUNNING (already finished, or not in the ledger): nothing was changed */
  readonly aborted: boolean;
  /** the stage summaries and attempts that were RUNNING, as `<stageId>` / `<stageId>#<attempt>` */
  readonly items: readonly string[];
}

/**
 * Marks a RUNNING run whose process or execution is gone as ABORTED, with every stage summary and
 * attempt still RUNNING in it, so the ledger stops saying it runs and `lakepipe redrive` may resume
 * it. Each write is conditioned on RUNNING: a run that finishes meanwhile is left as it finished.
 */
export async function markRunAborted(
  target: RecoveryTarget,
  runId: string,
  reason: string,
): Promise<AbortedRun> {
  assertRunId(runId);
  const at = (target.now ?? (() => new Date()))().toISOString();
  const items = await runItems(target, runId);
  const run = items.find((i) => i.SK === 'RUN');
  if (!run || run.status !== 'RUNNING') return { aborted: false, items: [] };
  const error = { name: 'Aborted', cause: reason };
  const changed: string[] = [];
  for (const item of items) {
    if (item.SK === 'RUN' || item.status !== 'RUNNING') continue;
    if (await abortItem(target, runId, item, at, error))
      changed.push(String(item.SK).slice(ledgerKeys.STAGE_PREFIX.length));
  }
  const aborted = await abortItem(target, runId, run, at, error);
  return { aborted, items: changed };
}

/**
 * Deletes the source claims a run holds, so the files it claimed but never published can be taken
 * by a new run (`lakepipe reprocess --run`). Returns the released claims. A Scan: claims are keyed by
 * content, not by run; an operator's command, not a pipeline step.
 */
export async function releaseRunClaims(target: RecoveryTarget, runId: string): Promise<SourceClaimItem[]> {
  assertRunId(runId);
  const released: SourceClaimItem[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await target.client.send(
      new ScanCommand({
        TableName: target.tableName,
        FilterExpression: 'begins_with(PK, :claim) AND runId = :run',
        ExpressionAttributeValues: { ':claim': 'CLAIM#', ':run': runId },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await target.client.send(
          new DeleteCommand({
            TableName: target.tableName,
            Key: { PK: item.PK, SK: item.SK },
            ConditionExpression: 'runId = :run',
            ExpressionAttributeValues: { ':run': runId },
          }),
        );
        const { PK: _pk, SK: _sk, type: _type, ...claim } = item;
        released.push(claim as SourceClaimItem);
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return released;
}

async function runItems(target: RecoveryTarget, runId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await target.client.send(
      new QueryCommand({
        TableName: target.tableName,
        KeyConditionExpression: 'PK = :pk AND SK >= :run',
        ExpressionAttributeValues: { ':pk': ledgerKeys.run(runId).PK, ':run': 'RUN' },
        ConsistentRead: true,
        ExclusiveStartKey: cursor,
      }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

async function abortItem(
  target: RecoveryTarget,
  runId: string,
  item: Record<string, unknown>,
  at: string,
  error: { name: string; cause: string },
): Promise<boolean> {
  try {
    await sendRunItemRequest(
      target.client,
      itemAbortedRequest(target.tableName, { runId, sortKey: String(item.SK), finishedAt: at, error }),
    );
    return true;
  } catch (caught) {
    if ((caught as Error).name === 'ConditionalCheckFailedException') return false;
    throw caught;
  }
}
