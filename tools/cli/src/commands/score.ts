import type { ScoredChunk } from '@lakepipe/sagemaker-scoring/scorer';
import type { Command } from 'commander';

/** `lakepipe score`: ad-hoc scoring of a features CSV with any supported XGBoost JSON model. */
export function register(program: Command): void {
  program
    .command('score')
    .description(
      'score a features CSV (id first, no header) with an XGBoost JSON or UBJSON model, exactly as XGBoost would',
    )
    .requiredOption(
      '--model <file>',
      'XGBoost model: JSON (Booster.save_model("x.json"), XGBoost >= 1.7) or UBJSON ("x.ubj"), gbtree',
    )
    .requiredOption(
      '--input <file>',
      'features CSV: the id, then the model features in order; empty = missing',
    )
    .requiredOption('--output <file>', 'where to write `id,score` lines (or the id and one column per class)')
    .option('--threshold <number>', 'count rows whose score (last column) is >= this as flagged', '0.5')
    .option('--rejected <file>', 'where rows that cannot be scored go (default: <output>.rejected.csv)')
    .option('--threads <n>', 'scoring threads (default: all cores for 50,000 rows or more)')
    .addHelpText(
      'after',
      '\nExit status: 0 when every row was scored, 1 when some rows were rejected (they are listed\nwith file:line and the reason in the rejected file, never scored as zero).',
    )
    .action(async (options: ScoreOptions) => {
      process.exitCode = await scoreCommand(options);
    });
}

export interface ScoreOptions {
  readonly model: string;
  readonly input: string;
  readonly output: string;
  readonly threshold?: string;
  readonly rejected?: string;
  readonly threads?: string;
}

/**
 * Files up to this size are read whole and scored by every thread at once; larger ones are scored
 * in line-aligned chunks of `chunkBytes`, so memory stays bounded (the kernel's memory holds a
 * chunk's rows at 8 bytes a value: a whole 600 MB file would need more than wasm's 4 GiB).
 */
const SCORE_LIMITS = { singleReadBytes: 64 * 1024 * 1024, chunkBytes: 64 * 1024 * 1024 };

/** Runs `lakepipe score`; returns the exit status. */
export async function scoreCommand(
  options: ScoreOptions,
  log: { write(text: string): unknown } = process.stderr,
  limits: { readonly singleReadBytes: number; readonly chunkBytes: number } = SCORE_LIMITS,
): Promise<number> {
  const [
    { writeFile, rename, rm },
    { createReadStream, createWriteStream, existsSync, statSync },
    { Readable },
    { pipeline },
    { InvalidOptionError, MissingFileError },
  ] = await Promise.all([
    import('node:fs/promises'),
    import('node:fs'),
    import('node:stream'),
    import('node:stream/promises'),
    import('../errors'),
  ]);
  const threshold = Number(options.threshold ?? '0.5');
  if (options.threshold !== undefined && (options.threshold.trim() === '' || !Number.isFinite(threshold)))
    throw new InvalidOptionError('--threshold', options.threshold, 'use a number, e.g. 0.5');
  const threads = options.threads === undefined ? undefined : Number(options.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64))
    throw new InvalidOptionError('--threads', String(options.threads), 'use a whole number between 1 and 64');
  for (const [option, file] of [
    ['--model', options.model],
    ['--input', options.input],
  ] as const)
    if (!existsSync(file)) throw new MissingFileError(option, file);

  // the scorer alone: not the stage type, its stack (cdktf) or the lake
  const [scoring, { readModelFile }] = await Promise.all([
    import('@lakepipe/sagemaker-scoring/scorer'),
    import('@lakepipe/sagemaker-scoring/model-file'),
  ]);
  const { Scorer, formatRejected } = scoring;
  const started = performance.now();
  const size = statSync(options.input).size;
  const whole = size <= limits.singleReadBytes;
  // a file read whole is read (off this thread) while the model is loaded
  const reading = whole ? scoring.readFeaturesFile(options.input) : undefined;
  reading?.catch(() => undefined); // a model that fails to load is the error to report
  // XGBoost JSON or UBJSON, read as a pipeline's `model:` is
  const scorer = new Scorer(readModelFile(options.model).model);
  if (process.env.LAKEPIPE_DEBUG) log.write(`lakepipe score: the ${scorer.kernelKind} kernel\n`);
  // the worker threads start while the file is read, when it may hold enough rows for them
  // (a row takes at least numFeature + 1 bytes: the commas and the line feed)
  scorer.prepare(Math.floor(Math.min(size, limits.chunkBytes) / (scorer.numFeature + 1)) + 1, { threads });
  const scoreOptions = { file: options.input, threshold, threads };
  const scored = { scoredRows: 0, flaggedRows: 0, rejected: [] as ScoredChunk['rejected'][number][] };
  const add = (chunk: Omit<ScoredChunk, 'parts'>) => {
    scored.scoredRows += chunk.scoredRows;
    scored.flaggedRows += chunk.flaggedRows;
    for (const row of chunk.rejected) scored.rejected.push(row);
  };
  if (reading) {
    const input = await reading.catch((error: NodeJS.ErrnoException) => {
      throw new InvalidOptionError(
        '--input',
        options.input,
        `cannot read it (${error.code ?? error.message})`,
      );
    });
    const result = await scoring.scoreFeatures(scorer, input, scoreOptions);
    add(result);
    await writeFile(options.output, result.parts);
  } else {
    const chunks = scoring.scoreChunks(scorer, createReadStream(options.input), {
      ...scoreOptions,
      chunkBytes: limits.chunkBytes,
    });
    async function* lines() {
      for await (const chunk of chunks) {
        add(chunk);
        yield* chunk.parts;
      }
    }
    // written beside the output and renamed when complete: a run stopped halfway leaves no
    // output that looks whole
    const partial = `${options.output}.lakepipe-partial`;
    try {
      await pipeline(Readable.from(lines()), createWriteStream(partial));
      await rename(partial, options.output);
    } finally {
      await rm(partial, { force: true });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  log.write(
    `scored ${scored.scoredRows} rows with ${options.model} (${scorer.model.objective}) -> ${options.output} ` +
      `in ${seconds.toFixed(2)} s; ${scored.flaggedRows} flagged at score >= ${threshold}\n`,
  );

  const rejectedFile = options.rejected ?? `${options.output}.rejected.csv`;
  if (scored.rejected.length === 0) {
    await rm(rejectedFile, { force: true }); // a stale file from an earlier run would mislead
    return 0;
  }
  await writeFile(rejectedFile, formatRejected(scored.rejected));
  const first = scored.rejected[0]!;
  log.write(
    `${scored.rejected.length} row(s) rejected -> ${rejectedFile}; first: ${first.file}:${first.line}: ${first.reason}\n`,
  );
  return 1;
}
