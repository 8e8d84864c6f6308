import {
  attemptFailedRequest,
  attemptNumberedRequest,
  attemptStartedRequest,
  attemptSucceededRequest,
  executionRecordedRequest,
  fromState,
  type RunItemApi,
  runFailedRequest,
  runRestartedRequest,
  runStartedRequest,
  runSucceededRequest,
  stageStatusRequest,
} from '@lakepipe/ledger/run-items';

/**
 * The DynamoDB tasks the state machine runs on the ledger table: the run-item requests of
 * @lakepipe/ledger (run-items.ts, the one definition of how run and stage items are written)
 * with their values taken from the state. Test seeding sends the same requests with known values.
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
  | 'record-execution'
  | 'stage-status';

/** The DynamoDB API a ledger task calls (the local twin runs the same call on DynamoDB Local). */
export type LedgerApiCall = RunItemApi;

export const LEDGER_RESOURCES: Record<LedgerApiCall, string> = {
  getItem: 'arn:aws:states:::dynamodb:getItem',
  putItem: 'arn:aws:states:::dynamodb:putItem',
  updateItem: 'arn:aws:states:::dynamodb:updateItem',
  transactWriteItems: 'arn:aws:states:::aws-sdk:dynamodb:transactWriteItems',
};

const RUN_ID = fromState('$.runId');
const ATTEMPT = fromState('$.attempt.number');
const NOW = fromState('$$.State.EnteredTime');
const EXECUTION = fromState('$$.Execution.Id');

export interface LedgerTask {
  readonly api: LedgerApiCall;
  readonly parameters: Record<string, unknown>;
  readonly resultSelector?: Record<string, unknown>;
}

export function startRunTask(table: string, pipeline: string): LedgerTask {
  // a reused run id must never reset a run (the request's attribute_not_exists(PK))
  const { api, input } = runStartedRequest(table, {
    runId: RUN_ID,
    pipeline,
    startedAt: fromState('$$.Execution.StartTime'),
    trigger: fromState('$.trigger'),
    execution: EXECUTION,
  });
  return { api, parameters: input };
}

/** Maps this execution to its run (`EXEC#<executionArn>`), for the closer of stopped executions. */
export function recordExecutionTask(table: string): LedgerTask {
  const { api, input } = executionRecordedRequest(table, {
    execution: EXECUTION,
    runId: RUN_ID,
    recordedAt: NOW,
  });
  return { api, parameters: input };
}

/** A redrive of a FAILED or ABORTED run: the same run item RUNNING again (see runRestartedRequest). */
export function restartRunTask(table: string): LedgerTask {
  const { api, input } = runRestartedRequest(table, { runId: RUN_ID, at: NOW, execution: EXECUTION });
  return { api, parameters: input };
}

/** Reads a stage's summary status in this run (`$.done.Item.status.S`; no Item when it never started). */
export function stageStatusTask(table: string, stageId: string): LedgerTask {
  const { api, input } = stageStatusRequest(table, { runId: RUN_ID, stageId });
  return { api, parameters: input };
}

export function startAttemptTask(table: string, stageId: string): LedgerTask {
  const { api, input } = attemptNumberedRequest(table, { runId: RUN_ID, stageId, at: NOW });
  return { api, parameters: input, resultSelector: { 'number.$': '$.Attributes.attempts.N' } };
}

export function recordAttemptTask(table: string, stageId: string): LedgerTask {
  const { api, input } = attemptStartedRequest(table, {
    runId: RUN_ID,
    stageId,
    attempt: ATTEMPT,
    startedAt: NOW,
  });
  return { api, parameters: input };
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
  const { api, input } = attemptSucceededRequest(table, {
    runId: RUN_ID,
    stageId,
    attempt: ATTEMPT,
    finishedAt: NOW,
    counts: Object.fromEntries(
      counts.map((name) => [name, fromState(`States.Format('{}', ${countsPath}.${name})`)]),
    ),
    output: fromState(`States.JsonToString(${outputPath})`),
  });
  return { api, parameters: input };
}

export function attemptFailedTask(table: string, stageId: string): LedgerTask {
  const { api, input } = attemptFailedRequest(table, {
    runId: RUN_ID,
    stageId,
    attempt: ATTEMPT,
    finishedAt: NOW,
    error: { name: fromState('$.error.Error'), cause: fromState('$.error.Cause') },
  });
  return { api, parameters: input };
}

export function runSucceededTask(table: string): LedgerTask {
  const { api, input } = runSucceededRequest(table, { runId: RUN_ID, finishedAt: NOW });
  return { api, parameters: input };
}

/** Runs on the failure state `{ pipeline, runId, stage, error, cause }`. */
export function runFailedTask(table: string): LedgerTask {
  const { api, input } = runFailedRequest(table, {
    runId: RUN_ID,
    finishedAt: NOW,
    error: { name: fromState('$.error'), cause: fromState('$.cause'), stageId: fromState('$.stage') },
  });
  return { api, parameters: input };
}
