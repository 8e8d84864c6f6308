/** A local test server (DynamoDB Local, s3rver) that did not come up. */
export class TestServerStartError extends Error {
  constructor(
    readonly server: string,
    readonly detail: string,
  ) {
    super(`${server} did not start: ${detail}`);
    this.name = 'TestServerStartError';
  }
}
