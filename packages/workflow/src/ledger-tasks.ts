import { ledgerKeys } from '@lakepipe/ledger';
import { formatCall } from './intrinsics';

/**
 * The DynamoDB tasks the state machine runs on the ledger table, built from `ledgerKeys` so the
 * compiled ASL and the Ledger class agree on the key layout. Attribute names follow the item
 * types of @lakepipe/ledger (RunItem, StageAttemptItem).
 */
export type LedgerAction =
  | 'start-run'
  | 'start-attempt'
  | 'record-attempt'
  | 'attempt-succeeded'
  | 'attempt-failed'
  | 'run-succeeded'
  | 'run-failed'
  | 'restart-run'
  | 'stage-status';

/** The DynamoDB API a ledger task calls (the local twin runs the same call on DynamoDB Local). */
export type LedgerApiCall = 'getItem' | 'putItem' | 'updateItem' | 'transactWriteItems';

export const LEDGER_RESOURCES: Record<LedgerApiCall, string> = {
  getItem: 'arn:aws:states:::dynamodb:getItem',
  putItem: 'arn:aws:states:::dynamodb:putItem',
  updateItem: 'arn:aws:states:::dynamodb:updateItem',
  transactWriteItems: 'arn:aws:states:::aws-sdk:dynamodb:transactWriteItems',
};

const RUN_ID = '\u0000runId\u0000';
const ATTEMPT = '\u0000attempt\u0000';
const HOLES: Record<string, string> = { [RUN_ID]: '$.runId', [ATTEMPT]: '$.attempt.number' };

/** Turns a key built with placeholders into a DynamoDB `{ S }` or `{ "S.$" }` attribute. */
function keyAttribute(value: string): Record<string, string> {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL-delimited placeholders cannot clash with key text
  const parts = value.split(/(\u0000\w+\u0000)/).filter((p) => p !== '');
  if (parts.every((p) => !(p in HOLES))) return { S: value };
  if (parts.length === 1) return { 'S.$': HOLES[parts[0]!]! };
  return { 'S.$': formatCall(parts.map((p) => (p in HOLES ? { path: HOLES[p]! } : p))) };
}
function keyOf(key: Record<string, string>): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, keyAttribute(value)]));
}

const runKey = () => keyOf(ledgerKeys.run(RUN_ID));
const summaryKey = (stageId: string) => keyOf(ledgerKeys.stageSummary(RUN_ID, stageId));
// the attempt number is a string in the state ($.attempt.number is DynamoDB's N)
const attemptKey = (stageId: string) =>
  keyOf(ledgerKeys.stageAttempt(RUN_ID, stageId, ATTEMPT as unknown as number));
const NOW = { 'S.$': '$$.State.EnteredTime' };

/** `SET #a = :a, ...` with names and values for every entry. */
function setExpression(values: Record<string, unknown>, extra: { add?: Record<string, unknown> } = {}) {
  const names: Record<string, string> = {};
  const attributeValues: Record<string, unknown> = {};
  const set: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    names[`#${name}`] = name;
    attributeValues[`:${name}`] = value;
    set.push(`#${name} = :${name}`);
  }
  const add: string[] = [];
  for (const [name, value] of Object.entries(extra.add ?? {})) {
    names[`#${name}`] = name;
    attributeValues[`:${name}`] = value;
    add.push(`#${name} :${name}`);
  }
  return {
    UpdateExpression: [add.length ? `ADD ${add.join(', ')}` : '', set.length ? `SET ${set.join(', ')}` : '']
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: attributeValues,
  };
}

/** A SET of `values` on an item that exists and is still RUNNING (a finished run or attempt is never rewritten). */
function whileRunning(values: Record<string, unknown>): ReturnType<typeof setExpression> & {
  ConditionExpression: string;
} {
  const update = setExpression(values);
  return {
    ...update,
    ConditionExpression: 'attribute_exists(PK) AND #status = :running',
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':running': { S: 'RUNNING' } },
  };
}

export interface LedgerTask {
  readonly api: LedgerApiCall;
  readonly parameters: Record<string, unknown>;
  readonly resultSelector?: Record<string, unknown>;
}

