import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared';

// Only this folder's own tests: the stack projects below (shared-infra, ...) run their own.
export default defineConfig({
  ...sharedTestConfig,
  test: { ...sharedTestConfig.test, include: ['*.test.ts'] },
});
