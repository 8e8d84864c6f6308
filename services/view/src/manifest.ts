import { type ObjectStore, type StageManifest, writeStageManifest } from '@lakepipe/lake';

/** What a view stage did: the views it (re)created, the datasets whose scored partition it registered. */
export interface ViewStageResult {
  readonly runId: string;
  readonly stageId: string;
  readonly views: readonly string[];
  readonly datasets: readonly string[];
  readonly startedAt: Date;
  /** "athena" in the Lambda, "duckdb" in the local twin */
  readonly engine: string;
}

/**
 * The view stage's manifest, written the same way by the Lambda and the twin: counts of views and
 * registered datasets; no lake objects (views live in the catalog), their names under details.
 */
export function writeViewManifest(store: ObjectStore, result: ViewStageResult): Promise<StageManifest> {
  return writeStageManifest(store, {
    runId: result.runId,
    stageId: result.stageId,
    stageType: 'view',
    engine: result.engine,
    counts: { views: result.views.length, datasets: result.datasets.length },
    outputs: [],
    startedAt: result.startedAt,
    details: { views: [...result.views], datasets: [...result.datasets] },
  });
}
