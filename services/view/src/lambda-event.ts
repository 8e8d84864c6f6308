import { isRunId, isSafeName } from '@lakepipe/lake';
import { z } from 'zod';
import { InvalidViewEventError } from './errors';

/**
 * What the state machine sends the view Lambda: the run and stage, the datasets whose scored
 * partition to register, and the views to (re)create in order.
 * The SQL is resolved at compile time from pipeline.yaml, so the Lambda needs no pipeline.
 */
export const viewPublishEvent = z.strictObject({
  runId: z.string().refine(isRunId, 'must be a run id YYYYMMDDTHHMMSSZ-xxxxxx'),
  /** the stage whose manifest the Lambda writes */
  stageId: z.string().refine(isSafeName, 'must match ^[a-z][a-z0-9_]{0,62}$'),
  datasets: z.array(z.string().refine(isSafeName, 'must match ^[a-z][a-z0-9_]{0,62}$')),
  views: z
    .array(
      z.strictObject({
        name: z.string().refine(isSafeName, 'must match ^[a-z][a-z0-9_]{0,62}$'),
        sql: z.string().min(1),
      }),
    )
    .min(1),
});

export type ViewPublishEvent = z.infer<typeof viewPublishEvent>;

/** Parses an event; the message names every bad field and the value received. */
export function parseViewPublishEvent(event: unknown): ViewPublishEvent {
  const result = viewPublishEvent.safeParse(event);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join('.') || '(event)';
    let value: unknown = event;
    for (const key of issue.path)
      value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    return `${where} ${issue.message} (got ${JSON.stringify(value)})`;
  });
  throw new InvalidViewEventError(problems);
}
