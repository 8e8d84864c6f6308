/** `@lakepipe/ledger/writer`: what a service needs to write its movements and claims, nothing to read. */
export { createLedgerClient, type LedgerClientProps } from './client';
export * from './errors';
export type { ClaimResult, LedgerWriter, ObjectMovementItem, SourceClaimItem } from './types';
export { DEFAULT_WRITE_CONCURRENCY, LedgerTableWriter, type LedgerTableWriterProps } from './writer';
