import { RUN_DEFAULTS_STATE, RUN_INPUT_STATE, START_RUN_STATE } from './state-names';
import type { AslState } from './types';

// single-character delimiters only: AWS splits on each character of the delimiter, the local interpreter on the whole string
const part = (value: string, delimiter: string, index: number) =>
  `States.ArrayGetItem(States.StringSplit(${value}, '${delimiter}'), ${index})`;

/** `YYYYMMDDTHHMMSSZ-<6 digits>` from the execution's start time, as an intrinsic. */
function mintedRunId(): string {
  const date = part('$$.Execution.StartTime', 'T', 0);
  const time = part('$$.Execution.StartTime', 'T', 1);
  const stamp = [
    part(date, '-', 0),
    part(date, '-', 1),
    part(date, '-', 2),
    part(time, ':', 0),
    part(time, ':', 1),
    part(part(part(time, ':', 2), '.', 0), 'Z', 0),
  ];
  return `States.Format('{}{}{}T{}{}{}Z-{}', ${stamp.join(', ')}, States.MathRandom(100000, 999999))`;
}

/** The two states that open every run: mint defaults (run id, trigger), then merge the input over them. */
export function addRunDefaults(states: Record<string, AslState>): void {
  states[RUN_DEFAULTS_STATE] = {
    Type: 'Pass',
    Comment:
      'A run started without a runId (schedule, S3 event, console) gets one minted from the start time: YYYYMMDDTHHMMSSZ-<6 digits>',
    Parameters: {
      defaults: { 'runId.$': mintedRunId(), trigger: 'manual' },
      'input.$': '$',
    },
    Next: RUN_INPUT_STATE,
  };
  states[RUN_INPUT_STATE] = {
    Type: 'Pass',
    Parameters: { 'state.$': 'States.JsonMerge($.defaults, $.input, false)' },
    OutputPath: '$.state',
    Next: START_RUN_STATE,
  };
}
