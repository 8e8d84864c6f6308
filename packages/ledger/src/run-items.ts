import { InvalidLedgerInputError } from './errors';
import { ledgerKeys } from './keys';

/**
 * The one definition of how run and stage-attempt items are written: keys, attributes, status
 * transitions and conditions, as DynamoDB requests in the service's own JSON (AttributeValues).
 * The state machine's DynamoDB tasks are these requests with values taken from the state
 * (`fromState('$.runId')`, packages/workflow ledger-tasks.ts); test seeding sends the very same
 * requests with values known up front (`@lakepipe/ledger/test-support`). No SDK import: the
 * compiler and synth load this file.
 *
 * Transitions: a run is started once (`attribute_not_exists`), finished only while RUNNING, and a
 * FAILED or ABORTED run may be restarted; a stage's summary numbers attempts with `ADD attempts 1`;
 * an attempt succeeds only while RUNNING (its counts are added to the run's counters once).
 */

/** A value the state machine reads from its state when the task runs: a JSONPath or an intrinsic call. */
export interface StateValue {
  readonly fromState: string;
}

/** A value of a request: known now (seeding) or taken from the state (the compiled ASL). */
export type ItemValue<T extends string | number> = T | StateValue;

/** `fromState('$.runId')`, `fromState('$$.State.EnteredTime')`, `fromState("States.Format('{}', $.n)")`. */
export function fromState(path: string): StateValue {
  return { fromState: path };
}

/** The DynamoDB API a run-item request calls. */
export type RunItemApi = 'getItem' | 'putItem' | 'updateItem' | 'transactWriteItems';

/** One DynamoDB request: `input` is the API's request (Step Functions task Parameters when it holds state values). */
export interface RunItemRequest {
  readonly api: RunItemApi;
  readonly input: Record<string, unknown>;
}

/** Error of a failed stage attempt or run, as Step Functions hands it over (`Error`, `Cause`). */
export interface ItemError<V = ItemValue<string>> {
  readonly name: V;
  readonly cause: V;
}

function isStateValue(value: unknown): value is StateValue {
  return typeof value === 'object' && value !== null && 'fromState' in value;
}

/** `{ S }`, or `{ "S.$" }` for a state value. */
function stringAttribute(value: ItemValue<string>): Record<string, string> {
  return isStateValue(value) ? { 'S.$': value.fromState } : { S: value };
}

/** `{ N }`, or `{ "N.$" }` for a state value; a known number must be finite. */
function numberAttribute(field: string, value: ItemValue<number>): Record<string, string> {
  if (isStateValue(value)) return { 'N.$': value.fromState };
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidLedgerInputError(field, value, 'a finite number');
  return { N: String(value) };
}

