import { lakePrefixes } from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { FileOutcome } from './outcome';

/** The sha256 of zero bytes: what a movement of a file that could not be read carries. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Duplicates and skipped files get a ledger entry too: a movement from the source to this
 * stage's manifest (where the reason is), so `objectHistory(<source key>)` shows every run that
 * looked at a file and what it decided.
 */
export async function recordNotLanded(
  ledger: LedgerWriter,
  runId: string,
  stageId: string,
  details: readonly FileOutcome[],
): Promise<void> {
  const manifestKey = lakePrefixes.manifest(runId, stageId);
  const movements = details
    // quarantined files have their own movement, to quarantine/
    .filter((d) => d.status === 'duplicate' || d.status === 'skipped')
    .map((d) => ({
      runId,
      stageId,
      from: d.source,
      to: manifestKey,
      bytes: d.bytes ?? 0,
      sha256: d.sha256 ?? EMPTY_SHA256,
    }));
  if (movements.length > 0) await ledger.recordMovements(movements);
}
