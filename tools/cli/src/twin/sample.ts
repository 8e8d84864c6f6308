import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { generateBenchTests } from '@lakepipe/datagen';
import type { FolderObjectStore } from '@lakepipe/lake';
import type { PipelineModel } from '@lakepipe/workflow';
import { InvalidOptionError } from '../errors';

/** The generated sample is always the same for the same size, so a second run finds the same files. */
export const SAMPLE_DATASET = 'bench_tests';
export const SAMPLE_SEED = 42;
export const SAMPLE_BAD_FRACTION = 0.01;

export interface SampleInfo {
  readonly files: number;
  readonly rows: number;
  /** false when the sample of that size was already in the landing prefix */
  readonly generated: boolean;
}

/**
 * Makes sure the landing prefix of the sample dataset holds the generated sample of `rows` rows.
 * The generator writes to a temporary folder that is moved into place, so sourcing never sees a
 * half-written sample; a record outside landing/ says which sample is there.
 */
export async function ensureSample(input: {
  readonly store: FolderObjectStore;
  readonly lakeRoot: string;
  readonly pipeline: PipelineModel;
  readonly rows: number;
}): Promise<SampleInfo | undefined> {
  const dataset = input.pipeline.datasets[SAMPLE_DATASET];
  if (dataset?.source.type !== 's3' || dataset.source.bucket) return undefined;
  const landing = input.store.pathOf(dataset.source.prefix);
  const recordFile = path.join(input.lakeRoot, '_sample', `${SAMPLE_DATASET}.json`);
  const wanted = {
    rows: input.rows,
    seed: SAMPLE_SEED,
    badFraction: SAMPLE_BAD_FRACTION,
    files: sampleFiles(input.rows),
  };
  if (existsSync(recordFile) && existsSync(landing)) {
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as typeof wanted & { fileCount: number };
    if (
      record.rows === wanted.rows &&
      record.seed === wanted.seed &&
      record.badFraction === wanted.badFraction
    ) {
      return { files: record.fileCount, rows: record.rows, generated: false };
    }
  }
  const staging = path.join(input.lakeRoot, '_sample', `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await generateBenchTests({ outDir: staging, ...wanted });
  mkdirSync(landing, { recursive: true });
  const names = (await readdir(staging)).filter((n) => !n.startsWith('_') && !n.startsWith('.'));
  for (const name of names) renameSync(path.join(staging, name), path.join(landing, name));
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(recordFile, JSON.stringify({ ...wanted, fileCount: names.length }, null, 2));
  return { files: names.length, rows: input.rows, generated: true };
}

/** About 10,000 rows a file, between 4 and 60 files: a few days of bench output. */
export function sampleFiles(rows: number): number {
  return Math.min(60, Math.max(4, Math.ceil(rows / 10_000)));
}

/** The pipeline with its dataset reading `dir` (the `directory` source kind) instead of its configured source. */
export function withDirectorySource(pipeline: PipelineModel, dir: string): PipelineModel {
  if (!existsSync(dir)) throw new InvalidOptionError('--source', dir, 'a folder that exists');
  const names = Object.keys(pipeline.datasets);
  if (names.length !== 1) {
    throw new InvalidOptionError(
      '--source',
      dir,
      `a pipeline with one dataset (this one has ${names.join(', ')})`,
    );
  }
  const datasets = Object.fromEntries(
    Object.entries(pipeline.datasets).map(([name, spec]) => [
      name,
      { ...spec, source: { type: 'directory' as const, path: dir } },
    ]),
  );
  return { ...pipeline, datasets };
}
