import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import { CliError } from '../errors';

/**
 * Runs a DynamoDB service-integration Task exactly as Step Functions would: the state's resolved
 * Parameters are the API request, sent verbatim to DynamoDB Local. Both the optimized form
 * (`arn:aws:states:::dynamodb:updateItem`) and the SDK form (`arn:aws:states:::aws-sdk:dynamodb:transactWriteItems`)
 * are understood. The result is the API response without `$metadata`, as the state machine sees it.
 */
export async function runDynamoDbTask(
  client: DynamoDBClient,
  resource: string,
  parameters: unknown,
): Promise<unknown> {
  const match = /^arn:aws:states:::(?:aws-sdk:)?dynamodb:([a-zA-Z]+)(?:\.\w+)?$/.exec(resource);
  if (!match) throw new UnsupportedLocalTaskError(resource, 'it is not a DynamoDB integration');
  const action = match[1]!;
  const commandName = `${action[0]!.toUpperCase()}${action.slice(1)}Command`;
  const Command = (dynamodb as unknown as Record<string, new (input: unknown) => unknown>)[commandName];
  if (typeof Command !== 'function')
    throw new UnsupportedLocalTaskError(resource, `DynamoDB has no ${action} action`);
  try {
    const response: unknown = await client.send(
      new Command(parameters) as Parameters<DynamoDBClient['send']>[0],
    );
    const { $metadata: _metadata, ...output } = response as Record<string, unknown>;
    return output;
  } catch (error) {
    // Step Functions names SDK-integration errors DynamoDB.<ExceptionName>.
    const failure = new Error((error as Error).message);
    failure.name = `DynamoDB.${(error as Error).name}`;
    throw failure;
  }
}

export class UnsupportedLocalTaskError extends CliError {
  constructor(
    readonly resource: string,
    reason: string,
  ) {
    super(`the local twin cannot run Task resource ${resource}: ${reason}`);
    this.name = 'UnsupportedLocalTaskError';
  }
}
