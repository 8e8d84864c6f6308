/** The base of every error of the workflow package (parsing, registry, compiling). */
export class WorkflowError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkflowError';
  }
}

/** One problem in a pipeline file, positioned at the YAML node that caused it. */
export interface PipelineProblem {
  /** the file as given to parsePipeline / loadPipeline, e.g. `pipeline.yaml` */
  readonly file: string;
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
  /** dotted path of the offending key, e.g. `stages.etl.retry.maxAttempts` (empty for the whole file) */
  readonly path: string;
  /** what is wrong; what is allowed */
  readonly message: string;
}

function formatProblem(p: PipelineProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path} ` : ''}${p.message}`;
}

/** pipeline.yaml is invalid; `problems` lists every problem found, in file order. */
export class PipelineValidationError extends WorkflowError {
  constructor(readonly problems: readonly PipelineProblem[]) {
    const file = problems[0]?.file ?? 'pipeline';
    super(
      `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`,
    );
    this.name = 'PipelineValidationError';
  }
}

/** A `when:` condition that does not parse; `offset` is the 0-based index in the condition text. */
export class ConditionSyntaxError extends WorkflowError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ConditionSyntaxError';
  }
}

/** Two stage types registered under the same `type:` name, or a type named like the built-in one. */
export class StageRegistryError extends WorkflowError {
  constructor(message: string) {
    super(message);
    this.name = 'StageRegistryError';
  }
}

/** The model cannot be compiled (e.g. a stage type is missing from the registry it is compiled with). */
export class PipelineCompileError extends WorkflowError {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineCompileError';
  }
}

/** A stage run locally without something its local engine needs (e.g. the notify stage without a notifier). */
export class LocalEngineError extends WorkflowError {
  constructor(
    readonly stageId: string,
    message: string,
  ) {
    super(`stage ${stageId} ${message}`);
    this.name = 'LocalEngineError';
  }
}
