import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LedgerUnavailableError } from './errors';

/** The table a ledger role works on. */
export interface LedgerTableProps {
  /** A document client; createLedgerClient() configures retries and marshalling as the ledger expects. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Errors that mean "DynamoDB could not serve us right now", as opposed to a bad request. */
const UNAVAILABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** Runs one SDK call; a throttle or outage that outlived the SDK's retries becomes LedgerUnavailableError. */
export async function sendToTable<T>(
  tableName: string,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnavailable(error)) {
      const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
      throw new LedgerUnavailableError(tableName, operation, attempts, error);
    }
    throw error;
  }
}

export function stripKeys(item: Record<string, unknown> | undefined): Record<string, unknown> {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, ...rest } = item ?? {};
  return rest;
}

export function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function isUnavailable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name !== undefined && UNAVAILABLE_ERRORS.has(e.name)) return true;
  if (e?.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}
