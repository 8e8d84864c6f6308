/** The base of every error the lakepipe CLI and the local twin throw. */
export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A CLI option with a value it cannot use. */
export class InvalidOptionError extends CliError {
  constructor(
    readonly option: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${option} ${JSON.stringify(value)} is not valid: ${expected}`);
    this.name = 'InvalidOptionError';
  }
}

/** The local run ended with a failed execution; the message names the stage and the cause. */
export class LocalRunFailedError extends CliError {
  constructor(
    readonly runId: string,
    readonly stageId: string | undefined,
    readonly errorName: string,
    readonly causeText: string,
  ) {
    super(`run ${runId} FAILED${stageId ? ` in stage ${stageId}` : ''}: ${errorText(errorName, causeText)}`);
    this.name = 'LocalRunFailedError';
  }
}

/**
 * The engine's own words from an AWS-shaped cause: a failed Glue job's `ErrorMessage`, a transform
 * job's `FailureReason`, a Lambda's `errorMessage` (the cause JSON stays in the ledger as AWS gives it).
 */
/** `<name>: <cause>` in the engine's words, the name said once (an engine message often starts with it). */
export function errorText(name: string, cause: string): string {
  const readable = readableCause(cause);
  return readable.startsWith(`${name}: `) ? readable : `${name}: ${readable}`;
}

export function readableCause(cause: string): string {
  if (!cause.startsWith('{')) return cause;
  try {
    const parsed = JSON.parse(cause) as Record<string, unknown>;
    const text = parsed.ErrorMessage ?? parsed.FailureReason ?? parsed.errorMessage;
    return typeof text === 'string' ? text : cause;
  } catch {
    return cause;
  }
}

/** The lake's ledger server (DynamoDB Local) did not answer in time. */
export class LedgerServerUnavailableError extends CliError {
  constructor(
    readonly lakeRoot: string,
    readonly logFile: string,
    readonly state: string,
  ) {
    super(`the ledger server of ${lakeRoot} did not answer in time (${state}); see ${logFile}`);
    this.name = 'LedgerServerUnavailableError';
  }
}

/** `<lake>/_lakepipe/pipeline.json` is not what `lakepipe run` writes. */
export class LakePipelineFileError extends CliError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `${file} is not a pipeline record lakepipe wrote (${problem}); delete it and run again, or pass --config`,
    );
    this.name = 'LakePipelineFileError';
  }
}

/** A file a command was pointed at is not there: said in plain words, with the option that named it. */
export class MissingFileError extends CliError {
  constructor(
    readonly option: string,
    readonly file: string,
  ) {
    super(`${option} ${file}: there is no such file (looked in ${process.cwd()})`);
    this.name = 'MissingFileError';
  }
}

/** `lakepipe redrive RUN_ID` on a run that cannot be resumed (unknown, or it SUCCEEDED). */
export class RedriveRefusedError extends CliError {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`cannot redrive run ${runId}: ${reason}`);
    this.name = 'RedriveRefusedError';
  }
}

/** A compiled state machine definition without the state the twin binds an engine to. */
export class MissingStateError extends CliError {
  constructor(readonly stateName: string) {
    super(`the compiled definition has no state named ${stateName}`);
    this.name = 'MissingStateError';
  }
}

/** A colour of the serve page's palette that is not `#rrggbb`. */
export class InvalidColourError extends CliError {
  constructor(readonly colour: string) {
    super(`colour ${JSON.stringify(colour)} is not #rrggbb`);
    this.name = 'InvalidColourError';
  }
}
