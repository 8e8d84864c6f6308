import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface LedgerClientProps {
  /**
   * DynamoDB endpoint (DynamoDB Local for the twin and tests).
   * @default the regional AWS endpoint
   */
  readonly endpoint?: string;
  /** @default AWS_REGION from the environment */
  readonly region?: string;
  /**
   * Attempts per request, throttles included, with the SDK's exponential backoff and jitter.
   * @default 8
   */
  readonly maxAttempts?: number;
  /**
   * Static credentials (DynamoDB Local accepts any).
   * @default the SDK's default provider chain (the Lambda role in AWS)
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * A document client configured the way the ledger expects: undefined attributes dropped,
 * throttles retried with backoff `maxAttempts` times before Ledger reports LedgerUnavailableError.
 */
export function createLedgerClient(props: LedgerClientProps = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: props.endpoint,
    region: props.region,
    credentials: props.credentials,
    maxAttempts: props.maxAttempts ?? 8,
    retryMode: 'standard',
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
