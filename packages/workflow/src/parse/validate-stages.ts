import { SAFE_NAME } from '../dataset-spec';
import type { RetryPolicy, StageModel } from '../pipeline-model';
import { RESERVED_STAGE_IDS, STAGE_BASE_KEYS, stageBaseSchema } from '../pipeline-schema';
import type { StageRegistry } from '../registry';
import { didYouMean } from '../suggest';
import { isPlainObject, type ProblemReporter } from './positions';
import { reportZodIssues } from './zod-issues';

/** A stage id: a lower-case letter, then up to 62 of a-z, 0-9 or _ (the lake's naming rule). */
export const SAFE_ID = SAFE_NAME;

export interface StageValidationContext {
  readonly registry: StageRegistry;
  readonly defaultRetry: RetryPolicy;
  readonly defaultTimeout: number;
}

/** A stage whose attributes its type's schema accepted (its base keys may still be wrong). */
export interface TypedStage {
  readonly stageId: string;
  readonly type: string;
  readonly attributes: unknown;
  /** its own timeoutSeconds, else the pipeline default */
  readonly timeoutSeconds: number;
}

/**
 * `stages:` one by one: the id, the base keys (retry, timeoutSeconds, ...), then the registered
 * type's attributes. Returns the stages that passed all of them, and every stage whose attributes
 * parsed (for the whole-pipeline checks of validate-pipeline.ts).
 */
export function validateStages(
  reporter: ProblemReporter,
  rawStages: Readonly<Record<string, unknown>>,
  context: StageValidationContext,
): { stages: Record<string, StageModel>; typed: TypedStage[] } {
  const { registry } = context;
  const stages: Record<string, StageModel> = {};
  const typed: TypedStage[] = [];
  for (const [stageId, rawStage] of Object.entries(rawStages)) {
    const stagePath = ['stages', stageId];
    if (!SAFE_ID.test(stageId)) {
      reporter.report(
        stagePath,
        'is not an allowed stage id; use 1-63 characters: a lower-case letter, then a-z, 0-9 or _',
        { key: true },
      );
      continue;
    }
    if (RESERVED_STAGE_IDS.includes(stageId)) {
      reporter.report(
        stagePath,
        `is reserved by the workflow (reserved: ${RESERVED_STAGE_IDS.join(', ')}); rename the stage`,
        { key: true },
      );
      continue;
    }
    if (!isPlainObject(rawStage)) {
      reporter.report(stagePath, 'must be a map: { type: <stage type>, ...attributes }');
      continue;
    }
    const base = stageBaseSchema.safeParse(rawStage);
    if (!base.success) reportZodIssues(reporter, base.error.issues, stagePath, rawStage, stageBaseSchema);
    const typeName = rawStage.type;
    if (typeof typeName !== 'string') continue;
    const stageType = registry.get(typeName);
    if (!stageType) {
      reporter.report(
        [...stagePath, 'type'],
        `unknown stage type "${typeName}"; ${didYouMean(typeName, registry.names)}registered types: ${registry.names.join(', ')}`,
      );
      continue;
    }
    const attributes = Object.fromEntries(
      Object.entries(rawStage).filter(([k]) => !STAGE_BASE_KEYS.includes(k)),
    );
    const parsed = stageType.attributes.safeParse(attributes);
    if (!parsed.success) {
      reportZodIssues(
        reporter,
        parsed.error.issues,
        stagePath,
        attributes,
        stageType.attributes,
        STAGE_BASE_KEYS,
      );
      continue;
    }
    typed.push({
      stageId,
      type: typeName,
      attributes: parsed.data,
      timeoutSeconds: (base.success ? base.data.timeoutSeconds : undefined) ?? context.defaultTimeout,
    });
    if (!base.success) continue;
    stages[stageId] = {
      id: stageId,
      type: typeName,
      attributes: parsed.data as Record<string, unknown>,
      retry: { ...context.defaultRetry, ...base.data.retry },
      timeoutSeconds: base.data.timeoutSeconds ?? context.defaultTimeout,
      line: reporter.lineOfKey(stagePath),
    };
  }
  return { stages, typed };
}
