import { assertRunId, lakePrefixes, runIdDate } from '@lakepipe/lake';
import { InvalidNotificationError } from './errors';

/** One failure, as the support team receives it. */
export interface ErrorNotification {
  readonly runId: string;
  /** @default the message does not name a pipeline */
  readonly pipeline?: string;
  /** the stage (state) that failed, e.g. "etl" or "etl #2" */
  readonly stage: string;
  /** @default the attempt is not known (the state machine's failure path does not carry it) */
  readonly attempt?: number;
  /** e.g. "States.Timeout", "RejectRatioExceededError" */
  readonly errorName: string;
  readonly cause: string;
  /** lake prefixes the stage read or wrote, to inspect its input and partial output */
  readonly prefixes: readonly string[];
  /** how to look the run up */
  readonly lookup: { readonly cli: string; readonly http: string };
}

export interface FormattedNotification {
  /** at most 99 characters (SNS requires fewer than 100) */
  readonly subject: string;
  readonly body: string;
}

/** SNS Publish: "Subjects must be ... less than 100 characters long." */
export const SNS_SUBJECT_LIMIT = 99;

/** Builds an ErrorNotification, filling in the look-up hint and the run's manifest prefix. */
export function errorNotification(input: {
  readonly runId: string;
  readonly pipeline?: string;
  readonly stage: string;
  readonly attempt?: number;
  readonly errorName: string;
  readonly cause: string;
  readonly prefixes?: readonly string[];
}): ErrorNotification {
  assertRunId(input.runId);
  const manifests = lakePrefixes.manifests(input.runId);
  const prefixes = [...(input.prefixes ?? [])];
  if (!prefixes.includes(manifests)) prefixes.push(manifests);
  return {
    runId: input.runId,
    pipeline: input.pipeline,
    stage: input.stage,
    attempt: input.attempt,
    errorName: input.errorName,
    cause: input.cause,
    prefixes,
    lookup: { cli: `npx lakepipe status ${input.runId}`, http: `GET /runs/${input.runId}` },
  };
}

/** Subject (<= 99 characters, one line) and a plain-text body an on-call engineer can act on. */
export function formatNotification(n: ErrorNotification): FormattedNotification {
  const attempt = n.attempt === undefined ? '' : ` (attempt ${n.attempt})`;
  const subject = truncate(
    `lakepipe${n.pipeline ? ` ${n.pipeline}` : ''}: run ${n.runId} failed in ${n.stage}: ${n.errorName}`,
    SNS_SUBJECT_LIMIT,
  );
  const lines = [
    `Run ${n.runId}${n.pipeline ? ` of pipeline ${n.pipeline}` : ''} failed.`,
    '',
    `Stage:  ${n.stage}${attempt}`,
    `Error:  ${n.errorName}`,
    `Cause:  ${n.cause}`,
    '',
    'Lake prefixes involved:',
    ...n.prefixes.map((p) => `  ${p}`),
    '',
    'Look it up:',
    `  ${n.lookup.cli}`,
    `  ${n.lookup.http}   (the ledger HTTP API)`,
  ];
  return { subject, body: lines.join('\n') };
}

/** The failure message the compiled state machine publishes: `States.JsonToString($)` of its failure state. */
export function parseStateMachineFailure(
  message: string,
  prefixesFor?: (stage: string, runId: string) => readonly string[],
): ErrorNotification | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined; // a plain-text notice (the `notify` stage), not a failure
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const m = parsed as Record<string, unknown>;
  if (typeof m.runId !== 'string' || typeof m.stage !== 'string') return undefined;
  if (m.error !== undefined && typeof m.error !== 'string')
    throw new InvalidNotificationError('Message.error', m.error, 'a string (the error name)');
  return errorNotification({
    runId: m.runId,
    pipeline: typeof m.pipeline === 'string' ? m.pipeline : undefined,
    stage: m.stage,
    attempt: typeof m.attempt === 'number' ? m.attempt : undefined,
    errorName: (m.error as string | undefined) ?? 'Error',
    cause: typeof m.cause === 'string' ? m.cause : JSON.stringify(m.cause ?? ''),
    prefixes: prefixesFor?.(m.stage, m.runId),
  });
}

function truncate(text: string, limit: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= limit ? oneLine : `${oneLine.slice(0, limit - 1)}…`;
}

/**
 * Every prefix a run touches for one dataset (raw, curated partition of the run's date,
 * rejected, features, scored): a default `prefixesFor` when a stage's exact prefixes are unknown.
 */
export function datasetRunPrefixes(dataset: string, runId: string): readonly string[] {
  const date = runIdDate(runId);
  return [
    lakePrefixes.raw(dataset, date, runId),
    lakePrefixes.curated(dataset, date),
    lakePrefixes.rejected(dataset, runId),
    lakePrefixes.features(dataset, runId),
    lakePrefixes.scored(dataset, runId),
  ];
}
