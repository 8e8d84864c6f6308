import { randomBytes } from 'node:crypto';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { assertObjectKey, assertRunId, assertSafeName } from '@lakepipe/lake';
import {
  InvalidCursorError,
  InvalidLedgerInputError,
  LedgerUnavailableError,
  RunAlreadyExistsError,
  RunNotFoundError,
  StageAttemptAlreadyFinishedError,
  StageAttemptNotFoundError,
} from './errors';
import { ledgerKeys } from './keys';
import type {
  ClaimResult,
  LedgerApi,
  LedgerError,
  LedgerQueries,
  ObjectMovementItem,
  Page,
  RunItem,
  RunStatus,
  RunWithStages,
  SourceClaimItem,
  StageAttemptItem,
  StageStatus,
} from './types';

export interface LedgerProps {
  /** A document client; createLedgerClient() configures retries and marshalling as the ledger expects. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Rounds of retrying BatchWrite's UnprocessedItems (exponential backoff with jitter) before
   * LedgerUnavailableError.
   * @default 8
   */
  readonly maxUnprocessedRetries?: number;
  /**
   * BatchWrite requests in flight at once in recordMovements.
   * @default 8 (DEFAULT_WRITE_CONCURRENCY)
   */
  readonly writeConcurrency?: number;
  /**
   * The clock (ISO timestamps of runs, attempts, movements, claims).
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

const BATCH_SIZE = 25;
/** BatchWrite requests recordMovements keeps in flight (see bench/ledger). */
export const DEFAULT_WRITE_CONCURRENCY = 8;
const MAX_LIST_LIMIT = 100;
const MAX_MOVEMENTS_LIMIT = 1000;
/** Errors that mean "DynamoDB could not serve us right now", as opposed to a bad request. */
const UNAVAILABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The ledger over one DynamoDB table (single-table layout in keys.ts). Services record
 * movements and claims; the CLI and the HTTP API read runs and object histories.
 */
export class Ledger implements LedgerApi, LedgerQueries {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(private readonly props: LedgerProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.now = props.now ?? (() => new Date());
  }