export function startRunTask(table: string, pipeline: string): LedgerTask {
  return {
    api: 'putItem',
    parameters: {
      TableName: table,
      Item: {
        ...runKey(),
        ...keyOf(ledgerKeys.runIndex(RUN_ID)),
        runId: { 'S.$': '$.runId' },
        pipeline: { S: pipeline },
        status: { S: 'RUNNING' },
        startedAt: { 'S.$': '$$.Execution.StartTime' },
        trigger: { 'S.$': '$.trigger' },
        counters: { M: {} },
      },
      // a reused run id must never reset a run (the TypeScript ledger's startRun has the same guard)
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/**
 * A redrive of a FAILED or ABORTED run: the same run item RUNNING again (its counters and stage
 * attempts stay; new attempts are numbered on). A SUCCEEDED or still RUNNING run is refused.
 */
export function restartRunTask(table: string): LedgerTask {
  return {
    api: 'updateItem',
    parameters: {
      TableName: table,
      Key: runKey(),
      UpdateExpression:
        'SET #status = :running, #redrivenAt = :now ADD #redrives :one REMOVE #error, #finishedAt',
      ConditionExpression: 'attribute_exists(PK) AND #status IN (:failed, :aborted)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#redrivenAt': 'redrivenAt',
        '#redrives': 'redrives',
        '#error': 'error',
        '#finishedAt': 'finishedAt',
      },
      ExpressionAttributeValues: {
        ':running': { S: 'RUNNING' },
        ':now': NOW,
        ':one': { N: '1' },
        ':failed': { S: 'FAILED' },
        ':aborted': { S: 'ABORTED' },
      },
    },
  };
}

/** Reads a stage's summary status in this run (`$.done.Item.status.S`; no Item when it never started). */
export function stageStatusTask(table: string, stageId: string): LedgerTask {
  return {
    api: 'getItem',
    parameters: {
      TableName: table,
      Key: summaryKey(stageId),
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    },
  };
}

export function startAttemptTask(table: string, stageId: string): LedgerTask {
  return {
    api: 'updateItem',
    parameters: {
      TableName: table,
      Key: summaryKey(stageId),
      ...setExpression(
        { runId: { 'S.$': '$.runId' }, stageId: { S: stageId }, status: { S: 'RUNNING' }, updatedAt: NOW },
        { add: { attempts: { N: '1' } } },
      ),
      ReturnValues: 'UPDATED_NEW',
    },
    resultSelector: { 'number.$': '$.Attributes.attempts.N' },
  };
}

export function recordAttemptTask(table: string, stageId: string): LedgerTask {
  return {
    api: 'putItem',
    parameters: {
      TableName: table,
      Item: {
        ...attemptKey(stageId),
        runId: { 'S.$': '$.runId' },
        stageId: { S: stageId },
        attempt: { 'N.$': '$.attempt.number' },
        status: { S: 'RUNNING' },
        startedAt: NOW,
        inputPrefixes: { L: [] },
        outputPrefixes: { L: [] },
        counts: { M: {} },
      },
    },
  };
}

/**
 * Marks the attempt SUCCEEDED with its output: `outputPath` is the stage's manifest
 * (`$.<stageId>.manifest`, whose `counts` hold the named counts) or, for a stage that writes
 * none, its last step's result (`$.<stageId>`, counts at the top).
 */
export function attemptSucceededTask(
  table: string,
  stageId: string,
  counts: readonly string[],
  outputPath = `$.${stageId}`,
): LedgerTask {
  const countsPath = outputPath === `$.${stageId}` ? outputPath : `${outputPath}.counts`;
  const countValues = Object.fromEntries(
    counts.map((name) => [name, { 'N.$': `States.Format('{}', ${countsPath}.${name})` }]),
  );
  const items: Record<string, unknown>[] = [
    {
      Update: {
        TableName: table,
        Key: attemptKey(stageId),
        ...whileRunning({
          status: { S: 'SUCCEEDED' },
          finishedAt: NOW,
          counts: { M: countValues },
          output: { 'S.$': `States.JsonToString(${outputPath})` },
        }),
      },
    },
    {
      Update: {
        TableName: table,
        Key: summaryKey(stageId),
        ...setExpression({ status: { S: 'SUCCEEDED' }, updatedAt: NOW }),
      },
    },
  ];
  if (counts.length > 0) {
    const names: Record<string, string> = { '#counters': 'counters' };
    const values: Record<string, unknown> = {};
    const add = counts.map((name, i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = countValues[name];
      return `#counters.#c${i} :c${i}`;
    });
    items.push({
      Update: {
        TableName: table,
        Key: runKey(),
        UpdateExpression: `ADD ${add.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  return { api: 'transactWriteItems', parameters: { TransactItems: items } };
}

export function attemptFailedTask(table: string, stageId: string): LedgerTask {
  const error = { M: { name: { 'S.$': '$.error.Error' }, cause: { 'S.$': '$.error.Cause' } } };
  return {
    api: 'transactWriteItems',
    parameters: {
      TransactItems: [
        {
          Update: {
            TableName: table,
            Key: attemptKey(stageId),
            ...setExpression({ status: { S: 'FAILED' }, finishedAt: NOW, error }),
          },
        },
        {
          Update: {
            TableName: table,
            Key: summaryKey(stageId),
            ...setExpression({ status: { S: 'FAILED' }, updatedAt: NOW }),
          },
        },
      ],
    },
  };
}

export function runSucceededTask(table: string): LedgerTask {
  return {
    api: 'updateItem',
    parameters: {
      TableName: table,
      Key: runKey(),
      ...whileRunning({ status: { S: 'SUCCEEDED' }, finishedAt: NOW }),
    },
  };
}

/** Runs on the failure state `{ pipeline, runId, stage, error, cause }`. */
export function runFailedTask(table: string): LedgerTask {
  return {
    api: 'updateItem',
    parameters: {
      TableName: table,
      Key: runKey(),
      // only a RUNNING run: the failure of a run started with a reused id must not touch the first run
      ...whileRunning({
        status: { S: 'FAILED' },
        finishedAt: NOW,
        error: {
          M: { name: { 'S.$': '$.error' }, cause: { 'S.$': '$.cause' }, stageId: { 'S.$': '$.stage' } },
        },
      }),
    },
  };
}
