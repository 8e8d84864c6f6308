import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RAW_DATA_FILE } from '@lakepipe/lake';
import { SkipFileError } from './errors';

/** Why a file was not landed. */
export type SkipReason =
  | 'empty'
  | 'too_large'
  | 'not_utf8'
  | 'not_gzip'
  | 'not_found'
  | 'http_status'
  | 'timeout'
  | 'unreachable'
  | 'content_type'
  | 'changed_while_reading'
  | 'copy_failed'
  | 'unsupported_format'
  | 'binary_content';

/**
 * Reasons that are the file's own, not the moment's: the pipeline can never read it. Such a file is
 * moved to `quarantine/<dataset>/run=<runId>/` (with its reason beside it) instead of being skipped,
 * and claimed, so the next run does not look at it again.
 */
export const QUARANTINE_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'not_utf8',
  'not_gzip',
  'unsupported_format',
  'binary_content',
]);

/** Text formats checked for UTF-8 (a `.gz` is checked for the gzip magic instead). */
const TEXT_EXTENSIONS = ['.csv', '.jsonl', '.json', '.ndjson', '.tsv', '.txt'];

/**
 * A pass-through that hashes (sha256) and counts the bytes, and stops the stream as soon as the
 * file breaks a rule: more than `maxBytes`, invalid UTF-8 in a text file, a `.gz` that is not gzip.
 */
export class FileInspector extends Transform {
  private readonly hash = createHash('sha256');
  private readonly checkUtf8: boolean;
  /** the first bytes of a character split across chunks, checked with the next chunk */
  private carry: Buffer = Buffer.alloc(0);
  private readonly expectGzip: boolean;
  bytes = 0;
  /** set when the inspector stopped the stream; the store's error wraps it, this keeps it */
  failure: SkipFileError | undefined;

  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
    /**
     * Refuse a name without a data extension (RAW_DATA_FILE) as `unsupported_format`.
     * @default false: http downloads are named by their URL, which need not have one
     */
    private readonly requireDataExtension = false,
  ) {
    super();
    const lower = name.toLowerCase();
    this.expectGzip = lower.endsWith('.gz');
    this.checkUtf8 = TEXT_EXTENSIONS.some((ext) => lower.endsWith(ext));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const before = this.bytes;
    this.bytes += chunk.length;
    if (before === 0 && this.requireDataExtension && !RAW_DATA_FILE.test(this.name)) {
      this.fail(
        new SkipFileError(
          'unsupported_format',
          `${this.name} is not a file the pipeline reads (CSV or JSON lines by extension: .csv, .txt, .jsonl, .ndjson, .json, each optionally .gz)`,
        ),
        callback,
      );
      return;
    }
    if (this.bytes > this.maxBytes) {
      this.fail(
        new SkipFileError('too_large', `${this.name} is larger than the limit of ${this.maxBytes} bytes`),
        callback,
      );
      return;
    }
    if (this.expectGzip && before < 2) {
      const magic = [0x1f, 0x8b];
      for (let i = 0; i < chunk.length && before + i < 2; i++) {
        if (chunk[i] !== magic[before + i]) {
          this.fail(
            new SkipFileError('not_gzip', `${this.name} is named .gz but is not gzip (no 1f 8b magic bytes)`),
            callback,
          );
          return;
        }
      }
    }
    if (this.checkUtf8) {
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        this.fail(
          new SkipFileError(
            'binary_content',
            `${this.name} holds binary data (a NUL byte at offset ${before + nul}): not text the pipeline can read`,
          ),
          callback,
        );
        return;
      }
      const text = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      const end = completeCharactersEnd(text);
      if (!isUtf8(text.subarray(0, end))) {
        this.fail(notUtf8(this.name, before - this.carry.length), callback);
        return;
      }
      this.carry = Buffer.from(text.subarray(end));
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.checkUtf8 && this.carry.length > 0) {
      this.fail(notUtf8(this.name, this.bytes - this.carry.length), callback);
      return;
    }
    callback();
  }

  /** hex sha256 of every byte; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  private fail(error: SkipFileError, callback: TransformCallback): void {
    this.failure = error;
    callback(error);
  }
}

function notUtf8(name: string, offset: number): SkipFileError {
  return new SkipFileError('not_utf8', `${name} is not valid UTF-8 (in the bytes from offset ${offset})`);
}

/**
 * Where the last complete UTF-8 character of `bytes` ends: a multi-byte character cut by the
 * chunk boundary (at most 3 bytes) is left for the next chunk. Invalid bytes stay in range, so
 * isUtf8 rejects them.
 */
function completeCharactersEnd(bytes: Buffer): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(4, length); back++) {
    const byte = bytes[length - back]!;
    if (byte < 0x80) return length; // ASCII: everything before is complete
    if ((byte & 0xc0) === 0xc0) {
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return back < size ? length - back : length;
    }
  }
  return length;
}
