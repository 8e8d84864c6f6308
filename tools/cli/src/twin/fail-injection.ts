import { assertSafeName } from '@lakepipe/lake';
import { CliError, InvalidOptionError } from '../errors';

/** `--fail STAGE[:TIMES]`: the stage's local engine throws on its first TIMES attempts (default: every attempt). */
export interface FailureInjection {
  readonly stageId: string;
  /** attempts that fail before the engine is let through; Infinity = every attempt */
  readonly times: number;
}

export class InjectedFailureError extends CliError {
  constructor(stageId: string, attempt: number, times: number) {
    super(
      `injected failure in stage "${stageId}", attempt ${attempt} (--fail ${stageId}${Number.isFinite(times) ? `:${times}` : ''})`,
    );
    this.name = 'InjectedFailureError';
  }
}

export function parseFailureInjection(value: string): FailureInjection {
  const match = /^([^:]+)(?::(\d+))?$/.exec(value);
  if (!match) throw new InvalidOptionError('--fail', value, 'STAGE or STAGE:TIMES, e.g. etl:2');
  const stageId = match[1]!;
  try {
    assertSafeName('stage', stageId);
  } catch (error) {
    throw new InvalidOptionError('--fail', value, (error as Error).message);
  }
  const times = match[2] === undefined ? Number.POSITIVE_INFINITY : Number(match[2]);
  if (times < 1) throw new InvalidOptionError('--fail', value, 'TIMES must be at least 1');
  return { stageId, times };
}
