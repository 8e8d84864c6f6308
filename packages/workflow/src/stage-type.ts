import type { ObjectStore } from '@lakepipe/lake';
import type { LedgerWriter } from '@lakepipe/ledger';
import type { z } from 'zod';
import type { DatasetContractPart } from './dataset-contract';
import type { DatasetSpec } from './dataset-spec';
import type { PipelineModel } from './pipeline-model';

/** Where a pipeline is compiled for: names and ARNs are derived from it, deterministically. */
export interface CompileTarget {
  /** dev | prod | a preview name */
  readonly env: string;
  readonly accountId: string;
  readonly region: string;
  /** `lakepipe-<env>-<component>` */
  resourceName(component: string): string;
  /** the lake bucket's name */
  readonly lakeBucket: string;
  /** the ledger table's name */
  readonly ledgerTable: string;
  /** the error topic's ARN */
  readonly errorTopicArn: string;
}

/**
 * The ARN of the lake key's alias (shared-infra creates `alias/lakepipe-<env>-data`): the ASL names
 * the key by it, with no Terraform token (SageMaker accepts an alias ARN for KmsKeyId).
 */
export function lakeKeyAliasArn(
  target: Pick<CompileTarget, 'region' | 'accountId' | 'resourceName'>,
): string {
  return `arn:aws:kms:${target.region}:${target.accountId}:alias/${target.resourceName('data')}`;
}

/** What a stage type gets when its stage is compiled. */
export interface StageCompileContext<A> {
  readonly stageId: string;
  readonly attributes: A;
  /**
   * The stage's `timeoutSeconds` (its own or the pipeline default): the service's own limit, e.g. the
   * Lambda's or the Glue job's timeout. The compiler always passes it.
   * @default unknown outside a compilation (e.g. when only permissions are asked): declare no serviceTimeoutSeconds
   */
  readonly timeoutSeconds?: number;
  readonly datasets: Readonly<Record<string, DatasetSpec>>;
  readonly pipelineName: string;
  readonly target: CompileTarget;
  /** the whole pipeline, for types that need more than datasets (e.g. declared views, other stages' attributes) */
  readonly pipeline?: PipelineModel;
  /**
   * The pipeline.yaml the stage was read from: attributes that name local files (a scoring stage's
   * `model:`) are relative to its folder.
   * @default none (a pipeline parsed from text): such paths are relative to the working directory
   */
  readonly pipelineFile?: string;
}

/** One ASL Task state of a stage, without Next/End/Retry/Catch/ResultPath (the compiler adds them). */
export interface StageTaskStep {
  /** unique within the stage, e.g. "run", "manifest"; the state is named `<stageId>.<key>` (`<stageId> #2.<key>` for a second use) */
  readonly key: string;
  readonly state: {
    readonly Type: 'Task';
    readonly Resource: string;
    readonly Parameters?: Readonly<Record<string, unknown>>;
    readonly ResultSelector?: Readonly<Record<string, unknown>>;
    readonly Comment?: string;
  };
  /**
   * The service's own timeout for this step (the Lambda's or the Glue job's): the compiler gives the
   * state this plus a margin, so the service reports its own error before the state times out.
   * @default none: the state's TimeoutSeconds is the stage's timeoutSeconds
   */
  readonly serviceTimeoutSeconds?: number;
  /**
   * Task-level retries for transient errors of this integration (e.g. Glue.ConcurrentRunsExceededException),
   * apart from the stage's own retry, which re-runs the whole attempt. Lambda tasks always get AWS's
   * recommended transient-error retry as well.
   * @default none beyond the Lambda transient retry
   */
  readonly retry?: readonly TaskRetry[];
}

