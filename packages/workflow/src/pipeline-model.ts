import type { DatasetContract } from './dataset-contract';
import type { DatasetSpec } from './dataset-spec';
import type { StageType } from './stage-type';

/**
 * The typed model of a validated pipeline.yaml (parsing and validation live in this package).
 * Stacks and the local twin read this, never the raw YAML.
 */
export interface RetryPolicy {
  /** retries after the first attempt fails; 0 means no retry */
  readonly maxAttempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

export interface StageModel<A = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  /** the stage's own attributes, already validated by its stage type's schema */
  readonly attributes: A;
  /** defaults.retry merged with the stage's own retry */
  readonly retry: RetryPolicy;
  /** the stage's timeout, else defaults.timeoutSeconds */
  readonly timeoutSeconds: number;
  /** the line in pipeline.yaml where the stage is declared */
  readonly line?: number;
}

export interface ViewSpec {
  readonly description?: string;
  /** a SELECT over the lake's tables and built-in views, in the dialect common to Athena and DuckDB */
  readonly sql: string;
}

export type FlowStep =
  | { readonly kind: 'stage'; readonly stageId: string }
  | {
      readonly kind: 'choice';
      readonly branches: readonly { readonly when: string; readonly then: readonly FlowStep[] }[];
      readonly otherwise: readonly FlowStep[];
    }
  | { readonly kind: 'parallel'; readonly branches: readonly (readonly FlowStep[])[] };

export interface TriggerSpec {
  /** EventBridge schedule expression, e.g. cron(0 2 * * ? *) */
  readonly schedule?: string;
  /** a lake prefix; an object created under it starts the pipeline */
  readonly objectCreated?: string;
}

export interface PipelineModel {
  readonly name: string;
  readonly description?: string;
  readonly defaults: { readonly retry: RetryPolicy; readonly timeoutSeconds: number };
  readonly trigger: TriggerSpec;
  readonly datasets: Readonly<Record<string, DatasetSpec>>;
  readonly views: Readonly<Record<string, ViewSpec>>;
  readonly stages: Readonly<Record<string, StageModel>>;
  readonly flow: readonly FlowStep[];
  /**
   * What the stages publish about each dataset (StageType.contract), by dataset name.
   * @default none: no stage published anything (a model built by hand)
   */
  readonly contracts?: Readonly<Record<string, DatasetContract>>;
  /** the file it was read from, for messages */
  readonly sourceFile?: string;
}

/** The stages of one stage type, with the attributes its schema resolved, typed. */
export function stagesOf<A>(pipeline: PipelineModel, stageType: StageType<A>): readonly StageModel<A>[] {
  return Object.values(pipeline.stages).filter(
    (s) => s.type === stageType.type,
  ) as unknown as StageModel<A>[];
}
