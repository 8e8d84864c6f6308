import { assertRunId, assertSafeName } from '@lakepipe/lake';
import { type SourceSpec, sourceSpec } from '@lakepipe/workflow';
import { z } from 'zod';
import { SourcingEventError } from './errors';

/** The Payload the state machine sends the sourcing Lambda (see stage-type.ts). */
export interface SourcingEvent {
  readonly runId: string;
  readonly stageId: string;
  /** dataset name -> where its files come from */
  readonly datasets: Readonly<Record<string, SourceSpec>>;
}

const sourcingEventSchema = z.strictObject({
  runId: z.string(),
  stageId: z.string(),
  datasets: z.record(z.string(), sourceSpec),
});

/** Validates an invocation's payload; every problem is named with its field and value. */
export function parseSourcingEvent(event: unknown): SourcingEvent {
  const parsed = sourcingEventSchema.safeParse(event);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${issue.path.join('.') || '(event)'}: ${issue.message}`);
    throw new SourcingEventError(problems);
  }
  const check = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  check(() => assertRunId(parsed.data.runId));
  check(() => assertSafeName('stage', parsed.data.stageId));
  for (const dataset of Object.keys(parsed.data.datasets)) check(() => assertSafeName('dataset', dataset));
  if (problems.length > 0) throw new SourcingEventError(problems);
  return parsed.data;
}
