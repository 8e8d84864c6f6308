import { type ObjectStore, writeStageManifest } from '@lakepipe/lake';
import type { IngestResult } from './outcome';

/**
 * Writes the sourcing stage's manifest: counts, the landed files as outputs, and why the others
 * were not landed (under `details.notLanded`).
 */
export async function writeSourcingManifest(
  store: ObjectStore,
  args: {
    readonly runId: string;
    readonly stageId: string;
    readonly result: IngestResult;
    readonly startedAt: Date;
  },
): Promise<void> {
  const { runId, stageId, result, startedAt } = args;
  const ingested = result.details.filter((d) => d.status === 'ingested');
  await writeStageManifest(store, {
    runId,
    stageId,
    stageType: 'sourcing',
    engine: store.kind === 's3' ? 'lambda' : 'local',
    counts: {
      files: result.files,
      bytes: result.bytes,
      duplicates: result.duplicates,
      skipped: result.skipped,
      quarantined: result.quarantined,
    },
    // raw/ files are copied byte for byte: their bytes and sha256 were measured while landing them
    outputs: ingested.map((d) => ({ key: d.rawKey!, bytes: d.bytes ?? 0, sha256: d.sha256 ?? '' })),
    startedAt,
    // the landed files are the outputs; the rest say why they were not landed
    details: { notLanded: result.details.filter((d) => d.status !== 'ingested') },
  });
}
