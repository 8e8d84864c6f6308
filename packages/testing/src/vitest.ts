import { inject } from 'vitest';
import './provided-context';

/** The DynamoDB Local endpoint started by `@lakepipe/testing/dynamodb-global-setup`. */
export function dynamoDbEndpoint(): string {
  return inject('dynamoDbEndpoint');
}

/** The s3rver endpoint started by `@lakepipe/testing/s3-global-setup`. */
export function s3Endpoint(): string {
  return inject('s3Endpoint');
}
