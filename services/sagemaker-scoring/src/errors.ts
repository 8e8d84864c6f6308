/** The base of every error the sagemaker-scoring service throws. */
export class SageMakerScoringError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SageMakerScoringError';
  }
}

/** A model file that is not an XGBoost JSON model, or one the scorer cannot evaluate exactly. */
export class ModelFormatError extends SageMakerScoringError {
  constructor(
    /** the model file (or a label for an in-memory model) */
    readonly file: string,
    /** the JSON path of the offending field, e.g. `learner.objective.name` */
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}: ${field} ${detail}`);
    this.name = 'ModelFormatError';
  }
}

/** A features row the scorer refuses (wrong column count, text in a number). */
export interface RejectedFeatureRow {
  /** the features file (key or path) */
  readonly file: string;
  /** 1-based line number in the file */
  readonly line: number;
  /** 1-based column; absent for a wrong column count */
  readonly column?: number;
  /** column_count | number */
  readonly rule: 'column_count' | 'number';
  /** a sentence */
  readonly reason: string;
  readonly rawValue?: string;
  readonly rawRecord: string;
}

/** Rows were rejected where the cloud transform would have failed: the stage fails too. */
export class FeatureRowsRejectedError extends SageMakerScoringError {
  constructor(
    readonly rejected: readonly RejectedFeatureRow[],
    readonly rejectedKey: string,
  ) {
    const first = rejected[0];
    super(
      `${rejected.length} features row(s) could not be scored (written to ${rejectedKey}); first: ` +
        (first ? `${first.file}:${first.line}: ${first.reason}` : 'none'),
    );
    this.name = 'FeatureRowsRejectedError';
  }
}

/** A region for which no built-in XGBoost 1.7-1 image is known. */
export class UnsupportedRegionError extends SageMakerScoringError {
  constructor(
    readonly region: string,
    readonly supported: readonly string[],
  ) {
    super(
      `region ${JSON.stringify(region)} has no known SageMaker XGBoost 1.7-1 image; supported regions: ${supported.join(', ')}`,
    );
    this.name = 'UnsupportedRegionError';
  }
}

/** The model does not fit a stage that would run it (e.g. a different number of features). */
export class ModelMismatchError extends SageMakerScoringError {
  constructor(
    readonly modelFile: string,
    readonly problems: readonly string[],
  ) {
    super(`${modelFile} does not fit the pipeline: ${problems.join('; ')}`);
    this.name = 'ModelMismatchError';
  }
}

/** A scored file line without a numeric score at its end (not SageMaker's `id,score` join). */
export class ScoredOutputError extends SageMakerScoringError {
  constructor(
    readonly key: string,
    readonly line: number,
    readonly text: string,
  ) {
    super(
      `${key}:${line}: expected "<id>,<score>" with a numeric score (got ${JSON.stringify(text.slice(0, 80))})`,
    );
    this.name = 'ScoredOutputError';
  }
}

/** The count Lambda got an event that is not `{ runId, stageId, dataset, threshold }`, or no bucket. */
export class ScoringCountEventError extends SageMakerScoringError {
  constructor(readonly problems: readonly string[]) {
    super(`the scoring count event is invalid: ${problems.join('; ')}`);
    this.name = 'ScoringCountEventError';
  }
}

/** A scoring stage's `model:` names a file that is not there (or an s3:// model where a local file is needed). */
export class ModelFileError extends SageMakerScoringError {
  constructor(
    /** the model as pipeline.yaml or the caller wrote it */
    readonly model: string,
    readonly detail: string,
  ) {
    super(`model ${JSON.stringify(model)} ${detail}`);
    this.name = 'ModelFileError';
  }
}

/** A file name the model artifact's tar header cannot hold (ustar names are at most 100 bytes). */
export class TarEntryNameTooLongError extends SageMakerScoringError {
  constructor(readonly entryName: string) {
    super(`tar entry name ${JSON.stringify(entryName)} is over 100 bytes`);
    this.name = 'TarEntryNameTooLongError';
  }
}

/** A features file that changed size while it was read: scoring a part of it would lose rows. */
export class FeaturesFileChangedError extends SageMakerScoringError {
  constructor(
    readonly file: string,
    readonly expectedBytes: number,
    readonly readBytes: number,
  ) {
    super(
      `${file} changed while it was read: ${readBytes} of its ${expectedBytes} bytes; score it once it is complete`,
    );
    this.name = 'FeaturesFileChangedError';
  }
}
