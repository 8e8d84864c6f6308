/**
 * The single-table key layout, the one source of every key: the run-item requests (run-items.ts,
 * sent by the compiled state machine and by test seeding), the writer and the queries build theirs here.
 *
 * | item            | PK                          | SK                              | GSI1PK | GSI1SK  |
 * |-----------------|-----------------------------|---------------------------------|--------|---------|
 * | run             | RUN#<runId>                 | RUN                             | RUNS   | <runId> |
 * | stage summary   | RUN#<runId>                 | STAGE#<stageId>                 |        |         |
 * | stage attempt   | RUN#<runId>                 | STAGE#<stageId>#<attempt>       |        |         |
 * | object movement | OBJ#<key>                   | MOVE#<at ISO>#<runId>#<stageId> |        |         |
 * | source claim    | CLAIM#<dataset>#<sha256>    | CLAIM                           |        |         |
 * | run movement    | RUNMOVE#<runId>             | MOVE#<stageId>#<at>#<batch>#<n> |        |         |
 * | execution       | EXEC#<executionArn>         | EXEC                            |        |         |
 *
 * The stage summary holds `attempts` (a counter, incremented with ADD so the state machine
 * can number attempts) and the latest `status`. Attempt numbers are 1-based, unpadded.
 * A movement is written under its `to` key and, when `from` is a lake key, under `from` too.
 * Two movements of one key in the same millisecond, run and stage get `#2`, `#3`... appended.
 * Each movement is also written once under its run (`run movement`), so one Query lists every
 * file a stage moved in a run; `<batch>` is random per recordMovements call, `<n>` its index.
 * Run movements have their own partition (not `RUN#`): IAM's `dynamodb:LeadingKeys` sees only
 * the partition key, so services that record movements are kept off run and stage items.
 * Run-scoped reads of the run, summaries and attempts query `SK >= "RUN"` (MOVE# sorts before).
 * An execution item maps a Step Functions execution to the run it starts or restarts (the run id
 * is minted inside the state machine, so the execution's status-change event does not carry it);
 * the run item's `execution` names the execution that runs it now (a redrive is a new one).
 *
 * Attributes beside the keys (names as in types.ts), so what run-items.ts and the writer put is
 * what the queries read:
 * - `type` = MOVE | RUNMOVE | CLAIM | EXEC on the items the writer and the execution request put
 *   (run, summary and attempt items carry none: queries tell them apart by SK)
 * - run: runId, pipeline, status, startedAt, finishedAt?, trigger?, error? {name, cause, stageId?},
 *   counters (a map, created as {} with the run: Attempt succeeded ADDs `counters.<name>`)
 * - stage summary: runId, stageId, attempts (number, ADD 1 per attempt), status, updatedAt
 * - stage attempt: runId, stageId, attempt (number), status, startedAt, finishedAt?,
 *   inputPrefixes, outputPrefixes (lists), counts (map), output? (JSON text), error? {name, cause}
 * - movement: key (the PK's object key), runId, stageId, from?, to, bytes, sha256, at
 * - claim: dataset, sha256, source, runId, rawKey, claimedAt
 * - execution: execution (the ARN), runId, recordedAt
 */
export const ledgerKeys = {
  run: (runId: string) => ({ PK: `RUN#${runId}`, SK: 'RUN' }),
  runIndex: (runId: string) => ({ GSI1PK: 'RUNS', GSI1SK: runId }),
  stageSummary: (runId: string, stageId: string) => ({ PK: `RUN#${runId}`, SK: `STAGE#${stageId}` }),
  stageAttempt: (runId: string, stageId: string, attempt: number) => ({
    PK: `RUN#${runId}`,
    SK: `STAGE#${stageId}#${attempt}`,
  }),
  objectMovement: (key: string, at: string, runId: string, stageId: string, seq = 1) => ({
    PK: `OBJ#${key}`,
    SK: `MOVE#${at}#${runId}#${stageId}${seq > 1 ? `#${seq}` : ''}`,
  }),
  runMovementPartition: (runId: string) => `RUNMOVE#${runId}`,
  runMovement: (runId: string, stageId: string, at: string, batch: string, index: number) => ({
    PK: `RUNMOVE#${runId}`,
    SK: `MOVE#${stageId}#${at}#${batch}#${String(index).padStart(6, '0')}`,
  }),
  sourceClaim: (dataset: string, sha256: string) => ({ PK: `CLAIM#${dataset}#${sha256}`, SK: 'CLAIM' }),
  execution: (executionArn: string) => ({ PK: `EXEC#${executionArn}`, SK: 'EXEC' }),
  RUNS_INDEX: 'GSI1',
  RUNS_PARTITION: 'RUNS',
  STAGE_PREFIX: 'STAGE#',
  MOVE_PREFIX: 'MOVE#',
} as const;
