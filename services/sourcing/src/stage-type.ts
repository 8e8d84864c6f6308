import { type SourceSpec, type StageType, sourceSpec } from '@lakepipe/workflow';
import { z } from 'zod';
import type { IngestResult } from './ingest';

export interface SourcingAttributes {
  /** datasets to land; each must be declared under `datasets:` with a `source` */
  readonly datasets: readonly string[];
  /**
   * Lambda memory in MB (128-10240).
   * @default 1024 MB
   */
  readonly memoryMb?: number;
  /**
   * One source for every dataset of the stage, instead of each dataset's own `source`.
   * @default each dataset's `source` from pipeline.yaml
   */
  readonly sourceOverride?: SourceSpec;
}

export const DEFAULT_SOURCING_MEMORY_MB = 1024;

const sourcingAttributes = z.strictObject({
  datasets: z
    .array(z.string('must be a dataset name'), 'must be a list of dataset names')
    .min(1, 'must name at least one dataset'),
  memoryMb: z
    .number('must be a number of MB')
    .int('must be a whole number of MB')
    .min(128, 'must be at least 128 MB')
    .max(10240, 'must be at most 10240 MB')
    .optional(),
  sourceOverride: sourceSpec.optional(),
});

/** The function every sourcing stage of an environment invokes. */
export const SOURCING_COMPONENT = 'sourcing';

/** Each dataset's source as the Lambda receives it. */
export function resolveSources(
  attributes: SourcingAttributes,
  datasets: Readonly<Record<string, { readonly source: SourceSpec }>>,
): Record<string, SourceSpec> {
  return Object.fromEntries(
    attributes.datasets.map((name) => [name, attributes.sourceOverride ?? datasets[name]!.source]),
  );
}

/** Lambda's ceiling: a longer stage timeout is enforced by the state machine, not the function. */
export const SOURCING_MAX_TIMEOUT_SECONDS = 900;

/**
 * The timeout of the one sourcing function every sourcing stage shares: the largest stage timeout,
 * between 60 s and Lambda's 900 s. The stack sizes the function with it and the compiler gives
 * each ingest state this plus a margin, so the function reports its own timeout first.
 */
export function sourcingFunctionTimeoutSeconds(stageTimeouts: readonly number[]): number {
  return Math.min(SOURCING_MAX_TIMEOUT_SECONDS, Math.max(60, ...stageTimeouts));
}

/**
 * `type: sourcing`: lands new source files in raw/ (see ingest.ts). Cloud: one lambda:invoke of
 * `lakepipe-<env>-sourcing`; local: the same ingest over the twin's folder lake and ledger.
 */
export const sourcingStageType: StageType<SourcingAttributes> = {
  type: 'sourcing',
  description: 'lands new source files (s3 prefix, http URLs, local folder) in raw/ exactly once',
  attributes: sourcingAttributes,
  validate: ({ attributes, datasets }) =>
    attributes.datasets.flatMap((name, i) =>
      name in datasets
        ? []
        : [
            {
              path: ['datasets', i],
              message: `dataset "${name}" is not declared under datasets: (declared: ${Object.keys(datasets).join(', ') || 'none'})`,
            },
          ],
    ),
  compile: ({ stageId, attributes, datasets, target, timeoutSeconds, pipeline }) => [
    {
      key: 'ingest',
      // one function serves every sourcing stage: the state outlasts the function's own timeout
      serviceTimeoutSeconds: sourcingFunctionTimeoutSeconds(
        pipeline
          ? Object.values(pipeline.stages)
              .filter((s) => s.type === 'sourcing')
              .map((s) => s.timeoutSeconds)
          : [timeoutSeconds ?? SOURCING_MAX_TIMEOUT_SECONDS],
      ),
      state: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Comment: `sourcing: land ${attributes.datasets.join(', ')} in raw/`,
        Parameters: {
          FunctionName: sourcingFunctionArn(target),
          Payload: { 'runId.$': '$.runId', stageId, datasets: resolveSources(attributes, datasets) },
        },
        ResultSelector: {
          'files.$': '$.Payload.files',
          'bytes.$': '$.Payload.bytes',
          'duplicates.$': '$.Payload.duplicates',
          'skipped.$': '$.Payload.skipped',
          'quarantined.$': '$.Payload.quarantined',
        },
      },
    },
  ],
  permissions: ({ target }) => [
    { actions: ['lambda:InvokeFunction'], resources: [sourcingFunctionArn(target)] },
  ],
  counts: ['files', 'bytes', 'duplicates', 'skipped', 'quarantined'],
  nonRetryableErrors: ['SourcingConfigurationError', 'SourcingEventError'],
  local: {
    ingest: async ({ runId, stageId, attributes }, context) => {
      const { ingestSources } = await import('./ingest');
      let done = 0;
      const result: IngestResult = await ingestSources({
        runId,
        stageId,
        sources: resolveSources(attributes, context.datasets),
        store: context.store,
        ledger: context.ledger,
        onFile: (file) => context.progress({ files: ++done, message: `${file.status} ${file.name}` }),
      });
      // what lambda:invoke returns; the ResultSelector reads it, the manifest carries the counts
      return { Payload: result };
    },
  },
};

/** `arn:aws:lambda:<region>:<account>:function:lakepipe-<env>-sourcing`, no Terraform token. */
export function sourcingFunctionArn(target: {
  readonly region: string;
  readonly accountId: string;
  resourceName(component: string): string;
}): string {
  return `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName(SOURCING_COMPONENT)}`;
}
