import type { ObjectStore } from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { FileOrigin, FileOutcome, Measured } from './outcome';

/** Raw keys landed by this run so far, by `${dataset}#${sha256}`: a second copy in one run is a duplicate. */
export type LandedThisRun = Map<string, string>;

export function claimKeyOf(dataset: string, sha256: string): string {
  return `${dataset}#${sha256}`;
}

/** Land the file at `target`; `tookOverFrom` names the run whose claim was taken over, if any. */
export interface Landing {
  readonly target: string;
  readonly tookOverFrom?: string;
}

/**
 * Claims (dataset, sha256) in the ledger for a file bound for `rawKey`. Returns where to land it,
 * or the file's outcome when it must not be landed: the same bytes landed earlier in this run or by
 * another run (duplicate), or by an earlier attempt of this run (already landed).
 *
 * A claim whose raw object does not exist (an attempt died between claim and copy) is taken over:
 * the same run lands at the claimed key, another run lands in this run (the claim keeps its first key).
 */
export async function claimContent(args: {
  readonly store: ObjectStore;
  readonly ledger: LedgerWriter;
  readonly runId: string;
  readonly origin: FileOrigin;
  readonly rawKey: string;
  readonly measured: Measured;
  readonly landedThisRun: LandedThisRun;
}): Promise<Landing | { readonly outcome: FileOutcome }> {
  const { store, ledger, runId, origin, rawKey, measured, landedThisRun } = args;
  const { bytes, sha256 } = measured;
  const sameRun = landedThisRun.get(claimKeyOf(origin.dataset, sha256));
  if (sameRun !== undefined)
    return {
      outcome: {
        ...origin,
        status: 'duplicate',
        rawKey: sameRun,
        bytes,
        sha256,
        firstRunId: runId,
        message: `same bytes as ${sameRun}, landed earlier in this run`,
      },
    };
  const claim = await ledger.claimSource({
    dataset: origin.dataset,
    sha256,
    source: origin.source,
    runId,
    rawKey,
  });
  if (claim.claimed) return { target: rawKey };
  const existing = claim.existing;
  const landed = (await store.head(existing.rawKey)) !== undefined;
  if (landed && existing.runId === runId && existing.rawKey === rawKey) {
    landedThisRun.set(claimKeyOf(origin.dataset, sha256), rawKey);
    return {
      outcome: {
        ...origin,
        status: 'ingested',
        rawKey,
        bytes,
        sha256,
        alreadyLanded: true,
        message: 'landed by an earlier attempt of this run',
      },
    };
  }
  if (landed)
    return {
      outcome: {
        ...origin,
        status: 'duplicate',
        rawKey: existing.rawKey,
        bytes,
        sha256,
        firstRunId: existing.runId,
        message: `already ingested by run ${existing.runId} as ${existing.rawKey}`,
      },
    };
  return { target: existing.runId === runId ? existing.rawKey : rawKey, tookOverFrom: existing.runId };
}
