import { lakePrefixes } from '@lakepipe/lake';
import { type Candidate, DEFAULT_MAX_BYTES } from '../candidates';
import { SkipFileError } from '../errors';
import type { IngestSourcesInput } from '../ingest';
import { QUARANTINE_REASONS } from '../inspect';
import { claimContent, claimKeyOf, type LandedThisRun } from './claim';
import { copyToRaw } from './copy-to-raw';
import type { FileOrigin, FileOutcome } from './outcome';
import { quarantine } from './quarantine';
import { readOnce } from './read-once';

/**
 * Lands one source file at `rawKey`: read it once, claim its bytes, copy it into raw/ and record
 * the movement. A file that cannot be landed is skipped, or quarantined when it never can be.
 */
export async function ingestOne(args: {
  readonly input: IngestSourcesInput;
  readonly candidate: Candidate;
  readonly name: string;
  readonly rawKey: string;
  readonly landedThisRun: LandedThisRun;
}): Promise<FileOutcome> {
  const { input, candidate, name, rawKey, landedThisRun } = args;
  const { store, ledger, runId, stageId } = input;
  const origin: FileOrigin = { dataset: candidate.dataset, name, source: candidate.source };
  const stagingKey = candidate.download
    ? `${lakePrefixes.raw(candidate.dataset)}_incoming/${runId}/${stageId}/${name}`
    : undefined;
  try {
    const measured = await readOnce(candidate, stagingKey, input.maxBytes ?? DEFAULT_MAX_BYTES);
    const claim = await claimContent({ store, ledger, runId, origin, rawKey, measured, landedThisRun });
    if ('outcome' in claim) return claim.outcome;
    const { target, tookOverFrom } = claim;
    const { bytes, sha256 } = measured;
    await copyToRaw({ store, candidate, stagingKey, target, sha256 });
    await ledger.recordMovements([{ runId, stageId, from: candidate.source, to: target, bytes, sha256 }]);
    landedThisRun.set(claimKeyOf(candidate.dataset, sha256), target);
    return {
      ...origin,
      status: 'ingested',
      rawKey: target,
      bytes,
      sha256,
      ...(tookOverFrom === undefined
        ? {}
        : { message: `took over the claim of run ${tookOverFrom}, whose copy never landed` }),
    };
  } catch (error) {
    if (!(error instanceof SkipFileError)) throw error;
    if (QUARANTINE_REASONS.has(error.reason) && candidate.read !== undefined)
      return quarantine({
        store,
        ledger,
        runId,
        stageId,
        candidate,
        origin,
        reason: error.reason,
        message: error.message,
      });
    return { ...origin, status: 'skipped', reason: error.reason, message: error.message };
  } finally {
    if (stagingKey !== undefined) await store.delete(stagingKey).catch(() => undefined);
  }
}
