import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertRunId, assertSafeName } from '@lakepipe/lake';
import {
  InvalidLedgerInputError,
  RunAlreadyExistsError,
  RunAlreadyFinishedError,
  RunNotFoundError,
  StageAttemptAlreadyFinishedError,
  StageAttemptNotFoundError,
} from '../errors';
import { ledgerKeys } from '../keys';
import {
  attemptFailedRequest,
  attemptNumberedRequest,
  attemptStartedRequest,
  attemptSucceededRequest,
  type RunItemRequest,
  runFailedRequest,
  runStartedRequest,
  runSucceededRequest,
} from '../run-items';
import { sendRunItemRequest } from '../send-run-item';
import type { RecordedError, RunItem, StageAttemptItem } from '../types';

export interface LedgerSeederProps {
  /** A DynamoDB or document client of the table (DynamoDB Local). */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * The clock (the state machine's `$$.Execution.StartTime` and `$$.State.EnteredTime`).
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** How a seeded attempt ends: as the state machine's Attempt succeeded or Attempt failed step writes it. */
export type SeededAttemptEnd =
  | {
      readonly status: 'SUCCEEDED';
      /** @default {} */
      readonly counts?: Readonly<Record<string, number>>;
      /**
       * The stage's output as the state machine stores it (JSON text of its manifest or result).
       * @default `{"counts":{...}}`
       */
      readonly output?: string;
    }
  | { readonly status: 'FAILED'; readonly error: RecordedError };

/** How a seeded run ends: as the state machine's Run succeeded or Mark run failed step writes it. */
export type SeededRunEnd =
  | { readonly status: 'SUCCEEDED' }
  | { readonly status: 'FAILED'; readonly error: RecordedError & { readonly stageId: string } };

/**
 * Seeds runs and stage attempts for tests by sending the very requests the compiled state
 * machine's ledger tasks send (run-items.ts), with known values instead of state paths. A refused
 * condition becomes the typed error a test can assert (RunAlreadyExistsError, ...).
 */
export class LedgerSeeder {
  readonly tableName: string;
  private readonly client: DynamoDBClient | DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(props: LedgerSeederProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.now = props.now ?? (() => new Date());
  }

  /** Start run: a new RUNNING run with empty counters. */
  async startRun(input: { runId: string; pipeline: string; trigger?: string }): Promise<RunItem> {
    assertRunId(input.runId);
    const startedAt = this.now().toISOString();
    try {
      await this.send(runStartedRequest(this.tableName, { ...input, startedAt }));
    } catch (error) {
      if (isConditionFailed(error)) throw new RunAlreadyExistsError(input.runId, this.tableName);
      throw error;
    }
    return { ...input, status: 'RUNNING', startedAt, counters: {} };
  }

  /** Start attempt, then Record attempt: the summary numbers the attempt, the attempt item is put RUNNING. */
  async startStage(input: { runId: string; stageId: string }): Promise<StageAttemptItem> {
    assertRunId(input.runId);
    assertSafeName('stage', input.stageId);
    // a guard of the seeder only (the state machine starts the run first): a typo'd run id fails here
    if ((await this.item(ledgerKeys.run(input.runId))) === undefined)
      throw new RunNotFoundError(input.runId, this.tableName);
    const at = this.now().toISOString();
    const numbered = await this.send(attemptNumberedRequest(this.tableName, { ...input, at }));
    const attempt = Number((numbered.Attributes as { attempts: { N: string } }).attempts.N);
    await this.send(attemptStartedRequest(this.tableName, { ...input, attempt, startedAt: at }));
    return {
      ...input,
      attempt,
      status: 'RUNNING',
      startedAt: at,
      inputPrefixes: [],
      outputPrefixes: [],
      counts: {},
    };
  }

  /** Attempt succeeded (counts added to the run once, only while RUNNING) or Attempt failed. */
  async finishStage(
    input: { runId: string; stageId: string; attempt: number } & SeededAttemptEnd,
  ): Promise<void> {
    assertRunId(input.runId);
    assertSafeName('stage', input.stageId);
    if (!Number.isInteger(input.attempt) || input.attempt < 1)
      throw new InvalidLedgerInputError('attempt', input.attempt, 'a whole number from 1');
    const finishedAt = this.now().toISOString();
    const { runId, stageId, attempt } = input;
    if (input.status === 'FAILED') {
      await this.send(
        attemptFailedRequest(this.tableName, { runId, stageId, attempt, finishedAt, error: input.error }),
      );
      return;
    }
    const counts = input.counts ?? {};
    const request = attemptSucceededRequest(this.tableName, {
      runId,
      stageId,
      attempt,
      finishedAt,
      counts,
      output: input.output ?? JSON.stringify({ counts }),
    });
    try {
      await this.send(request);
    } catch (error) {
      if (cancelledByCondition(error, 0)) {
        const old = await this.item(ledgerKeys.stageAttempt(runId, stageId, attempt));
        if (old === undefined) throw new StageAttemptNotFoundError(runId, stageId, attempt);
        throw new StageAttemptAlreadyFinishedError(runId, stageId, attempt, String(old.status?.S));
      }
      throw error;
    }
  }

  /** Run succeeded or Mark run failed, only while the run is RUNNING. */
  async finishRun(input: { runId: string } & SeededRunEnd): Promise<void> {
    assertRunId(input.runId);
    const finishedAt = this.now().toISOString();
    const request =
      input.status === 'SUCCEEDED'
        ? runSucceededRequest(this.tableName, { runId: input.runId, finishedAt })
        : runFailedRequest(this.tableName, { runId: input.runId, finishedAt, error: input.error });
    try {
      await this.send(request);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const run = await this.item(ledgerKeys.run(input.runId));
      if (run === undefined) throw new RunNotFoundError(input.runId, this.tableName);
      throw new RunAlreadyFinishedError(input.runId, String(run.status?.S));
    }
  }

  private send(request: RunItemRequest): Promise<Record<string, unknown>> {
    return sendRunItemRequest(this.client, request);
  }

  private async item(key: { PK: string; SK: string }): Promise<Record<string, { S?: string }> | undefined> {
    const { Item } = await sendRunItemRequest(this.client, {
      api: 'getItem',
      input: {
        TableName: this.tableName,
        Key: { PK: { S: key.PK }, SK: { S: key.SK } },
        ConsistentRead: true,
      },
    });
    return Item as Record<string, { S?: string }> | undefined;
  }
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** A transaction the condition of its `index`-th item cancelled. */
function cancelledByCondition(error: unknown, index: number): boolean {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  return (
    e?.name === 'TransactionCanceledException' &&
    e.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}