/** Escapes text for a single-quoted intrinsic string literal (`'`, `{`, `}` and `\` take a backslash). */
function escapeIntrinsic(text: string): string {
  return text.replace(/[\\'{}]/g, (c) => `\\${c}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL-delimited holes cannot clash with key text
const HOLE = /(\u0000\d+\u0000)/;

/**
 * A key of `ledgerKeys` built from values: known values are spliced in; state values become a
 * `States.Format('RUN#{}', $.runId)` call, so the key layout is written once, in keys.ts.
 */
function keyOf(
  build: (...args: never[]) => Record<string, string>,
  ...values: readonly ItemValue<string | number>[]
): Record<string, Record<string, string>> {
  const paths: string[] = [];
  const args = values.map((value) => {
    if (!isStateValue(value)) return value;
    paths.push(value.fromState);
    return `\u0000${paths.length - 1}\u0000`;
  });
  const key = (build as (...args: unknown[]) => Record<string, string>)(...args);
  return Object.fromEntries(
    Object.entries(key).map(([name, text]) => {
      const parts = text.split(HOLE).filter((p) => p !== '');
      const holes = parts.filter((p) => HOLE.test(p)).map((p) => paths[Number(p.slice(1, -1))]!);
      if (holes.length === 0) return [name, { S: text }];
      if (parts.length === 1) return [name, { 'S.$': holes[0]! }];
      const template = parts.map((p) => (HOLE.test(p) ? '{}' : escapeIntrinsic(p))).join('');
      return [name, { 'S.$': `States.Format(${[`'${template}'`, ...holes].join(', ')})` }];
    }),
  );
}

const runKey = (runId: ItemValue<string>) => keyOf(ledgerKeys.run, runId);
const summaryKey = (runId: ItemValue<string>, stageId: string) =>
  keyOf(ledgerKeys.stageSummary, runId, stageId);
const attemptKey = (runId: ItemValue<string>, stageId: string, attempt: ItemValue<number>) =>
  keyOf(ledgerKeys.stageAttempt, runId, stageId, attempt);

/** `SET #a = :a, ...` (and `ADD #b :b, ...`, `REMOVE #c, ...`) with names and values for every entry. */
function setExpression(
  values: Record<string, unknown>,
  extra: { add?: Record<string, unknown>; remove?: readonly string[] } = {},
) {
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
  const remove = (extra.remove ?? []).map((name) => {
    names[`#${name}`] = name;
    return `#${name}`;
  });
  return {
    UpdateExpression: [
      add.length ? `ADD ${add.join(', ')}` : '',
      set.length ? `SET ${set.join(', ')}` : '',
      remove.length ? `REMOVE ${remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: attributeValues,
  };
}

/** A SET of `values` on an item that exists and is still RUNNING (a finished run or attempt is never rewritten). */
function whileRunning(values: Record<string, unknown>) {
  const update = setExpression(values);
  return {
    ...update,
    ConditionExpression: 'attribute_exists(PK) AND #status = :running',
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':running': { S: 'RUNNING' } },
  };
}

/** A new run, RUNNING with empty counters; a run id is used once (`attribute_not_exists(PK)`). */
export function runStartedRequest(
  tableName: string,
  run: {
    readonly runId: ItemValue<string>;
    readonly pipeline: ItemValue<string>;
    readonly startedAt: ItemValue<string>;
    /** @default no trigger attribute */
    readonly trigger?: ItemValue<string>;
    /** the Step Functions execution that runs it (its ARN)
     * @default no execution attribute (a run seeded by a test) */
    readonly execution?: ItemValue<string>;
  },
): RunItemRequest {
  return {
    api: 'putItem',
    input: {
      TableName: tableName,
      Item: {
        ...runKey(run.runId),
        ...keyOf(ledgerKeys.runIndex, run.runId),
        runId: stringAttribute(run.runId),
        pipeline: stringAttribute(run.pipeline),
        status: { S: 'RUNNING' },
        startedAt: stringAttribute(run.startedAt),
        ...(run.trigger === undefined ? {} : { trigger: stringAttribute(run.trigger) }),
        counters: { M: {} },
        ...(run.execution === undefined ? {} : { execution: stringAttribute(run.execution) }),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/**
 * Maps a Step Functions execution to the run it starts or restarts (the run id is minted inside
 * the state machine, so the execution's status-change event does not carry it).
 */
export function executionRecordedRequest(
  tableName: string,
  execution: {
    readonly execution: ItemValue<string>;
    readonly runId: ItemValue<string>;
    readonly recordedAt: ItemValue<string>;
  },
): RunItemRequest {
  return {
    api: 'putItem',
    input: {
      TableName: tableName,
      Item: {
        ...keyOf(ledgerKeys.execution, execution.execution),
        type: { S: 'EXEC' },
        execution: stringAttribute(execution.execution),
        runId: stringAttribute(execution.runId),
        recordedAt: stringAttribute(execution.recordedAt),
      },
    },
  };
}

/**
 * A redrive of a FAILED or ABORTED run: the same run item RUNNING again (its counters and stage
 * attempts stay; new attempts are numbered on). A SUCCEEDED or still RUNNING run is refused.
 */
export function runRestartedRequest(
  tableName: string,
  run: {
    readonly runId: ItemValue<string>;
    readonly at: ItemValue<string>;
    /** the execution that restarts it (its ARN), now the run's `execution` */
    readonly execution: ItemValue<string>;
  },
): RunItemRequest {
  return {
    api: 'updateItem',
    input: {
      TableName: tableName,
      Key: runKey(run.runId),
      UpdateExpression:
        'SET #status = :running, #redrivenAt = :now, #execution = :execution ADD #redrives :one REMOVE #error, #finishedAt',
      ConditionExpression: 'attribute_exists(PK) AND #status IN (:failed, :aborted)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#redrivenAt': 'redrivenAt',
        '#redrives': 'redrives',
        '#error': 'error',
        '#finishedAt': 'finishedAt',
        '#execution': 'execution',
      },
      ExpressionAttributeValues: {
        ':running': { S: 'RUNNING' },
        ':now': stringAttribute(run.at),
        ':execution': stringAttribute(run.execution),
        ':one': { N: '1' },
        ':failed': { S: 'FAILED' },
        ':aborted': { S: 'ABORTED' },
      },
    },
  };
}

/** Reads a stage's summary status in a run (`Item.status.S`; no Item when it never started). */
export function stageStatusRequest(
  tableName: string,
  stage: { readonly runId: ItemValue<string>; readonly stageId: string },
): RunItemRequest {
  return {
    api: 'getItem',
    input: {
      TableName: tableName,
      Key: summaryKey(stage.runId, stage.stageId),
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    },
  };
}

/**
 * Opens the next attempt of a stage on its summary: `ADD attempts 1`, status RUNNING, and the
 * error and finish time an aborted attempt left on the summary removed. The answer's
 * `Attributes.attempts.N` is the new attempt's number (1, 2, ...), atomically.
 */
export function attemptNumberedRequest(
  tableName: string,
  stage: { readonly runId: ItemValue<string>; readonly stageId: string; readonly at: ItemValue<string> },
): RunItemRequest {
  return {
    api: 'updateItem',
    input: {
      TableName: tableName,
      Key: summaryKey(stage.runId, stage.stageId),
      ...setExpression(
        {
          runId: stringAttribute(stage.runId),
          stageId: { S: stage.stageId },
          status: { S: 'RUNNING' },
          updatedAt: stringAttribute(stage.at),
        },
        { add: { attempts: { N: '1' } }, remove: ['error', 'finishedAt'] },
      ),
      ReturnValues: 'UPDATED_NEW',
    },
  };
}

/** The attempt item the summary numbered, RUNNING with empty prefixes and counts. */
export function attemptStartedRequest(
  tableName: string,
  attempt: {
    readonly runId: ItemValue<string>;
    readonly stageId: string;
    readonly attempt: ItemValue<number>;
    readonly startedAt: ItemValue<string>;
  },
): RunItemRequest {
  return {
    api: 'putItem',
    input: {
      TableName: tableName,
      Item: {
        ...attemptKey(attempt.runId, attempt.stageId, attempt.attempt),
        runId: stringAttribute(attempt.runId),
        stageId: { S: attempt.stageId },
        attempt: numberAttribute('attempt', attempt.attempt),
        status: { S: 'RUNNING' },
        startedAt: stringAttribute(attempt.startedAt),
        inputPrefixes: { L: [] },
        outputPrefixes: { L: [] },
        counts: { M: {} },
      },
    },
  };
}

/**
 * One transaction: the attempt SUCCEEDED with its counts and output (only while RUNNING, so its
 * counts are added once), the summary SUCCEEDED, and `ADD counters.<name>` on the run.
 */
export function attemptSucceededRequest(
  tableName: string,
  attempt: {
    readonly runId: ItemValue<string>;
    readonly stageId: string;
    readonly attempt: ItemValue<number>;
    readonly finishedAt: ItemValue<string>;
    /** the named counts, in the order they are written */
    readonly counts: Readonly<Record<string, ItemValue<number>>>;
    /** the stage's output (its manifest, or its last step's result) as JSON text */
    readonly output: ItemValue<string>;
  },
): RunItemRequest {
  const names = Object.keys(attempt.counts);
  const countValues = Object.fromEntries(
    names.map((name) => [name, numberAttribute(`counts.${name}`, attempt.counts[name]!)]),
  );
  const items: Record<string, unknown>[] = [
    {
      Update: {
        TableName: tableName,
        Key: attemptKey(attempt.runId, attempt.stageId, attempt.attempt),
        ...whileRunning({
          status: { S: 'SUCCEEDED' },
          finishedAt: stringAttribute(attempt.finishedAt),
          counts: { M: countValues },
          output: stringAttribute(attempt.output),
        }),
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: summaryKey(attempt.runId, attempt.stageId),
        ...setExpression({ status: { S: 'SUCCEEDED' }, updatedAt: stringAttribute(attempt.finishedAt) }),
      },
    },
  ];
  if (names.length > 0) {
    const attributeNames: Record<string, string> = { '#counters': 'counters' };
    const values: Record<string, unknown> = {};
    const add = names.map((name, i) => {
      attributeNames[`#c${i}`] = name;
      values[`:c${i}`] = countValues[name];
      return `#counters.#c${i} :c${i}`;
    });
    items.push({
      Update: {
        TableName: tableName,
        Key: runKey(attempt.runId),
        UpdateExpression: `ADD ${add.join(', ')}`,
        ExpressionAttributeNames: attributeNames,
        ExpressionAttributeValues: values,
      },
    });
  }
  return { api: 'transactWriteItems', input: { TransactItems: items } };
}

/** One transaction: the attempt FAILED with its error, and the summary FAILED. */
export function attemptFailedRequest(
  tableName: string,
  attempt: {
    readonly runId: ItemValue<string>;
    readonly stageId: string;
    readonly attempt: ItemValue<number>;
    readonly finishedAt: ItemValue<string>;
    readonly error: ItemError;
  },
): RunItemRequest {
  const error = {
    M: { name: stringAttribute(attempt.error.name), cause: stringAttribute(attempt.error.cause) },
  };
  return {
    api: 'transactWriteItems',
    input: {
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: attemptKey(attempt.runId, attempt.stageId, attempt.attempt),
            ...setExpression({
              status: { S: 'FAILED' },
              finishedAt: stringAttribute(attempt.finishedAt),
              error,
            }),
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: summaryKey(attempt.runId, attempt.stageId),
            ...setExpression({ status: { S: 'FAILED' }, updatedAt: stringAttribute(attempt.finishedAt) }),
          },
        },
      ],
    },
  };
}

