import { LedgerTableQueries } from './queries';
import type {
  ClaimResult,
  LedgerQueries,
  LedgerWriter,
  ObjectMovementItem,
  Page,
  RunItem,
  RunWithStages,
  SourceClaimItem,
} from './types';
import { LedgerTableWriter, type LedgerTableWriterProps } from './writer';

export type LedgerProps = LedgerTableWriterProps;

/**
 * Both roles over one table, for a process that holds both: the local twin hosts the services
 * (they get it as a LedgerWriter) and answers `status` and `serve` (as LedgerQueries). A deployed
 * service uses LedgerTableWriter, the ledger API LedgerTableQueries. Run and stage items are
 * written only by the state machine's requests (run-items.ts).
 */
export class Ledger implements LedgerWriter, LedgerQueries {
  readonly tableName: string;
  readonly writer: LedgerTableWriter;
  readonly queries: LedgerTableQueries;

  constructor(props: LedgerProps) {
    this.tableName = props.tableName;
    this.writer = new LedgerTableWriter(props);
    this.queries = new LedgerTableQueries(props);
  }

  recordMovements(movements: readonly Omit<ObjectMovementItem, 'at'>[]): Promise<void> {
    return this.writer.recordMovements(movements);
  }

  claimSource(claim: Omit<SourceClaimItem, 'claimedAt'>): Promise<ClaimResult> {
    return this.writer.claimSource(claim);
  }

  listRuns(input?: { limit?: number; cursor?: string }): Promise<Page<RunItem>> {
    return this.queries.listRuns(input);
  }

  getRun(runId: string): Promise<RunWithStages | undefined> {
    return this.queries.getRun(runId);
  }

  objectHistory(key: string): Promise<readonly ObjectMovementItem[]> {
    return this.queries.objectHistory(key);
  }

  runMovements(input: {
    runId: string;
    stageId?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ObjectMovementItem>> {
    return this.queries.runMovements(input);
  }
}
