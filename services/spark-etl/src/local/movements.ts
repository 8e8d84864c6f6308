import type { ManifestOutput } from '@lakepipe/lake';
import type { LedgerWriter, ObjectMovementItem } from '@lakepipe/ledger';

/** Records each object an ETL engine wrote (and its manifest) as a movement, with the bytes and sha256 measured once. */
export async function recordMovements(
  ledger: LedgerWriter | undefined,
  runId: string,
  stageId: string,
  written: readonly ManifestOutput[],
): Promise<void> {
  if (!ledger || written.length === 0) return;
  const movements: Omit<ObjectMovementItem, 'at'>[] = written.map(({ key, bytes, sha256 }) => ({
    runId,
    stageId,
    to: key,
    bytes,
    sha256,
  }));
  await ledger.recordMovements(movements);
}
