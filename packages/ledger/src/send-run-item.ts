import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidLedgerInputError } from './errors';
import type { RunItemApi, RunItemRequest } from './run-items';

const COMMANDS: Record<RunItemApi, new (input: never) => unknown> = {
  getItem: GetItemCommand,
  putItem: PutItemCommand,
  updateItem: UpdateItemCommand,
  transactWriteItems: TransactWriteItemsCommand,
};

/**
 * Sends a run-item request whose values are all known, verbatim, as a Step Functions task sends
 * its resolved Parameters (and as the twin's DynamoDB tasks do). Either client works: a document
 * client passes commands of the plain DynamoDB API through unmarshalled. The answer is DynamoDB's
 * (AttributeValues), without `$metadata`.
 */
export async function sendRunItemRequest(
  client: DynamoDBClient | DynamoDBDocumentClient,
  request: RunItemRequest,
): Promise<Record<string, unknown>> {
  assertResolved(request.input, request.api);
  return send(client, request.api, request.input);
}

/**
 * Runs a ledger Task state of the compiled state machine as Step Functions does, for the twin and for
 * tests that run the state machine locally: its resolved Parameters are the `api` request, sent
 * verbatim; the answer is DynamoDB's without `$metadata`; an error is named `DynamoDB.<Exception>`,
 * as the state machine's Retry and Catch see it.
 */
export async function runLedgerTask(
  client: DynamoDBClient | DynamoDBDocumentClient,
  api: RunItemApi,
  parameters: unknown,
): Promise<Record<string, unknown>> {
  try {
    return await send(client, api, parameters);
  } catch (error) {
    const failure = new Error((error as Error).message);
    failure.name = `DynamoDB.${(error as Error).name}`;
    throw failure;
  }
}

async function send(
  client: DynamoDBClient | DynamoDBDocumentClient,
  api: RunItemApi,
  input: unknown,
): Promise<Record<string, unknown>> {
  const Command = COMMANDS[api];
  const response = (await (client as DynamoDBClient).send(
    new Command(input as never) as Parameters<DynamoDBClient['send']>[0],
  )) as unknown as Record<string, unknown>;
  const { $metadata: _metadata, ...output } = response;
  return output;
}

/** A state value (`"S.$"`) is Step Functions' to resolve: sent as is it would be a malformed request. */
function assertResolved(value: unknown, at: string): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) assertResolved(v, `${at}[${i}]`);
  } else if (typeof value === 'object' && value !== null)
    for (const [name, inner] of Object.entries(value)) {
      if (name.endsWith('.$'))
        throw new InvalidLedgerInputError(
          `${at}.${name}`,
          inner,
          'a known value (not a state path) when sent',
        );
      assertResolved(inner, `${at}.${name}`);
    }
}
