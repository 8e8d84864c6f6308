/** The fixed states every compiled pipeline has, around its flow. */
export const RUN_DEFAULTS_STATE = 'Run defaults';
export const RUN_ID_STATE = 'Run id';
export const RUN_INPUT_STATE = 'Run input';
/** Maps the execution to its run id in the ledger, so an execution stopped from outside can be traced to its run. */
export const RECORD_EXECUTION_STATE = 'Record execution';
export const START_RUN_STATE = 'Start run';
/** `lakepipe redrive`: the input carries `redrive: true` and the run id of a FAILED or ABORTED run. */
export const REDRIVE_CHOICE_STATE = 'New run or redrive?';
export const RESTART_RUN_STATE = 'Restart run';
export const RUN_SUCCEEDED_STATE = 'Run succeeded';
export const NOTIFY_FAILURE_STATE = 'Notify failure';
/** Whether the failing execution holds the run: not when Start run, Restart run or Record execution failed. */
export const RUN_HELD_CHOICE_STATE = 'Run held by this execution?';
export const MARK_RUN_FAILED_STATE = 'Mark run failed';
export const RUN_FAILED_STATE = 'Run failed';

/** The shared failure path, in order: notify, mark the run failed (when this execution holds it), fail. */
export const FAILURE_PATH: readonly string[] = [
  NOTIFY_FAILURE_STATE,
  RUN_HELD_CHOICE_STATE,
  MARK_RUN_FAILED_STATE,
  RUN_FAILED_STATE,
];
