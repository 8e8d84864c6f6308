import type { ObjectInfo, ObjectStore } from '@lakepipe/lake';
import type { Candidate } from '../candidates';
import { SkipFileError } from '../errors';

/**
 * Copies a claimed file to its raw/ key: from its staging key (an `http` download), server-side
 * (a lake key), or streamed from its source. Stores never expose half-written objects. A source
 * replaced since it was hashed is deleted from raw/ again; any failure is a SkipFileError
 * (`copy_failed` releases the claim to the next attempt).
 */
export async function copyToRaw(args: {
  readonly store: ObjectStore;
  readonly candidate: Candidate;
  readonly stagingKey: string | undefined;
  readonly target: string;
  readonly sha256: string;
}): Promise<void> {
  const { store, candidate, stagingKey, target, sha256 } = args;
  try {
    if (stagingKey !== undefined) await store.copy(stagingKey, target);
    else if (candidate.lakeKey !== undefined) {
      await store.copy(candidate.lakeKey, target);
      // The hash was taken from the listed version: if a writer replaced it since, the copy may hold other bytes.
      const now = await store.head(candidate.lakeKey);
      if (candidate.listed !== undefined && !sameVersion(candidate.listed, now)) {
        await store.delete(target);
        throw new SkipFileError(
          'changed_while_reading',
          `${candidate.source} was replaced while it was being landed; the next run will pick it up`,
        );
      }
    } else {
      const put = await store.put(target, await candidate.read!());
      if (put.sha256 !== sha256) {
        await store.delete(target);
        throw new SkipFileError(
          'changed_while_reading',
          `${candidate.source} changed while it was being landed (sha256 ${sha256} then ${put.sha256}); the next run will pick it up`,
        );
      }
    }
  } catch (error) {
    if (error instanceof SkipFileError) throw error;
    throw new SkipFileError(
      'copy_failed',
      `copying ${candidate.source} to ${target} failed: ${(error as Error).message}; its claim is released to the next attempt`,
    );
  }
}

function sameVersion(listed: ObjectInfo, now: ObjectInfo | undefined): boolean {
  return (
    now !== undefined &&
    now.bytes === listed.bytes &&
    now.lastModified.getTime() === listed.lastModified.getTime() &&
    now.etag === listed.etag
  );
}
