import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Candidate } from '../candidates';
import { SkipFileError } from '../errors';
import { FileInspector } from '../inspect';
import type { Measured } from './outcome';

/**
 * Reads a source file once, hashing it and checking size, UTF-8 (text files) and gzip magic; an
 * `http` download goes to `stagingKey` (invisible to readers of the run's prefix) on the way.
 * Throws SkipFileError for a file that breaks a rule, or is empty.
 */
export async function readOnce(
  candidate: Candidate,
  stagingKey: string | undefined,
  maxBytes: number,
): Promise<Measured> {
  const { bytes, sha256 } = candidate.download
    ? await candidate.download(stagingKey!)
    : await inspect(candidate, maxBytes);
  if (bytes === 0) throw new SkipFileError('empty', `${candidate.source} is empty (0 bytes)`);
  return { bytes, sha256 };
}

async function inspect(candidate: Candidate, maxBytes: number): Promise<Measured> {
  const inspector = new FileInspector(candidate.source, maxBytes, true);
  try {
    await pipeline(await candidate.read!(), inspector, devNull());
  } catch (error) {
    if (inspector.failure) throw inspector.failure;
    throw error;
  }
  return { bytes: inspector.bytes, sha256: inspector.digest() };
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
