import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    globalSetup: ['@lakepipe/testing/dynamodb-global-setup', '@lakepipe/testing/s3-global-setup'],
    setupFiles: ['@lakepipe/constructs/vitest-setup', '@lakepipe/workflow/polyfills'],
  },
});
