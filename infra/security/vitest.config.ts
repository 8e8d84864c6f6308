import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

export default defineConfig({
  ...sharedTestConfig,
  // synthesizing every stack of every environment takes a while on a loaded machine
  test: { ...sharedTestConfig.test, testTimeout: 120_000, hookTimeout: 600_000 },
});
