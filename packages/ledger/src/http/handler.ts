import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLedgerClient } from '../client';
import { LedgerConfigurationError } from '../errors';
import { LedgerTableQueries } from '../queries';
import { createLedgerRouter } from './router';

/** Module-level singletons, reused across invocations of a warm Lambda. */
const logger = new Logger({ serviceName: 'ledger-api' });
const tableName = process.env.LEDGER_TABLE_NAME;
const router = createLedgerRouter({
  ledger: new LedgerTableQueries({
    client: createLedgerClient({ maxAttempts: 5 }),
    tableName: tableName ?? 'unset',
  }),
  onUnexpectedError: (error) => logger.error('unexpected error', error),
});

/** API Gateway HTTP API (payload v2) → the ledger router. LEDGER_TABLE_NAME names the table. */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  if (tableName === undefined)
    throw new LedgerConfigurationError('LEDGER_TABLE_NAME', 'the ledger API function');
  logger.addContext(context);
  return router.resolve(event, context);
}
