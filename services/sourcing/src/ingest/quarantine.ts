import { lakePrefixes, type ObjectStore } from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { Candidate } from '../candidates';
import type { SkipReason } from '../inspect';
import type { FileOrigin, FileOutcome } from './outcome';

/**
 * A file the pipeline can never read goes to `quarantine/<dataset>/run=<runId>/<name>`, byte for byte,
 * with `<name>.reason.json` beside it, a ledger movement, and a claim on its bytes: never into raw/
 * (where it would fail the ETL and the raw tables), and never looked at again by a later run.
 */
export async function quarantine(args: {
  readonly store: ObjectStore;
  readonly ledger: LedgerWriter;
  readonly runId: string;
  readonly stageId: string;
  readonly candidate: Candidate;
  readonly origin: FileOrigin;
  readonly reason: SkipReason;
  readonly message: string;
}): Promise<FileOutcome> {
  const { store, ledger, runId, stageId, candidate, origin, reason, message } = args;
  const key = lakePrefixes.quarantineObject(candidate.dataset, runId, origin.name);
  const put = await store.put(key, await candidate.read!());
  const claim = await ledger.claimSource({
    dataset: candidate.dataset,
    sha256: put.sha256,
    source: candidate.source,
    runId,
    rawKey: key,
  });
  if (
    !claim.claimed &&
    claim.existing.rawKey !== key &&
    (await store.head(claim.existing.rawKey)) !== undefined
  ) {
    await store.delete(key);
    return {
      ...origin,
      status: 'duplicate',
      rawKey: claim.existing.rawKey,
      bytes: put.bytes,
      sha256: put.sha256,
      firstRunId: claim.existing.runId,
      message: `already handled by run ${claim.existing.runId} as ${claim.existing.rawKey}`,
    };
  }
  await store.put(
    `${key}.reason.json`,
    `${JSON.stringify({ source: candidate.source, runId, stageId, reason, message, bytes: put.bytes, sha256: put.sha256 }, null, 2)}\n`,
    { contentType: 'application/json' },
  );
  await ledger.recordMovements([
    { runId, stageId, from: candidate.source, to: key, bytes: put.bytes, sha256: put.sha256 },
  ]);
  return {
    ...origin,
    status: 'quarantined',
    quarantineKey: key,
    bytes: put.bytes,
    sha256: put.sha256,
    reason,
    message: `${message}; moved to ${key}`,
  };
}
