import type { Readable } from 'node:stream';

const LF = 10;

/**
 * Re-cuts a byte stream into chunks of about `targetBytes` that end on a line feed (the last one
 * may not), so a features file of any size is scored with bounded memory, a chunk at a time.
 */
export async function* lineAlignedChunks(stream: Readable, targetBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of stream) {
    const buffer = piece as Buffer;
    pending.push(buffer);
    pendingBytes += buffer.length;
    if (pendingBytes < targetBytes) continue;
    const joined = Buffer.concat(pending, pendingBytes);
    const cut = joined.lastIndexOf(LF);
    if (cut === -1) {
      pending = [joined];
      continue;
    }
    yield joined.subarray(0, cut + 1);
    const rest = joined.subarray(cut + 1);
    pending = rest.length > 0 ? [Buffer.from(rest)] : [];
    pendingBytes = rest.length;
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** Line feeds in a chunk: the line-number offset of the chunk after it. */
export function countLineFeeds(chunk: Uint8Array): number {
  let count = 0;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) count++;
  return count;
}
