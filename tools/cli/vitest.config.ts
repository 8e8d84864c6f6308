import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    // The ledger servers the tests' lakes start stop soon after the last command leaves them.
    env: { ...sharedTestConfig.test.env, LAKEPIPE_LEDGER_IDLE_SECONDS: '3' },
  },
});
