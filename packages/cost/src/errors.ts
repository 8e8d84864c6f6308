/** The base of every error of the cost package. */
export class CostError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CostError';
  }
}

/** One problem of a price book, a workload or a baseline: the field, the value received and what is allowed. */
export interface CostProblem {
  readonly field: string;
  readonly message: string;
}

/** A price book file that does not match the schema (every problem at once). */
export class PriceBookError extends CostError {
  constructor(
    readonly file: string,
    readonly problems: readonly CostProblem[],
  ) {
    super(
      `price book ${file} is not valid:\n${problems.map((p) => `  ${p.field || '(file)'}: ${p.message}`).join('\n')}`,
    );
    this.name = 'PriceBookError';
  }
}

/** A region, instance type or worker type the price book has no price for. */
export class UnpricedError extends CostError {
  constructor(
    readonly kind: string,
    readonly value: string,
    readonly priced: readonly string[],
    readonly where?: string,
  ) {
    super(
      `${kind} ${JSON.stringify(value)}${where ? ` (${where})` : ''} is not in the price book; priced: ${priced.join(', ') || 'none'}`,
    );
    this.name = 'UnpricedError';
  }
}

/** A workload or baseline value that cannot be priced (negative, missing, not a number). */
export class CostInputError extends CostError {
  constructor(readonly problems: readonly CostProblem[]) {
    super(
      problems.length === 1
        ? `${problems[0]!.field} ${problems[0]!.message}`
        : `cannot price this workload:\n${problems.map((p) => `  ${p.field} ${p.message}`).join('\n')}`,
    );
    this.name = 'CostInputError';
  }
}
