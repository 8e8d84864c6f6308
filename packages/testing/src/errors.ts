/** The base of every error of the testing package. */
export class TestingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TestingError';
  }
}

/** A local test server (DynamoDB Local, s3rver) that did not come up. */
export class TestServerStartError extends TestingError {
  constructor(
    readonly server: string,
    readonly detail: string,
  ) {
    super(`${server} did not start: ${detail}`);
    this.name = 'TestServerStartError';
  }
}
