import { InvalidKeyPartError } from './errors';
import { assertObjectKey, assertSafeName } from './names';
import { assertRunId } from './run-id';

/**
 * Builders for every lake prefix (DESIGN.md, "The lake contract"). Prefixes end with `/`.
 * These are the only interface between services.
 */
const DT_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function dt(value: string): string {
  if (!DT_PATTERN.test(value))
    throw new InvalidKeyPartError('dt', value, 'is malformed: expected YYYY-MM-DD');
  return value;
}

function fileName(name: string): string {
  if (name.includes('/')) throw new InvalidKeyPartError('file name', name, 'must not contain /');
  return assertObjectKey(name);
}

export const lakePrefixes = {
  /** `landing/<dataset>/` inbound drops (optional source). */
  landing: (dataset: string) => `landing/${assertSafeName('dataset', dataset)}/`,
  /** `raw/<dataset>/` or, with a date and run, `raw/<dataset>/dt=YYYY-MM-DD/run=<runId>/`. */
  raw: (dataset: string, date?: string, runId?: string) => {
    const base = `raw/${assertSafeName('dataset', dataset)}/`;
    if (date === undefined) return base;
    const withDate = `${base}dt=${dt(date)}/`;
    return runId === undefined ? withDate : `${withDate}run=${assertRunId(runId)}/`;
  },
  rawObject: (dataset: string, date: string, runId: string, file: string) =>
    `${lakePrefixes.raw(dataset, date, runId)}${fileName(file)}`,
  /** `curated/<dataset>/` or `curated/<dataset>/dt=YYYY-MM-DD/`. */
  curated: (dataset: string, date?: string) =>
    `curated/${assertSafeName('dataset', dataset)}/${date === undefined ? '' : `dt=${dt(date)}/`}`,
  /** `rejected/<dataset>/` or `rejected/<dataset>/run=<runId>/`. */
  rejected: (dataset: string, runId?: string) => runScoped('rejected', dataset, runId),
  /** `features/<dataset>/` or `features/<dataset>/run=<runId>/`. */
  features: (dataset: string, runId?: string) => runScoped('features', dataset, runId),
  /** `scored/<dataset>/` or `scored/<dataset>/run=<runId>/`. */
  scored: (dataset: string, runId?: string) => runScoped('scored', dataset, runId),
  /** `quarantine/<dataset>/` or `quarantine/<dataset>/run=<runId>/`: source files the pipeline cannot read, with the reason. */
  quarantine: (dataset: string, runId?: string) => runScoped('quarantine', dataset, runId),
  quarantineObject: (dataset: string, runId: string, file: string) =>
    `${lakePrefixes.quarantine(dataset, runId)}${fileName(file)}`,
  /** `_manifests/run=<runId>/` where stages leave the counts the workflow reads. */
  manifests: (runId: string) => `_manifests/run=${assertRunId(runId)}/`,
  manifest: (runId: string, stageId: string) =>
    `${lakePrefixes.manifests(runId)}${assertSafeName('stage', stageId)}.json`,
} as const;

function runScoped(
  stage: 'rejected' | 'features' | 'scored' | 'quarantine',
  dataset: string,
  runId?: string,
): string {
  const base = `${stage}/${assertSafeName('dataset', dataset)}/`;
  return runId === undefined ? base : `${base}run=${assertRunId(runId)}/`;
}

export type LakeStage = 'landing' | 'raw' | 'curated' | 'rejected' | 'features' | 'scored' | 'quarantine';
export const LAKE_STAGES: readonly LakeStage[] = [
  'landing',
  'raw',
  'curated',
  'rejected',
  'features',
  'scored',
  'quarantine',
];
