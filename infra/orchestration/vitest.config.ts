import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    // aws-local-stepfunctions needs Promise.withResolvers (Node 22), which Node 20 lacks
    setupFiles: ['@lakepipe/constructs/vitest-setup', '@lakepipe/workflow/polyfills'],
    // the execution closer's tests run the compiled state machine against DynamoDB Local
    globalSetup: ['@lakepipe/testing/dynamodb-global-setup'],
  },
});
