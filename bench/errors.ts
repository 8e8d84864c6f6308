/** The base of every error a benchmark throws. */
export class BenchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BenchError';
  }
}

/** A command a benchmark runs (a CLI, a synth, a reference scorer) exited with a failure. */
export class BenchCommandError extends BenchError {
  constructor(
    /** the command line, e.g. `lakepipe validate` */
    readonly command: string,
    readonly status: number | null,
    /** what it printed (stderr, then stdout) */
    readonly output: string,
  ) {
    super(`${command} exited with ${status}${output ? `:\n${output}` : ''}`);
    this.name = 'BenchCommandError';
  }
}

/** A benchmark's result is not what the run must give (so its timings would mean nothing). */
export class BenchResultError extends BenchError {
  constructor(
    /** what was checked, e.g. `files landed by the first run` */
    readonly check: string,
    readonly expected: string | number,
    readonly actual: string | number,
  ) {
    super(`${check}: expected ${expected}, got ${actual}`);
    this.name = 'BenchResultError';
  }
}

/** A benchmark helper script called without its arguments. */
export class BenchUsageError extends BenchError {
  constructor(readonly usage: string) {
    super(`usage: ${usage}`);
    this.name = 'BenchUsageError';
  }
}
