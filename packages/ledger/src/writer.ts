import { randomBytes } from 'node:crypto';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { assertObjectKey, assertRunId, assertSafeName } from '@lakepipe/lake';
import { InvalidLedgerInputError, LedgerUnavailableError } from './errors';
import { ledgerKeys } from './keys';
import { isConditionFailed, type LedgerTableProps, sendToTable, stripKeys } from './table';
import type { ClaimResult, LedgerWriter, ObjectMovementItem, SourceClaimItem } from './types';

export interface LedgerTableWriterProps extends LedgerTableProps {
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
   * The clock (ISO timestamps of movements and claims).
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

const BATCH_SIZE = 25;
/** BatchWrite requests recordMovements keeps in flight (see bench/ledger). */
export const DEFAULT_WRITE_CONCURRENCY = 8;

/**
 * The service-facing side of the ledger: the objects a stage moved and the source files it
 * claims, all a service's IAM allows. Run and stage items are the state machine's (run-items.ts).
 */
export class LedgerTableWriter implements LedgerWriter {
  readonly tableName: string;
  private readonly client: LedgerTableProps['client'];
  private readonly now: () => Date;

  constructor(private readonly props: LedgerTableWriterProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.now = props.now ?? (() => new Date());
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

  private send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return sendToTable(this.tableName, operation, call);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
