/** The base of every error the spark-etl service throws. */
export class SparkEtlError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SparkEtlError';
  }
}

/** One problem found in a dataset spec: where (path in pipeline.yaml, line when known) and what. */
export interface SpecIssue {
  /** path from the pipeline root, e.g. ['datasets', 'bench_tests', 'derive', 'dt'] */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** `pipeline.yaml:31` when the positions of the YAML are known */
  readonly location?: string;
}

/** A stage names a dataset the pipeline does not declare (a local engine run without validation). */
export class DatasetNotDeclaredError extends SparkEtlError {
  constructor(
    readonly stageId: string,
    readonly dataset: string,
    readonly declared: readonly string[],
  ) {
    super(
      `stage ${stageId}: dataset ${JSON.stringify(dataset)} is not declared under datasets: (declared: ${declared.join(', ') || 'none'})`,
    );
    this.name = 'DatasetNotDeclaredError';
  }
}

/** A dataset spec the ETL cannot run: every problem found, each with its path and line. */
export class SpecValidationError extends SparkEtlError {
  constructor(readonly issues: readonly SpecIssue[]) {
    super(
      `invalid dataset spec (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `  - ${i.path.join('.')}: ${i.message}${i.location ? ` at ${i.location}` : ''}`)
        .join('\n')}`,
    );
    this.name = 'SpecValidationError';
  }
}

/** A derived expression outside the SQL subset both Spark SQL and DuckDB accept. */
export class ExpressionError extends SparkEtlError {
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly detail: string,
  ) {
    super(`${detail} at position ${position + 1} of ${JSON.stringify(expression)}`);
    this.name = 'ExpressionError';
  }
}

/** More rows were rejected than the dataset allows: rejected rows are written, curated rows are not. */
export class RejectRatioExceededError extends SparkEtlError {
  constructor(
    readonly dataset: string,
    readonly rejectedRatio: number,
    readonly maxRejectRatio: number,
    readonly rejectedRows: number,
    readonly rowsRead: number,
    readonly rejectedPrefix: string,
  ) {
    super(
      `dataset ${dataset}: rejected ratio ${rejectedRatio.toFixed(4)} (${rejectedRows} of ${rowsRead} rows) is above maxRejectRatio ${maxRejectRatio}; curated/ and features/ were not published, inspect ${rejectedPrefix}`,
    );
    this.name = 'RejectRatioExceededError';
  }
}

/** The run has a raw file the ETL cannot read (unknown extension). */
export class UnsupportedFileError extends SparkEtlError {
  constructor(readonly key: string) {
    super(
      `raw file ${key} has an unsupported extension: use .csv, .jsonl (or .ndjson, .json), optionally .gz`,
    );
    this.name = 'UnsupportedFileError';
  }
}

/** `--etl-engine spark` needs the project's .venv with pyspark (tools/setup/setup-python.sh). */
export class SparkNotInstalledError extends SparkEtlError {
  constructor(readonly sparkSubmit: string) {
    super(
      `spark-submit not found at ${sparkSubmit}: run bash tools/setup/setup-python.sh (npm test's pretest does) to build .venv with pyspark`,
    );
    this.name = 'SparkNotInstalledError';
  }
}

/** The Spark job failed: its own error line (e.g. `UnsupportedFileError: raw file ...`) and exit code. */
export class SparkJobError extends SparkEtlError {
  constructor(
    readonly jobError: string,
    readonly exitCode: number,
  ) {
    super(`the Spark ETL job exited with code ${exitCode}: ${jobError || 'no error message on stderr'}`);
    this.name = 'SparkJobError';
  }
}

/** LAKEPIPE_ETL_ENGINE (`lakepipe run --etl-engine`) names an engine the ETL does not have. */
export class UnknownEtlEngineError extends SparkEtlError {
  constructor(readonly engine: string) {
    super(`--etl-engine ${JSON.stringify(engine)} is not an ETL engine: use duckdb or spark`);
    this.name = 'UnknownEtlEngineError';
  }
}