/** The run SUCCEEDED, only while RUNNING. */
export function runSucceededRequest(
  tableName: string,
  run: { readonly runId: ItemValue<string>; readonly finishedAt: ItemValue<string> },
): RunItemRequest {
  return {
    api: 'updateItem',
    input: {
      TableName: tableName,
      Key: runKey(run.runId),
      ...whileRunning({ status: { S: 'SUCCEEDED' }, finishedAt: stringAttribute(run.finishedAt) }),
    },
  };
}

/**
 * The run FAILED with the error of the stage that failed it, only while RUNNING: the failure of a
 * run started with a reused id must not touch the first run.
 */
export function runFailedRequest(
  tableName: string,
  run: {
    readonly runId: ItemValue<string>;
    readonly finishedAt: ItemValue<string>;
    readonly error: ItemError & { readonly stageId: ItemValue<string> };
  },
): RunItemRequest {
  return {
    api: 'updateItem',
    input: {
      TableName: tableName,
      Key: runKey(run.runId),
      ...whileRunning({
        status: { S: 'FAILED' },
        finishedAt: stringAttribute(run.finishedAt),
        error: {
          M: {
            name: stringAttribute(run.error.name),
            cause: stringAttribute(run.error.cause),
            stageId: stringAttribute(run.error.stageId),
          },
        },
      }),
    },
  };
}

/**
 * A run, stage summary or attempt whose process or execution is gone: ABORTED with the reason,
 * only while RUNNING (an item that finished meanwhile stays as it finished). `sortKey` is the
 * item's SK in the run's partition (`RUN`, `STAGE#<stageId>`, `STAGE#<stageId>#<attempt>`).
 */
export function itemAbortedRequest(
  tableName: string,
  item: {
    readonly runId: string;
    readonly sortKey: string;
    readonly finishedAt: string;
    readonly error: ItemError<string>;
  },
): RunItemRequest {
  return {
    api: 'updateItem',
    input: {
      TableName: tableName,
      Key: { PK: { S: ledgerKeys.run(item.runId).PK }, SK: { S: item.sortKey } },
      UpdateExpression: 'SET #status = :aborted, finishedAt = :at, #error = :error',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':aborted': { S: 'ABORTED' },
        ':running': { S: 'RUNNING' },
        ':at': { S: item.finishedAt },
        ':error': { M: { name: { S: item.error.name }, cause: { S: item.error.cause } } },
      },
    },
  };
}
