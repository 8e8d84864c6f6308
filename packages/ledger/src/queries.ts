import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { assertObjectKey, assertRunId, assertSafeName } from '@lakepipe/lake';
import { InvalidCursorError, InvalidLedgerInputError } from './errors';
import { ledgerKeys } from './keys';
import { type LedgerTableProps, sendToTable, stripKeys } from './table';
import type {
  LedgerQueries,
  ObjectMovementItem,
  Page,
  RunItem,
  RunWithStages,
  StageAttemptItem,
} from './types';

const MAX_LIST_LIMIT = 100;
const MAX_MOVEMENTS_LIMIT = 1000;

/** The query side of the ledger: what `lakepipe status`, the cost report and the HTTP API read. */
export class LedgerTableQueries implements LedgerQueries {
  readonly tableName: string;
  private readonly client: LedgerTableProps['client'];

  constructor(props: LedgerTableProps) {
    this.client = props.client;
    this.tableName = props.tableName;
  }

  async listRuns(input: { limit?: number; cursor?: string } = {}): Promise<Page<RunItem>> {
    const limit = input.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
      throw new InvalidLedgerInputError('limit', limit, `a whole number from 1 to ${MAX_LIST_LIMIT}`);
    const response = await this.send('listRuns', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ledgerKeys.RUNS_INDEX,
          KeyConditionExpression: 'GSI1PK = :runs',
          ExpressionAttributeValues: { ':runs': ledgerKeys.RUNS_PARTITION },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: input.cursor === undefined ? undefined : decodeCursor(input.cursor),
        }),
      ),
    );
    const items = (response.Items ?? []).map(toRunItem);
    return response.LastEvaluatedKey === undefined
      ? { items }
      : { items, nextCursor: encodeCursor(response.LastEvaluatedKey) };
  }

  async getRun(runId: string): Promise<RunWithStages | undefined> {
    assertRunId(runId);
    const items = await this.queryAll('getRun', {
      TableName: this.tableName,
      // RUN and STAGE#... sort after MOVE#...: skip the run's (possibly many) movements.
      KeyConditionExpression: 'PK = :pk AND SK >= :run',
      ExpressionAttributeValues: { ':pk': ledgerKeys.run(runId).PK, ':run': 'RUN' },
      ConsistentRead: true,
    });
    const runItem = items.find((i) => i.SK === 'RUN');
    if (runItem === undefined) return undefined;
    const attempts = items
      .filter((i) => /^STAGE#[^#]+#\d+$/.test(String(i.SK)))
      .map(toAttemptItem)
      .sort(
        (a, b) =>
          firstStart(items, a.stageId).localeCompare(firstStart(items, b.stageId)) ||
          a.stageId.localeCompare(b.stageId) ||
          a.attempt - b.attempt,
      );
    return { ...toRunItem(runItem), stages: attempts };
  }

  async objectHistory(key: string): Promise<readonly ObjectMovementItem[]> {
    assertObjectKey(key);
    const items = await this.queryAll('objectHistory', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :move)',
      ExpressionAttributeValues: { ':pk': `OBJ#${key}`, ':move': ledgerKeys.MOVE_PREFIX },
      ConsistentRead: true,
    });
    return items.map((i) => {
      const { key: _key, type: _type, ...movement } = stripKeys(i);
      return movement as unknown as ObjectMovementItem;
    });
  }

  async runMovements(input: {
    runId: string;
    stageId?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ObjectMovementItem>> {
    assertRunId(input.runId);
    if (input.stageId !== undefined) assertSafeName('stage', input.stageId);
    const limit = input.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MOVEMENTS_LIMIT)
      throw new InvalidLedgerInputError('limit', limit, `a whole number from 1 to ${MAX_MOVEMENTS_LIMIT}`);
    const pk = ledgerKeys.runMovementPartition(input.runId);
    const prefix =
      input.stageId === undefined ? ledgerKeys.MOVE_PREFIX : `${ledgerKeys.MOVE_PREFIX}${input.stageId}#`;
    const response = await this.send('runMovements', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          Limit: limit,
          ExclusiveStartKey:
            input.cursor === undefined ? undefined : decodeMovementCursor(input.cursor, pk, prefix),
        }),
      ),
    );
    // In key order: by stage, then time (then the order each call recorded them in).
    const items = (response.Items ?? []).map((i) => {
      const { type: _type, ...movement } = stripKeys(i);
      return movement as unknown as ObjectMovementItem;
    });
    return response.LastEvaluatedKey === undefined
      ? { items }
      : { items, nextCursor: encodeCursor(response.LastEvaluatedKey) };
  }

  private async queryAll(operation: string, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const response = await this.send(operation, () =>
        this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
      );
      items.push(...(response.Items ?? []));
      start = response.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  private send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return sendToTable(this.tableName, operation, call);
  }
}

function toRunItem(item: Record<string, unknown>): RunItem {
  const { type: _type, ...run } = stripKeys(item);
  return { ...(run as unknown as RunItem), counters: (run.counters as Record<string, number>) ?? {} };
}

function toAttemptItem(item: Record<string, unknown>): StageAttemptItem {
  // Attempts written by the state machine's DynamoDB tasks may lack the optional lists/maps.
  const { type: _type, ...attempt } = stripKeys(item);
  const [, stageId = '', attemptNumber = '0'] = String(item.SK).split('#');
  const typed = attempt as Partial<StageAttemptItem>;
  return {
    ...(attempt as unknown as StageAttemptItem),
    inputPrefixes: typed.inputPrefixes ?? [],
    outputPrefixes: typed.outputPrefixes ?? [],
    counts: typed.counts ?? {},
    stageId: typed.stageId ?? stageId,
    attempt: Number(typed.attempt ?? attemptNumber),
  };
}

function firstStart(items: Record<string, unknown>[], stageId: string): string {
  let first = '';
  for (const i of items)
    if (i.stageId === stageId && typeof i.startedAt === 'string' && i.SK !== `STAGE#${stageId}`)
      if (first === '' || i.startedAt < first) first = i.startedAt;
  return first;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid =
      key !== null &&
      typeof key === 'object' &&
      key.GSI1PK === ledgerKeys.RUNS_PARTITION &&
      typeof key.GSI1SK === 'string' &&
      typeof key.PK === 'string' &&
      key.SK === 'RUN';
    if (valid) return key;
  } catch {
    // fall through to the typed error
  }
  throw new InvalidCursorError(cursor);
}

function decodeMovementCursor(cursor: string, pk: string, prefix: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key !== null && key.PK === pk && typeof key.SK === 'string' && key.SK.startsWith(prefix)) return key;
  } catch {
    // fall through to the typed error
  }
  throw new InvalidCursorError(cursor);
}
