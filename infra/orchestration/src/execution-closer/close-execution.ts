import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys, markRunAborted, type RecoveryTarget } from '@lakepipe/ledger';
import { z } from 'zod';
import { ExecutionEventError } from '../errors';
import { EXECUTION_STATUS_CHANGE, STOPPED_STATUSES } from './stopped-execution';

/**
 * The parts of the event the closer reads. AWS adds fields over time (redriveCount, inputDetails…),
 * so other fields are allowed; `error` and `cause` are null when there is none.
 */
export const executionStatusChangeSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
  detail: z.object({
    executionArn: z.string().regex(/^arn:aws[\w-]*:states:[^:]*:\d*:execution:/, 'must be an execution ARN'),
    name: z.string().min(1),
    status: z.string().min(1),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

export type ExecutionStatusChange = z.infer<typeof executionStatusChangeSchema>;

/**
 * What the closer did with one event:
 * - `aborted`: the run was RUNNING in this execution; it and its RUNNING stage attempts are ABORTED now
 * - `not-running`: the run had already finished (the state machine's failure path marked it FAILED,
 *   or this is a redelivery of an event already handled): nothing changed
 * - `superseded`: another execution runs the run (a later redrive, or this execution never took the
 *   run: its id was reused, or it was a redrive of a run still RUNNING): nothing changed
 * - `unknown-execution`: the execution stopped before it recorded its run (or is not lakepipe's)
 * - `ignored`: a status the closer does not act on (RUNNING, SUCCEEDED…)
 */
export interface ClosedExecution {
  readonly executionArn: string;
  readonly status: string;
  readonly outcome: 'aborted' | 'not-running' | 'superseded' | 'unknown-execution' | 'ignored';
  readonly runId?: string;
  /** the stage summaries and attempts that were RUNNING, as `<stageId>` / `<stageId>#<attempt>` */
  readonly items: readonly string[];
}

/** Parses an EventBridge event into the execution status change, or throws naming each bad field and value. */
export function parseExecutionStatusChange(event: unknown): ExecutionStatusChange {
  const parsed = executionStatusChangeSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw new ExecutionEventError(
    parsed.error.issues.map((issue) => {
      const field = issue.path.join('.') || 'event';
      const value = issue.path.reduce<unknown>(
        (at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined),
        event,
      );
      return `${field} ${issue.message} (got ${JSON.stringify(value) ?? 'undefined'})`;
    }),
  );
}

/**
 * Closes the run of a Step Functions execution that ended ABORTED, TIMED_OUT or FAILED without the
 * state machine's own failure path (StopExecution, the execution's timeout, a States.Runtime error):
 * finds its run through the execution item the state machine wrote before starting the run
 * (`EXEC#<executionArn>`), checks that this execution still runs the run (the run's `execution`),
 * and marks the run and its RUNNING stage attempts ABORTED with `markRunAborted`, each write
 * conditioned on RUNNING. A second delivery of the same event changes nothing.
 */
export async function closeStoppedExecution(
  target: RecoveryTarget,
  event: unknown,
): Promise<ClosedExecution> {
  const { detail } = parseExecutionStatusChange(event);
  const { executionArn, status } = detail;
  const closed = { executionArn, status, items: [] as string[] };
  if (!(STOPPED_STATUSES as readonly string[]).includes(status)) return { ...closed, outcome: 'ignored' };

  const execution = await getItem(target, ledgerKeys.execution(executionArn));
  if (typeof execution?.runId !== 'string') return { ...closed, outcome: 'unknown-execution' };
  const runId = execution.runId;
  const run = await getItem(target, ledgerKeys.run(runId));
  // stopped between recording itself and starting the run: there is no run to close
  if (!run) return { ...closed, runId, outcome: 'not-running' };
  // A redrive is a new execution of the same run (Restart run sets the run's `execution`); an
  // execution that could not take the run (its id reused, a redrive of a running run) never set it.
  if (run.execution !== executionArn) return { ...closed, runId, outcome: 'superseded' };

  const result = await markRunAborted(target, runId, stopReason(detail));
  return { ...closed, runId, outcome: result.aborted ? 'aborted' : 'not-running', items: result.items };
}

/** The run's error cause: what stopped the execution, in words. */
function stopReason(detail: ExecutionStatusChange['detail']): string {
  const said = [detail.error, detail.cause].filter((part) => part).join(': ');
  const what: Record<string, string> = {
    ABORTED: `the Step Functions execution ${detail.name} was stopped (ABORTED)`,
    TIMED_OUT: `the Step Functions execution ${detail.name} timed out (TIMED_OUT)`,
    FAILED: `the Step Functions execution ${detail.name} failed outside the pipeline's failure path (FAILED)`,
  };
  return said ? `${what[detail.status]}: ${said}` : what[detail.status]!;
}

async function getItem(target: RecoveryTarget, key: { PK: string; SK: string }) {
  const { Item } = await target.client.send(
    new GetCommand({ TableName: target.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}
