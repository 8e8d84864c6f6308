import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * Stands in for a CR in a normalized copy: DuckDB's CSV reader ends a line at any CR, so a file
 * whose CRs are not all part of CRLF gets a copy with every CR replaced by this noncharacter
 * (U+FDD0, never in interchanged text), and the lines view turns it back into a CR. Lines then
 * end at LF only, as in the Spark job (`spark.read.text` with `lineSep` `\n`).
 */
export const CR_STAND_IN = 0xfdd0;

/** What the DuckDB engine reads for one raw file. */
export interface InputFile {
  /** absolute path DuckDB reads */
  readonly path: string;
  /** true when `path` is a normalized copy (UTF-8 with U+FFFD, CRs as CR_STAND_IN, not gzipped) */
  readonly normalized: boolean;
}

/**
 * Scans a raw file (gunzipped when .gz) for what DuckDB's reader cannot take as the Spark job
 * does: bytes that are not UTF-8 (Spark decodes them as U+FFFD) and a CR that is not followed by
 * an LF. Such a file is copied into `workDir` decoded with U+FFFD for each bad byte (the WHATWG
 * decoder, like Java's: one U+FFFD per maximal bad subsequence) and every CR replaced by
 * CR_STAND_IN; every other file is read where it is.
 */
export async function inputFileFor(file: string, workDir: string, index: number): Promise<InputFile> {
  if (!(await needsNormalizing(file))) return { path: file, normalized: false };
  await mkdir(workDir, { recursive: true });
  const target = path.join(workDir, `${index}${path.extname(file.replace(/\.gz$/, ''))}`);
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const standIn = String.fromCharCode(CR_STAND_IN);
  const source = createReadStream(file);
  await pipeline(
    file.endsWith('.gz') ? source.pipe(createGunzip()) : source,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks)
        yield decoder.decode(chunk, { stream: true }).replaceAll('\r', standIn);
      yield decoder.decode().replaceAll('\r', standIn);
    },
    createWriteStream(target),
  );
  return { path: target, normalized: true };
}

async function needsNormalizing(file: string): Promise<boolean> {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = file.endsWith('.gz') ? source.pipe(createGunzip()) : source;
  let carry = Buffer.alloc(0);
  let crAtEnd = false;
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      if (b.length === 0) continue;
      if (crAtEnd && b[0] !== 0x0a) return true;
      for (let at = b.indexOf(0x0d); at >= 0; at = b.indexOf(0x0d, at + 1))
        if (at + 1 < b.length && b[at + 1] !== 0x0a) return true;
      crAtEnd = b[b.length - 1] === 0x0d;
      const data = carry.length ? Buffer.concat([carry, b]) : b;
      const cut = completeLength(data);
      if (!isUtf8(data.subarray(0, cut))) return true;
      carry = Buffer.from(data.subarray(cut));
    }
  } finally {
    source.destroy();
  }
  // a CR as the very last byte does not end a line with LF
  return crAtEnd || (carry.length > 0 && !isUtf8(carry));
}

/** The length of `data` without a multi-byte UTF-8 sequence cut off at its end. */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if (byte < 0x80) return data.length;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? data.length - back : data.length;
    }
  }
  return data.length;
}
