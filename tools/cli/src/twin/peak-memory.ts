import { readFileSync, writeFileSync } from 'node:fs';
import type { RunObserver } from './progress';

/** Where the peak resident memory of this process is read, and (on Linux) reset. */
export interface RssProbe {
  /** the highest resident set size since the last reset (or since the process started), in bytes */
  peakBytes(): number;
  /** starts a new peak from the current resident size; false when the system cannot */
  reset(): boolean;
}

/**
 * Linux keeps a process's peak RSS as VmHWM in /proc/self/status; writing 5 to
 * /proc/self/clear_refs resets it to the current RSS. Elsewhere the peak is getrusage's maxRSS
 * and cannot be reset (every stage then shows the peak so far).
 */
export const procRssProbe: RssProbe = {
  peakBytes() {
    try {
      const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      if (kib !== undefined) return Number(kib) * 1024;
    } catch {
      // not Linux: getrusage's peak below
    }
    return process.resourceUsage().maxRSS * 1024;
  },
  reset() {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return true;
    } catch {
      return false;
    }
  },
};

/** The label of what ran between stages: sample generation, module loading, the ledger, the summary. */
export const OUTSIDE_STAGES = '(outside stages)';

/**
 * The peak RSS of this process (every thread: DuckDB's, the scorer's workers) while each stage ran.
 * At each stage start and end the peak since the previous boundary is given to the stages that ran
 * in between (to OUTSIDE_STAGES when none did) and the peak is reset, so a stage's number is its own,
 * not the run's so far. Child processes are not in it (DynamoDB Local's JVM, a Spark ETL's JVM).
 */
export class StagePeakMemory {
  private readonly running = new Set<string>();
  private readonly peaks = new Map<string, number>();
  private overall = 0;
  /** false when the probe cannot reset: every number is then the process's peak so far */
  readonly perStage: boolean;

  constructor(private readonly probe: RssProbe = procRssProbe) {
    // what the process reached before (module loading) counts as outside stages
    this.overall = probe.peakBytes();
    this.peaks.set(OUTSIDE_STAGES, this.overall);
    this.perStage = probe.reset();
  }

  /** Closes the interval up to now: its peak goes to the stages running in it, then a new one starts. */
  boundary(): void {
    const peak = this.probe.peakBytes();
    this.overall = Math.max(this.overall, peak);
    for (const label of this.running.size > 0 ? this.running : [OUTSIDE_STAGES])
      this.peaks.set(label, Math.max(this.peaks.get(label) ?? 0, peak));
    this.probe.reset();
  }

  started(stageId: string): void {
    this.boundary();
    this.running.add(stageId);
  }

  finished(stageId: string): void {
    this.boundary();
    this.running.delete(stageId);
  }

  /** The process's peak RSS so far, in bytes (every interval's peak, the one still open too). */
  peakBytes(): number {
    this.boundary();
    return this.overall;
  }

  /** Peak RSS in bytes by stage id (and OUTSIDE_STAGES), in the order they first ran. */
  byStage(): Record<string, number> {
    this.boundary();
    return Object.fromEntries(this.peaks);
  }

  /** The observer, with every stage start and end also marking a boundary here. */
  observing(observer: RunObserver): RunObserver {
    return {
      stageStarted: (stageId, attempt) => {
        this.started(stageId);
        observer.stageStarted(stageId, attempt);
      },
      stageProgress: (stageId, update) => observer.stageProgress(stageId, update),
      stageFinished: (stageId, outcome) => {
        this.finished(stageId);
        observer.stageFinished(stageId, outcome);
      },
      notification: (line) => observer.notification(line),
      message: (text) => observer.message?.(text),
      close: () => observer.close(),
    };
  }
}
