/** `@lakepipe/ledger/queries`: what the CLI and the HTTP API read, nothing to write. */
export { createLedgerClient, type LedgerClientProps } from './client';
export * from './errors';
export { LedgerTableQueries } from './queries';
export type { LedgerTableProps } from './table';
export type {
  LedgerQueries,
  ObjectMovementItem,
  Page,
  RecordedError,
  RunItem,
  RunStatus,
  RunWithStages,
  StageAttemptItem,
  StageStatus,
} from './types';
