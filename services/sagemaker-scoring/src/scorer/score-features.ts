// the leaf module only: `lakepipe score` must not load the workflow package (ledger, AWS SDK)

import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DEFAULT_THRESHOLD } from '@lakepipe/workflow/dataset-contract';
import { FeaturesFileChangedError, type RejectedFeatureRow } from '../errors';
import { parseFeaturesCsv } from './features-csv';
import { countLineFeeds, lineAlignedChunks } from './line-chunks';
import { scoredLines } from './output';
import type { PredictOptions, Scorer } from './scorer';

export { formatScore } from './output';

export interface ScoreFeaturesOptions extends PredictOptions {
  /** the file's name or key, for rejected rows */
  readonly file: string;
  /**
   * A row is flagged when its score (the last output column) is >= threshold; the file itself
   * carries no flag column (SageMaker's join shape), the `<ds>_latest` view derives it.
   * @default 0.5
   */
  readonly threshold?: number;
}

export interface ScoredFeatures {
  /** `id,score` lines (or the id and one column per class), as SageMaker's join writes them */
  readonly output: Buffer;
  /** the same lines in the pieces the threads wrote (write these: no copy into one buffer) */
  readonly parts: readonly Uint8Array[];
  readonly scoredRows: number;
  readonly flaggedRows: number;
  readonly rejected: readonly RejectedFeatureRow[];
}

/** Scores one `features/` file: the output in SageMaker's `$[0,-1]` join shape, plus counts. */
export async function scoreFeatures(
  scorer: Scorer,
  bytes: Uint8Array,
  options: ScoreFeaturesOptions,
): Promise<ScoredFeatures> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  // every thread parses, scores and writes its own range of lines (the wasm kernel, large files)
  const ranges = await scorer.scoreCsvRanges(bytes, { ...options, threshold });
  if (ranges) {
    const parts = ranges.map((r) => r.output);
    let whole: Buffer | undefined;
    return {
      get output() {
        whole ??= Buffer.concat(parts);
        return whole;
      },
      parts,
      scoredRows: ranges.reduce((sum, r) => sum + r.rows, 0),
      flaggedRows: ranges.reduce((sum, r) => sum + r.flaggedRows, 0),
      rejected: ranges.flatMap((r) => r.rejected),
    };
  }
  // else the worker threads (if the batch is large enough for them) start while this thread parses
  scorer.prepare(countLineFeeds(bytes) + 1, options);
  const batch = parseFeaturesCsv(bytes, scorer.numFeature, options.file);
  const predictions = await scorer.predictParallel(batch.values, batch.rows, options);
  const { output, flaggedRows } = scoredLines(
    batch.bytes,
    batch.idStart,
    batch.idEnd,
    batch.rows,
    predictions,
    scorer.numOutputs,
    threshold,
  );
  return { output, parts: [output], scoredRows: batch.rows, flaggedRows, rejected: batch.rejected };
}

/** What scoreChunks yields for each chunk of a stream. */
export interface ScoredChunk {
  /** the chunk's `id,score` lines, in the pieces the threads wrote */
  readonly parts: readonly Uint8Array[];
  readonly scoredRows: number;
  readonly flaggedRows: number;
  /** rejected rows, with their line in the whole stream */
  readonly rejected: readonly RejectedFeatureRow[];
}

/**
 * Scores a features stream in line-aligned chunks of about `chunkBytes`, so a file of any size is
 * scored with bounded memory; rejected rows keep their line in the whole stream.
 */
export async function* scoreChunks(
  scorer: Scorer,
  stream: Readable,
  options: ScoreFeaturesOptions & { readonly chunkBytes: number },
): AsyncGenerator<ScoredChunk> {
  let lineOffset = 0;
  for await (const chunk of lineAlignedChunks(stream, options.chunkBytes)) {
    const scored = await scoreFeatures(scorer, chunk, options);
    const offset = lineOffset;
    lineOffset += countLineFeeds(chunk);
    yield {
      parts: scored.parts,
      scoredRows: scored.scoredRows,
      flaggedRows: scored.flaggedRows,
      rejected:
        offset === 0 ? scored.rejected : scored.rejected.map((r) => ({ ...r, line: r.line + offset })),
    };
  }
}

/**
 * A features file read onto shared memory, so the worker threads of scoreFeatures parse their
 * ranges of it in place (other bytes are copied there first). Read in up to 4 pieces at once
 * (libuv's threads): a fresh buffer's pages fault in on every core, twice as fast as one read.
 */
export async function readFeaturesFile(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    const pieces = Math.max(1, Math.min(READ_PIECES, Math.floor(size / READ_PIECE_MIN_BYTES)));
    const per = Math.ceil(size / pieces);
    const read = await Promise.all(
      Array.from({ length: pieces }, async (_, i) => {
        const start = i * per;
        const end = Math.min(size, start + per);
        let at = start;
        while (at < end) {
          const { bytesRead } = await handle.read(bytes, at, end - at, at);
          if (bytesRead === 0) break; // the file shrank while it was read
          at += bytesRead;
        }
        return at - start;
      }),
    );
    const total = read.reduce((sum, n) => sum + n, 0);
    if (total !== size) throw new FeaturesFileChangedError(file, size, total);
    return bytes;
  } finally {
    await handle.close();
  }
}

const READ_PIECES = 4;
const READ_PIECE_MIN_BYTES = 4 * 1024 * 1024;

/** The rejected rows as CSV: file, line, column, rule, reason, raw value, raw record. */
export function formatRejected(rejected: readonly RejectedFeatureRow[]): string {
  const header = 'source_file,line_number,column_number,reason_rule,reason,raw_value,raw_record\n';
  return (
    header +
    rejected
      .map((r) =>
        [r.file, r.line, r.column ?? '', r.rule, r.reason, r.rawValue ?? '', r.rawRecord]
          .map((v) => csvField(String(v)))
          .join(','),
      )
      .join('\n') +
    (rejected.length > 0 ? '\n' : '')
  );
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
