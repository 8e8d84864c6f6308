// What the execution closer's rule matches; SDK-free, so the stack (synth) imports only this.

/** The EventBridge `detail-type` of a Step Functions execution's status change. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/**
 * The statuses the closer acts on: an execution that ended without the state machine closing its
 * run (StopExecution, the execution's timeout; FAILED only when the failure path did not run,
 * otherwise its run is FAILED already and the closer changes nothing).
 */
export const STOPPED_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;
