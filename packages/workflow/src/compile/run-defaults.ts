import { RECORD_EXECUTION_STATE, RUN_DEFAULTS_STATE, RUN_ID_STATE, RUN_INPUT_STATE } from './state-names';
import type { AslState } from './types';

// single-character delimiters only: AWS splits on each character of the delimiter, the local interpreter on the whole string
const part = (value: string, delimiter: string, index: number) =>
  `States.ArrayGetItem(States.StringSplit(${value}, '${delimiter}'), ${index})`;

/**
 * The start time cut into `[YYYY, MM, DD]` and `[HH, MM, SS]` (StartTime is `2026-11-30T09:57:47.123Z`,
 * or without the milliseconds): two fields of at most 7 intrinsic calls each, because AWS allows
 * at most 10 intrinsic functions in one field (the cloud-rules check counts them).
 */
function startClock(): { readonly 'date.$': string; readonly 'time.$': string } {
  const date = part('$$.Execution.StartTime', 'T', 0);
  const time = part('$$.Execution.StartTime', 'T', 1);
  return {
    'date.$': `States.StringSplit(${date}, '-')`,
    'time.$': `States.StringSplit(${part(part(time, '.', 0), 'Z', 0)}, ':')`,
  };
}

/** `YYYYMMDDTHHMMSSZ-<6 digits>` from the clock fields: 8 intrinsic calls. */
function mintedRunId(): string {
  const item = (field: string, index: number) => `States.ArrayGetItem($.clock.${field}, ${index})`;
  const stamp = [
    item('date', 0),
    item('date', 1),
    item('date', 2),
    item('time', 0),
    item('time', 1),
    item('time', 2),
  ];
  return `States.Format('{}{}{}T{}{}{}Z-{}', ${stamp.join(', ')}, States.MathRandom(100000, 999999))`;
}

/**
 * The three states that open every run: read the start clock, mint the defaults (run id,
 * trigger), then merge the input over them (an input's own runId wins).
 */
export function addRunDefaults(states: Record<string, AslState>): void {
  states[RUN_DEFAULTS_STATE] = {
    Type: 'Pass',
    Comment:
      'A run started without a runId (schedule, S3 event, console) gets one minted from the start time: YYYYMMDDTHHMMSSZ-<6 digits>',
    Parameters: { clock: startClock(), 'input.$': '$' },
    Next: RUN_ID_STATE,
  };
  states[RUN_ID_STATE] = {
    Type: 'Pass',
    Parameters: {
      defaults: { 'runId.$': mintedRunId(), trigger: 'manual' },
      'input.$': '$.input',
    },
    Next: RUN_INPUT_STATE,
  };
  states[RUN_INPUT_STATE] = {
    Type: 'Pass',
    Parameters: { 'state.$': 'States.JsonMerge($.defaults, $.input, false)' },
    OutputPath: '$.state',
    Next: RECORD_EXECUTION_STATE,
  };
}
