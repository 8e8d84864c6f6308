import { z } from 'zod';
import { StageManifestError } from './errors';
import { HashingTap, readAll } from './hashing';
import type { ObjectStore } from './object-store';
import { lakePrefixes } from './prefixes';

/** The version of the manifest layout below; a reader rejects any other. */
export const STAGE_MANIFEST_VERSION = 1;

/** A column of something a stage wrote, with its lake type (string, int, bigint, double, boolean, date, timestamp, decimal(p,s)). */
export const manifestColumnSchema = z.strictObject({ name: z.string().min(1), type: z.string().min(1) });
export type ManifestColumn = z.infer<typeof manifestColumnSchema>;

/** One object a stage wrote, as it lies in the lake. */
export const manifestOutputSchema = z.strictObject({
  key: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
});
export type ManifestOutput = z.infer<typeof manifestOutputSchema>;

const isoTime = z.iso.datetime({ message: 'must be an ISO-8601 UTC time, e.g. 2026-11-30T10:00:00.000Z' });

/**
 * What every stage leaves at `_manifests/run=<runId>/<stageId>.json` (DESIGN.md, "The lake
 * contract"), locally and in the cloud. The workflow's uniform read step puts `counts` at
 * `$.<stageId>` (so a choice reads `$.etl.rejectedRatio`) and the ledger records them.
 */
export const stageManifestSchema = z.strictObject({
  manifestVersion: z.literal(STAGE_MANIFEST_VERSION),
  runId: z.string().min(1),
  stageId: z.string().min(1),
  /** the stage type that wrote it, e.g. "spark-etl" */
  stageType: z.string().min(1),
  /** what did the work, e.g. "lambda", "duckdb", "spark", "sagemaker", "typescript-scorer" */
  engine: z.string().min(1),
  /** numbers the workflow and the ledger read: rows, files, ratios */
  counts: z.record(z.string(), z.number()),
  /** every object the stage wrote in this run, sorted by key */
  outputs: z.array(manifestOutputSchema),
  /** the columns of what it wrote, by lake area (e.g. curated, features, scored) */
  schema: z.record(z.string(), z.array(manifestColumnSchema)),
  timings: z.strictObject({
    startedAt: isoTime,
    finishedAt: isoTime,
    durationMs: z.number().int().nonnegative(),
  }),
  /** stage-specific detail (e.g. rows per partition, per file); small: the manifest is read into the state */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type StageManifest = z.infer<typeof stageManifestSchema>;

/** What a stage hands the writer; outputs given as keys are measured (bytes, sha256) from the store. */
export interface StageManifestInput {
  readonly runId: string;
  readonly stageId: string;
  readonly stageType: string;
  readonly engine: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly outputs: readonly (ManifestOutput | string)[];
  /**
   * Columns of what the stage wrote, by lake area.
   * @default {} — the stage wrote no table (e.g. sourcing copies files byte for byte)
   */
  readonly schema?: Readonly<Record<string, readonly ManifestColumn[]>>;
  readonly startedAt: Date;
  /** @default now */
  readonly finishedAt?: Date;
  /** @default none */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** bytes and sha256 of an object, streamed (never held in memory whole). */
export async function measureObject(store: ObjectStore, key: string): Promise<ManifestOutput> {
  const tap = new HashingTap();
  const body = await store.get(key);
  for await (const _chunk of body.pipe(tap)) {
    // drain: the tap hashes as bytes flow
  }
  return { key, bytes: tap.bytes, sha256: tap.digest() };
}

/** Builds, validates and writes a stage's manifest; returns what was written. */
export async function writeStageManifest(
  store: ObjectStore,
  input: StageManifestInput,
): Promise<StageManifest> {
  const outputs: ManifestOutput[] = [];
  for (const output of input.outputs)
    outputs.push(typeof output === 'string' ? await measureObject(store, output) : output);
  outputs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const finishedAt = input.finishedAt ?? new Date();
  const key = lakePrefixes.manifest(input.runId, input.stageId);
  const manifest = validate(key, {
    manifestVersion: STAGE_MANIFEST_VERSION,
    runId: input.runId,
    stageId: input.stageId,
    stageType: input.stageType,
    engine: input.engine,
    counts: { ...input.counts },
    outputs,
    schema: Object.fromEntries(Object.entries(input.schema ?? {}).map(([area, cols]) => [area, [...cols]])),
    timings: {
      startedAt: input.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.max(0, finishedAt.getTime() - input.startedAt.getTime()),
    },
    ...(input.details ? { details: { ...input.details } } : {}),
  });
  await store.put(key, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json' });
  return manifest;
}

/** Reads and validates `_manifests/run=<runId>/<stageId>.json`. Throws ObjectNotFoundError or StageManifestError. */
export async function readStageManifest(
  store: ObjectStore,
  runId: string,
  stageId: string,
): Promise<StageManifest> {
  const key = lakePrefixes.manifest(runId, stageId);
  return parseStageManifest((await readAll(await store.get(key))).toString('utf8'), key);
}

/** Parses a manifest's text; `key` names it in errors. */
export function parseStageManifest(text: string, key: string): StageManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StageManifestError(key, [`is not JSON (${(error as Error).message})`]);
  }
  return validate(key, value);
}

function validate(key: string, value: unknown): StageManifest {
  const parsed = stageManifestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new StageManifestError(
    key,
    parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || '(the manifest)';
      return `${field} ${issue.message} (got ${JSON.stringify(valueAt(value, issue.path))})`;
    }),
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
