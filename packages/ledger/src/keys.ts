/**
 * The single-table key layout, shared by the Ledger class and by the DynamoDB tasks the
 * compiled state machine runs (packages/workflow). Change both or neither.
 *
 * | item            | PK                          | SK                              | GSI1PK | GSI1SK  |
 * |-----------------|-----------------------------|---------------------------------|--------|---------|
 * | run             | RUN#<runId>                 | RUN                             | RUNS   | <runId> |
 * | stage summary   | RUN#<runId>                 | STAGE#<stageId>                 |        |         |
 * | stage attempt   | RUN#<runId>                 | STAGE#<stageId>#<attempt>       |        |         |
 * | object movement | OBJ#<key>                   | MOVE#<at ISO>#<runId>#<stageId> |        |         |
 * | source claim    | CLAIM#<dataset>#<sha256>    | CLAIM                           |        |         |
 *
 * The stage summary holds `attempts` (a counter, incremented with ADD so the state machine
 * can number attempts) and the latest `status`. Attempt numbers are 1-based, unpadded.
 * A movement is written under its `to` key and, when `from` is a lake key, under `from` too.
 */
export const ledgerKeys = {
  run: (runId: string) => ({ PK: `RUN#${runId}`, SK: 'RUN' }),
  runIndex: (runId: string) => ({ GSI1PK: 'RUNS', GSI1SK: runId }),
  stageSummary: (runId: string, stageId: string) => ({ PK: `RUN#${runId}`, SK: `STAGE#${stageId}` }),
  stageAttempt: (runId: string, stageId: string, attempt: number) => ({
    PK: `RUN#${runId}`,
    SK: `STAGE#${stageId}#${attempt}`,
  }),
  objectMovement: (key: string, at: string, runId: string, stageId: string) => ({
    PK: `OBJ#${key}`,
    SK: `MOVE#${at}#${runId}#${stageId}`,
  }),
  sourceClaim: (dataset: string, sha256: string) => ({ PK: `CLAIM#${dataset}#${sha256}`, SK: 'CLAIM' }),
  RUNS_INDEX: 'GSI1',
} as const;
