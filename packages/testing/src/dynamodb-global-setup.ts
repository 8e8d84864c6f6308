import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './dynamodb-local';
import './provided-context';

/**
 * vitest globalSetup: one DynamoDB Local for the whole test run. Tests read its endpoint with
 * `inject('dynamoDbEndpoint')` (or `dynamoDbEndpoint()` from `@lakepipe/testing/vitest`) and
 * create their own uniquely named table.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', server.endpoint);
  return () => server.stop();
}
