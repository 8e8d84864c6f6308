import { randomBytes } from 'node:crypto';
import { InvalidRunIdError } from './errors';

export const RUN_ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-f]{6})$/;

/** A run id that sorts by time: `YYYYMMDDTHHMMSSZ-xxxxxx` (UTC, then 6 random hex digits). */
export function newRunId(now: Date = new Date(), suffix: string = randomBytes(3).toString('hex')): string {
  const iso = now.toISOString(); // 2026-11-26T06:45:00.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return assertRunId(`${stamp}-${suffix}`);
}

export function assertRunId(value: string): string {
  if (typeof value !== 'string' || !RUN_ID_PATTERN.test(value)) throw new InvalidRunIdError(String(value));
  return value;
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

/** The UTC instant a run id was minted at. */
export function runIdTime(runId: string): Date {
  const m = RUN_ID_PATTERN.exec(assertRunId(runId))!;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** The run's date as `YYYY-MM-DD`, used for `dt=` partitions of raw/. */
export function runIdDate(runId: string): string {
  return runIdTime(runId).toISOString().slice(0, 10);
}
