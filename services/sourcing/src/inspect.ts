import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';

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
  | 'copy_failed';

/** One file that cannot be landed; caught per file, never fails the stage. */
export class SkipFileError extends Error {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
    this.name = 'SkipFileError';
  }
}

/** Text formats checked for UTF-8 (a `.gz` is checked for the gzip magic instead). */
const TEXT_EXTENSIONS = ['.csv', '.jsonl', '.json', '.ndjson', '.tsv', '.txt'];

/**
 * A pass-through that hashes (sha256) and counts the bytes, and stops the stream as soon as the
 * file breaks a rule: more than `maxBytes`, invalid UTF-8 in a text file, a `.gz` that is not gzip.
 */
export class FileInspector extends Transform {
  private readonly hash = createHash('sha256');
  private readonly decoder: TextDecoder | undefined;
  private readonly expectGzip: boolean;
  bytes = 0;
  /** set when the inspector stopped the stream; the store's error wraps it, this keeps it */
  failure: SkipFileError | undefined;

  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
  ) {
    super();
    const lower = name.toLowerCase();
    this.expectGzip = lower.endsWith('.gz');
    this.decoder = TEXT_EXTENSIONS.some((ext) => lower.endsWith(ext))
      ? new TextDecoder('utf-8', { fatal: true })
      : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const before = this.bytes;
    this.bytes += chunk.length;
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
    if (this.decoder) {
      try {
        this.decoder.decode(chunk, { stream: true });
      } catch {
        this.fail(notUtf8(this.name, this.bytes - chunk.length), callback);
        return;
      }
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.decoder) {
      try {
        this.decoder.decode();
      } catch {
        this.fail(notUtf8(this.name, this.bytes), callback);
        return;
      }
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
  return new SkipFileError(
    'not_utf8',
    `${name} is not valid UTF-8 (first bad byte within the chunk at byte ${offset})`,
  );
}
