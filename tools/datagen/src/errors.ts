/** Options of generateBenchTests (or CLI flags) that cannot produce a data set. */
export class DatagenOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid bench_tests generator options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DatagenOptionsError';
  }
}
