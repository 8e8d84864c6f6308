import { CliError } from '../errors';

/** A Task state of the compiled state machine the twin has no local handler for. */
export class UnsupportedLocalTaskError extends CliError {
  constructor(
    readonly resource: string,
    reason: string,
  ) {
    super(`the local twin cannot run Task resource ${resource}: ${reason}`);
    this.name = 'UnsupportedLocalTaskError';
  }
}
