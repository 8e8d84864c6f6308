// Types only: what the globalSetup modules `provide` and tests `inject`.
declare module 'vitest' {
  export interface ProvidedContext {
    /** set by `@lakepipe/testing/dynamodb-global-setup` */
    dynamoDbEndpoint: string;
    /** set by `@lakepipe/testing/s3-global-setup` */
    s3Endpoint: string;
  }
}

export {};