  async startRun(input: { runId: string; pipeline: string; trigger?: string }): Promise<RunItem> {
    assertRunId(input.runId);
    const run: RunItem = {
      runId: input.runId,
      pipeline: input.pipeline,
      status: 'RUNNING',
      startedAt: this.now().toISOString(),
      trigger: input.trigger,
      counters: {},
    };
    try {
      await this.send('startRun', () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...ledgerKeys.run(input.runId),
              ...ledgerKeys.runIndex(input.runId),
              type: 'RUN',
              ...run,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new RunAlreadyExistsError(input.runId, this.tableName);
      throw error;
    }
    return run;
  }

  async finishRun(input: {
    runId: string;
    status: Exclude<RunStatus, 'RUNNING'>;
    error?: LedgerError & { stageId?: string };
  }): Promise<void> {
    assertRunId(input.runId);
    try {
      await this.send('finishRun', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: ledgerKeys.run(input.runId),
            UpdateExpression:
              input.error === undefined
                ? 'SET #status = :status, finishedAt = :at'
                : 'SET #status = :status, finishedAt = :at, #error = :error',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#status': 'status', ...(input.error ? { '#error': 'error' } : {}) },
            ExpressionAttributeValues: {
              ':status': input.status,
              ':at': this.now().toISOString(),
              ...(input.error ? { ':error': input.error } : {}),
            },
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new RunNotFoundError(input.runId, this.tableName);
      throw error;
    }
  }

  async startStage(input: {
    runId: string;
    stageId: string;
    inputPrefixes?: readonly string[];
    outputPrefixes?: readonly string[];
  }): Promise<StageAttemptItem> {
    assertRunId(input.runId);
    assertSafeName('stage', input.stageId);
    const run = await this.send('startStage', () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: ledgerKeys.run(input.runId), ConsistentRead: true }),
      ),
    );
    if (run.Item === undefined) throw new RunNotFoundError(input.runId, this.tableName);
    // The summary's counter hands out attempt numbers atomically, as the state machine's ADD does.
    const summary = await this.send('startStage', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys.stageSummary(input.runId, input.stageId),
          UpdateExpression:
            'ADD attempts :one SET #type = :type, runId = :runId, stageId = :stageId, #status = :running, lastAttempt = if_not_exists(lastAttempt, :zero)',
          ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':zero': 0,
            ':type': 'STAGE',
            ':runId': input.runId,
            ':stageId': input.stageId,
            ':running': 'RUNNING',
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const attempt = Number(summary.Attributes?.attempts);
    const item: StageAttemptItem = {
      runId: input.runId,
      stageId: input.stageId,
      attempt,
      status: 'RUNNING',
      startedAt: this.now().toISOString(),
      inputPrefixes: [...(input.inputPrefixes ?? [])],
      outputPrefixes: [...(input.outputPrefixes ?? [])],
      counts: {},
    };
    await this.send('startStage', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ledgerKeys.stageAttempt(input.runId, input.stageId, attempt), type: 'ATTEMPT', ...item },
        }),
      ),
    );
    return item;
  }

  async finishStage(input: {
    runId: string;
    stageId: string;
    attempt: number;
    status: Exclude<StageStatus, 'RUNNING'>;
    counts?: Readonly<Record<string, number>>;
    error?: LedgerError;
  }): Promise<void> {
    assertRunId(input.runId);
    assertSafeName('stage', input.stageId);
    if (!Number.isInteger(input.attempt) || input.attempt < 1)
      throw new InvalidLedgerInputError('attempt', input.attempt, 'a whole number from 1');
    const counts = input.counts ?? {};
    for (const [name, value] of Object.entries(counts))
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new InvalidLedgerInputError(`counts.${name}`, value, 'a finite number');
    const at = this.now().toISOString();
    const countNames = input.status === 'SUCCEEDED' ? Object.keys(counts) : [];
    const transactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> =
      [
        {
          Update: {
            TableName: this.tableName,
            Key: ledgerKeys.stageAttempt(input.runId, input.stageId, input.attempt),
            UpdateExpression: `SET #status = :status, finishedAt = :at, counts = :counts${input.error ? ', #error = :error' : ''}`,
            ConditionExpression: 'attribute_exists(PK) AND #status = :running',
            ExpressionAttributeNames: { '#status': 'status', ...(input.error ? { '#error': 'error' } : {}) },
            ExpressionAttributeValues: {
              ':status': input.status,
              ':at': at,
              ':counts': counts,
              ':running': 'RUNNING',
              ...(input.error ? { ':error': input.error } : {}),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: ledgerKeys.stageSummary(input.runId, input.stageId),
            UpdateExpression: 'SET #status = :status, lastAttempt = :attempt',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': input.status, ':attempt': input.attempt },
          },
        },
      ];
    if (countNames.length > 0) {
      transactItems.push({
        Update: {
          TableName: this.tableName,
          Key: ledgerKeys.run(input.runId),
          UpdateExpression: `ADD ${countNames.map((_, i) => `counters.#c${i} :c${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: Object.fromEntries(countNames.map((name, i) => [`#c${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            countNames.map((name, i) => [`:c${i}`, counts[name]]),
          ),
        },
      });
    }
    try {
      await this.send('finishStage', () =>
        this.client.send(new TransactWriteCommand({ TransactItems: transactItems })),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw error;
      const attemptReason = reasons[0];
      if (attemptReason?.Code === 'ConditionalCheckFailed') {
        const old = attemptReason.Item as { status?: { S?: string } } | undefined;
        if (old?.status?.S !== undefined)
          throw new StageAttemptAlreadyFinishedError(input.runId, input.stageId, input.attempt, old.status.S);
        throw new StageAttemptNotFoundError(input.runId, input.stageId, input.attempt);
      }
      if (reasons[2]?.Code === 'ConditionalCheckFailed')
        throw new RunNotFoundError(input.runId, this.tableName);
      throw error;
    }
  }

  async recordMovements(movements: readonly Omit<ObjectMovementItem, 'at'>[]): Promise<void> {
    const at = this.now().toISOString();
    const items: Record<string, unknown>[] = [];
    const seen = new Map<string, number>();
    const add = (key: string, movement: Omit<ObjectMovementItem, 'at'>) => {
      const base = ledgerKeys.objectMovement(key, at, movement.runId, movement.stageId);
      const id = `${base.PK}\u0000${base.SK}`;
      const seq = (seen.get(id) ?? 0) + 1;
      seen.set(id, seq);
      items.push({
        ...ledgerKeys.objectMovement(key, at, movement.runId, movement.stageId, seq),
        type: 'MOVE',
        key,
        ...movement,
        at,
      });
    };
    const batch = randomBytes(4).toString('hex');
    for (const [i, movement] of movements.entries()) {
      validateMovement(movement, i);
      items.push({
        ...ledgerKeys.runMovement(movement.runId, movement.stageId, at, batch, i),
        type: 'RUNMOVE',
        ...movement,
        at,
      });
      add(movement.to, movement);
      if (movement.from !== undefined && isLakeKey(movement.from) && movement.from !== movement.to)
        add(movement.from, movement);
    }
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch !== undefined) await this.writeBatch(batch);
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(this.props.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY, batches.length) },
        worker,
      ),
    );
  }

  async claimSource(claim: Omit<SourceClaimItem, 'claimedAt'>): Promise<ClaimResult> {
    assertSafeName('dataset', claim.dataset);
    assertRunId(claim.runId);
    if (!/^[0-9a-f]{64}$/.test(claim.sha256))
      throw new InvalidLedgerInputError('sha256', claim.sha256, 'a hex sha256 (64 characters 0-9a-f)');
    const item: SourceClaimItem = { ...claim, claimedAt: this.now().toISOString() };
    const key = ledgerKeys.sourceClaim(claim.dataset, claim.sha256);
    try {
      await this.send('claimSource', () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, type: 'CLAIM', ...item },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.send('claimSource', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return { claimed: false, existing: stripKeys(existing.Item) as unknown as SourceClaimItem };
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
      .filter((i) => i.type === 'ATTEMPT' || /^STAGE#[^#]+#\d+$/.test(String(i.SK)))
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

  private async writeBatch(batch: Record<string, unknown>[]): Promise<void> {
    let pending: NonNullable<BatchWriteCommandInput['RequestItems']> = {
      [this.tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
    };
    const maxRounds = this.props.maxUnprocessedRetries ?? 8;
    for (let round = 0; ; round++) {
      const requestItems: NonNullable<BatchWriteCommandInput['RequestItems']> = pending;
      const response: BatchWriteCommandOutput = await this.send('recordMovements', () =>
        this.client.send(new BatchWriteCommand({ RequestItems: requestItems })),
      );
      const unprocessed = response.UnprocessedItems?.[this.tableName] ?? [];
      if (unprocessed.length === 0) return;
      if (round >= maxRounds)
        throw new LedgerUnavailableError(
          this.tableName,
          'recordMovements',
          round + 1,
          new Error(`${unprocessed.length} items still unprocessed (the table is throttling writes)`),
        );
      pending = { [this.tableName]: unprocessed };
      await sleep(Math.random() * Math.min(5000, 50 * 2 ** round));
    }
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

  /** Runs one SDK call; a throttle or outage that outlived the SDK's retries becomes LedgerUnavailableError. */
  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isUnavailable(error)) {
        const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        throw new LedgerUnavailableError(this.tableName, operation, attempts, error);
      }
      throw error;
    }
  }
}

function validateMovement(movement: Omit<ObjectMovementItem, 'at'>, index: number): void {
  assertRunId(movement.runId);
  assertSafeName('stage', movement.stageId);
  assertObjectKey(movement.to);
  if (!Number.isInteger(movement.bytes) || movement.bytes < 0)
    throw new InvalidLedgerInputError(
      `movements[${index}].bytes`,
      movement.bytes,
      'a whole number of bytes >= 0',
    );
  if (!/^[0-9a-f]{64}$/.test(movement.sha256))
    throw new InvalidLedgerInputError(
      `movements[${index}].sha256`,
      movement.sha256,
      'a hex sha256 (64 characters 0-9a-f)',
    );
}

/** A source URL (https://..., s3://other-bucket/...) is not a key of this lake. */
function isLakeKey(value: string): boolean {
  if (value.includes('://')) return false;
  try {
    assertObjectKey(value);
    return true;
  } catch {
    return false;
  }
}

function stripKeys(item: Record<string, unknown> | undefined): Record<string, unknown> {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, ...rest } = item ?? {};
  return rest;
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

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function cancellationReasons(
  error: unknown,
): readonly { Code?: string; Item?: Record<string, unknown> }[] | undefined {
  const e = error as {
    name?: string;
    CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[];
  };
  return e?.name === 'TransactionCanceledException' ? (e.CancellationReasons ?? []) : undefined;
}

function isUnavailable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name !== undefined && UNAVAILABLE_ERRORS.has(e.name)) return true;
  if (e?.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
