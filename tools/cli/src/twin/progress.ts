import { formatDuration } from '../format/table';

export type StageState = 'pending' | 'running' | 'succeeded' | 'failed' | 'not run';

/** What the runner tells whoever watches a local run. */
export interface RunObserver {
  stageStarted(stageId: string, attempt: number): void;
  stageProgress(
    stageId: string,
    update: { readonly rows?: number; readonly files?: number; readonly message?: string },
  ): void;
  stageFinished(stageId: string, outcome: { readonly ok: boolean; readonly error?: string }): void;
  notification(line: string): void;
  /** a note about the run that is not a stage's (e.g. waiting for another run on the lake) */
  message?(text: string): void;
  close(): void;
}

interface StageLine {
  state: StageState;
  attempt: number;
  startedAt?: number;
  finishedAt?: number;
  rows?: number;
  files?: number;
  message?: string;
}

const SYMBOL: Record<StageState, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  'not run': '·',
};

/**
 * Per-stage progress: state, attempt, rows, rows per second and elapsed time. On a terminal the
 * block is redrawn in place a few times a second; elsewhere (CI, pipes) one line per event.
 */
export class ProgressDisplay implements RunObserver {
  private readonly stages = new Map<string, StageLine>();
  private timer?: NodeJS.Timeout;
  private drawnLines = 0;
  private readonly live: boolean;

  constructor(
    stageIds: readonly string[],
    private readonly out:
      | NodeJS.WriteStream
      | { write(text: string): unknown; isTTY?: boolean } = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    for (const id of stageIds) this.stages.set(id, { state: 'pending', attempt: 0 });
    this.live = Boolean(out.isTTY) && !process.env.CI;
    if (this.live) this.timer = setInterval(() => this.draw(), 250);
  }

  stageStarted(stageId: string, attempt: number): void {
    const line = this.line(stageId);
    line.state = 'running';
    line.attempt = attempt;
    line.startedAt ??= this.now();
    line.finishedAt = undefined;
    line.message = undefined;
    this.event(`${SYMBOL.running} ${stageId}: attempt ${attempt} started`);
  }

  stageProgress(stageId: string, update: { rows?: number; files?: number; message?: string }): void {
    Object.assign(this.line(stageId), update);
  }

  stageFinished(stageId: string, outcome: { ok: boolean; error?: string }): void {
    const line = this.line(stageId);
    line.state = outcome.ok ? 'succeeded' : 'failed';
    line.finishedAt = this.now();
    // the first line of an engine's error is its message; the rest (hints, SQL) is in the ledger
    if (!outcome.ok) line.message = outcome.error?.split('\n')[0];
    this.event(
      `${SYMBOL[line.state]} ${stageId}: attempt ${line.attempt} ${outcome.ok ? 'succeeded' : `failed: ${line.message ?? ''}`}${this.rate(line)}`,
    );
  }

  notification(text: string): void {
    this.event(`✉ ${text}`);
  }

  message(text: string): void {
    this.event(`… ${text}`);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const line of this.stages.values()) if (line.state === 'pending') line.state = 'not run';
    if (this.live) this.draw();
  }

  /** The block as it would be drawn now (also used by tests). */
  render(): string {
    const width = Math.max(...[...this.stages.keys()].map((k) => k.length), 5);
    return [...this.stages.entries()]
      .map(([id, s]) => {
        const elapsed =
          s.startedAt === undefined ? '' : formatDuration((s.finishedAt ?? this.now()) - s.startedAt);
        const attempt = s.attempt > 1 ? ` attempt ${s.attempt}` : '';
        const rows = s.rows === undefined ? '' : ` ${s.rows.toLocaleString('en-US')} rows${this.rate(s)}`;
        const files = s.files === undefined ? '' : ` ${s.files} files`;
        const note = s.message ? `  ${s.message}` : '';
        return `${SYMBOL[s.state]} ${id.padEnd(width)}  ${s.state.padEnd(9)}${attempt}${files}${rows}  ${elapsed}${note}`.trimEnd();
      })
      .join('\n');
  }

  private rate(s: StageLine): string {
    if (s.rows === undefined || s.startedAt === undefined) return '';
    const seconds = ((s.finishedAt ?? this.now()) - s.startedAt) / 1000;
    return seconds > 0.05 ? ` (${Math.round(s.rows / seconds).toLocaleString('en-US')} rows/s)` : '';
  }

  private line(stageId: string): StageLine {
    let line = this.stages.get(stageId);
    if (!line) {
      line = { state: 'pending', attempt: 0 };
      this.stages.set(stageId, line);
    }
    return line;
  }

  private event(text: string): void {
    if (this.live) {
      this.clear();
      this.out.write(`${text}\n`);
      this.draw();
    } else {
      this.out.write(`${text}\n`);
    }
  }

  private clear(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    this.clear();
    // one screen row per stage, or the cursor-up that redraws the block would miscount
    const width = Math.max(20, ((this.out as { columns?: number }).columns ?? 120) - 1);
    const block = this.render()
      .split('\n')
      .map((row) => (row.length > width ? `${row.slice(0, width - 1)}…` : row))
      .join('\n');
    this.out.write(`${block}\n`);
    this.drawnLines = block.split('\n').length;
  }
}
