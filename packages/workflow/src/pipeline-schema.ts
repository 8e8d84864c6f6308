import { z } from 'zod';
import { datasetSpec, safeNameSchema } from './dataset-spec';
import type { RetryPolicy } from './pipeline-model';

/** Used where pipeline.yaml leaves them out. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 2, intervalSeconds: 30, backoffRate: 2 };
export const DEFAULT_TIMEOUT_SECONDS = 3600;
/** Step Functions caps a task's TimeoutSeconds at one year; a day is plenty for a batch stage. */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** Keys of the execution state the workflow itself uses; a stage may not be named like them. */
export const RESERVED_STAGE_IDS: readonly string[] = ['trigger', 'error'];

const safeName = safeNameSchema;

export const retrySchema = z.strictObject({
  /** retries after the first attempt; 0 = no retry */
  maxAttempts: z
    .number('must be a number')
    .int('must be a whole number')
    .min(0, 'must be between 0 and 10')
    .max(10, 'must be between 0 and 10')
    .optional(),
  intervalSeconds: z
    .number('must be a number')
    .int('must be a whole number of seconds')
    .min(1, 'must be between 1 and 3600 seconds')
    .max(3600, 'must be between 1 and 3600 seconds')
    .optional(),
  backoffRate: z
    .number('must be a number')
    .min(1, 'must be between 1 and 10 (1 = a fixed interval)')
    .max(10, 'must be between 1 and 10 (1 = a fixed interval)')
    .optional(),
});

export const timeoutSchema = z
  .number('must be a number of seconds')
  .int('must be a whole number of seconds')
  .min(1, `must be between 1 and ${MAX_TIMEOUT_SECONDS} seconds`)
  .max(MAX_TIMEOUT_SECONDS, `must be between 1 and ${MAX_TIMEOUT_SECONDS} seconds`);

const CRON = /^cron\(\s*\S+(\s+\S+){5}\s*\)$/;
const RATE = /^rate\((1 (minute|hour|day)|[1-9]\d* (minutes|hours|days))\)$/;

export const triggerSchema = z.strictObject({
  schedule: z
    .string('must be a string')
    .refine((s) => CRON.test(s) || RATE.test(s), {
      message:
        'must be an EventBridge schedule: cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 2 * * ? *), or rate(N minutes|hours|days), e.g. rate(1 day)',
    })
    .optional(),
  objectCreated: z
    .string('must be a string')
    .regex(
      /^landing\/([a-z0-9_=.-]+\/)+$/,
      'must be a prefix under landing/ ending with /, e.g. landing/bench_tests/ (other prefixes are written by the pipeline itself and would start it again)',
    )
    .optional(),
});

export const viewSchema = z.strictObject({
  description: z.string('must be a string').optional(),
  sql: z.string('must be a string: a SELECT over the lake tables').min(1, 'must not be empty'),
});

export const stageBaseSchema = z.looseObject({
  type: z.string('is required: the stage type, e.g. notify'),
  retry: retrySchema.optional(),
  timeoutSeconds: timeoutSchema.optional(),
  comment: z.string('must be a string').optional(),
});
export const STAGE_BASE_KEYS: readonly string[] = ['type', 'retry', 'timeoutSeconds', 'comment'];

export const pipelineSchema = z.strictObject({
  name: z
    .string('is required: the pipeline name')
    .regex(/^[a-z][a-z0-9-]{0,47}$/, 'must be 1-48 lower-case letters, digits or -, starting with a letter'),
  description: z.string('must be a string').optional(),
  defaults: z
    .strictObject({
      retry: retrySchema.optional(),
      timeoutSeconds: timeoutSchema.optional(),
    })
    .optional(),
  trigger: triggerSchema.optional(),
  datasets: z.record(safeName, datasetSpec).optional(),
  views: z.record(safeName, viewSchema).optional(),
  // stages and flow are checked by hand: their messages need the registry and the stage ids
  stages: z.record(z.string(), z.unknown(), 'is required: a map of stage id -> { type, ... }'),
  flow: z.unknown(),
});
