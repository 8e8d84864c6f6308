import { visitStates } from './asl';

/**
 * Retry pauses for a local run. In AWS a stage waits IntervalSeconds × BackoffRate^n between
 * attempts; locally the same number of attempts happen in the same order, but each retrier
 * pauses IntervalSeconds / `speedup` (aws-local-stepfunctions takes one pause per retrier, so
 * the backoff growth is not reproduced) — a `--fail etl:2` run should not sit idle for 30 s.
 */
export function localRetryIntervals(definition: unknown, speedup: number): Record<string, number[]> {
  const overrides: Record<string, number[]> = {};
  visitStates(definition, (name, state) => {
    const retriers = state.Retry as { IntervalSeconds?: number }[] | undefined;
    if (!Array.isArray(retriers) || retriers.length === 0) return;
    overrides[name] = retriers.map((r) => Math.round(((r.IntervalSeconds ?? 1) * 1000) / speedup));
  });
  return overrides;
}