/** One ASL Retrier of a task state. */
export interface TaskRetry {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  /** the cap on the backoff's growth */
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** One IAM statement (Allow) the orchestration role gets for a stage. */
export interface StagePermission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /**
   * IAM condition block, e.g. `{ StringEquals: { 'sagemaker:ModelArn': '...' } }`.
   * @default no condition
   */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** What a local engine gets: the twin's lake, ledger and a progress callback. */
export interface LocalStageContext {
  readonly env: string;
  readonly stageId: string;
  /** absolute path of the local lake folder (the twin's `.lake/`) */
  readonly lakeRoot: string;
  /** a folder store on lakeRoot */
  readonly store: ObjectStore;
  /** the service-facing side of the ledger: movements and claims (run and stage items are the state machine's) */
  readonly ledger: LedgerWriter;
  readonly datasets: Readonly<Record<string, DatasetSpec>>;
  /**
   * The validated pipeline the twin runs (for a stage that needs more than datasets, e.g. views).
   * @default none: an engine that needs it fails naming it
   */
  readonly pipeline?: PipelineModel;
  /** for the progress display: rows or files done so far */
  progress(update: { readonly rows?: number; readonly files?: number; readonly message?: string }): void;
  /**
   * Where the built-in `notify` stage (and the twin's failure notification) publishes locally.
   * @default none: a `notify` stage run locally fails with a message asking for a notifier
   */
  readonly notifier?: LocalNotifier;
}

/** The Parameters of an `arn:aws:states:::sns:publish` task, as the state machine resolved them. */
export interface NotifyMessage {
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Readonly<
    Record<string, { readonly DataType: string; readonly StringValue: string }>
  >;
}

/** The local twin's stand-in for the error topic (e.g. prints to the console and appends to a file). */
export interface LocalNotifier {
  /** Returns what SNS Publish returns. */
  publish(message: NotifyMessage): Promise<{ readonly MessageId: string }>;
}

/**
 * What a local engine runs for: the run and the stage, the attributes the stage type's schema
 * resolved, and the state's resolved Parameters (for engines that answer in an AWS shape).
 */
export interface LocalStepRequest<A = unknown> {
  readonly runId: string;
  readonly stageId: string;
  readonly attributes: A;
  /** the Task state's Parameters as the state machine resolved them */
  readonly parameters: unknown;
}

/**
 * A local engine for one step: returns what the AWS integration would have returned, as far as
 * the step's ResultSelector reads it (e.g. `{ Payload }` for lambda:invoke). What the stage
 * produced travels in its manifest, which the compiler's uniform step reads.
 */
export type LocalStepHandler<A = unknown> = {
  // method syntax: a handler typed for its stage's attributes is still a StageType<unknown>'s handler
  handle(request: LocalStepRequest<A>, context: LocalStageContext): Promise<unknown>;
}['handle'];

/**
 * A stage type, registered by the service that owns it. The workflow package knows no
 * service by name: it validates a stage's attributes with `attributes`, compiles it with
 * `compile`, and the local twin runs each step with `local[step.key]`.
 */
export interface StageType<A = unknown> {
  /** the `type:` value in pipeline.yaml, e.g. "spark-etl" */
  readonly type: string;
  readonly description: string;
  /** schema of the stage's own attributes (everything but type, retry, timeoutSeconds, comment) */
  readonly attributes: z.ZodType<A>;
  /**
   * Checks that need the whole pipeline (e.g. the dataset exists, the views named exist); returns
   * messages, empty when fine. Runs once every stage's attributes are parsed; the parser always
   * passes `pipeline`, the whole pipeline (its stages, views, datasets, flow and contracts).
   */
  validate?(
    context: Omit<StageCompileContext<A>, 'target'>,
  ): readonly { path: readonly (string | number)[]; message: string }[];
  /**
   * What the stage publishes about its dataset for other stages (the columns and types it writes,
   * e.g. curated/ or scored/, a threshold): merged into `PipelineModel.contracts`.
   * @default nothing
   */
  contract?(context: Omit<StageCompileContext<A>, 'target' | 'pipeline'>): readonly DatasetContractPart[];
  /**
   * The stage's Task states, in order; each result lands at `$.<stageId>` until the compiler's
   * manifest step replaces it with the manifest's counts. Parameters read the execution's `$.runId`.
   * The key "manifest" is the compiler's.
   */
  compile(context: StageCompileContext<A>): readonly StageTaskStep[];
  /**
   * What the state machine's role needs to run this stage's steps: exactly these actions on
   * exactly these resources (e.g. lambda:InvokeFunction on the function ARN; for `.sync`
   * integrations also the events:PutTargets/PutRule/DescribeRule on the managed rule; iam:PassRole).
   */
  permissions(context: StageCompileContext<A>): readonly StagePermission[];
  /**
   * Fields of the manifest's `counts` recorded as the attempt's `counts` in the ledger and added
   * to the run's `counters` (e.g. ["rowsRead", "curatedRows"]).
   * @default none: only the manifest as JSON is recorded
   */
  readonly counts?: readonly string[];
  /**
   * Whether the stage leaves `_manifests/run=<runId>/<stageId>.json` (packages/lake manifest.ts):
   * the compiler then adds one step, `<stageId>.manifest`, that reads it and puts its `counts` at
   * `$.<stageId>`. Only a stage that writes nothing to the lake (the built-in notify) says false.
   * @default true
   */
  readonly writesManifest?: boolean;
  /**
   * Error names retrying cannot fix (e.g. "RejectRatioExceededError"); a stage failing with one
   * of them is not retried. Added to the built-in list (States.Runtime, *ValidationError, InvalidInput...).
   * @default none beyond the built-in list
   */
  readonly nonRetryableErrors?: readonly string[];
  /** Local engines, keyed by step key; load heavy modules lazily (dynamic import) inside. */
  readonly local: Readonly<Record<string, LocalStepHandler<A>>>;
}
