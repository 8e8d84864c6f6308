/** The base of every error of the sample-data generator. */
export class DatagenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatagenError';
  }
}

/** Options of generateBenchTests (or CLI flags) that cannot produce a data set. */
export class DatagenOptionsError extends DatagenError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid bench_tests generator options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DatagenOptionsError';
  }
}
