import { Logger } from '@aws-lambda-powertools/logger';
import { createLedgerClient, type RecoveryTarget } from '@lakepipe/ledger';
import { ExecutionCloserConfigError } from '../errors';
import { type ClosedExecution, closeStoppedExecution } from './close-execution';

/** Module-level singletons, reused across invocations of a warm Lambda. */
const logger = new Logger({ serviceName: 'orchestration' });
let ledger: RecoveryTarget | undefined;

/** A closer over the given ledger; the Lambda builds it from its environment, tests pass DynamoDB Local. */
export function createExecutionCloser(target: () => RecoveryTarget) {
  return async (event: unknown): Promise<ClosedExecution> => {
    const closed = await closeStoppedExecution(target(), event);
    logger.info('execution closed', { ...closed });
    return closed;
  };
}

/** The ledger from the environment the stack sets: LEDGER_TABLE_NAME. */
export function ledgerFromEnvironment(env: NodeJS.ProcessEnv = process.env): RecoveryTarget {
  if (!env.LEDGER_TABLE_NAME) throw new ExecutionCloserConfigError('LEDGER_TABLE_NAME');
  return { client: createLedgerClient({ maxAttempts: 5 }), tableName: env.LEDGER_TABLE_NAME };
}

/** The Lambda entry point: an EventBridge "Step Functions Execution Status Change" event (ABORTED, TIMED_OUT, FAILED). */
export const handler = createExecutionCloser(() => {
  ledger ??= ledgerFromEnvironment();
  return ledger;
});
