import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

export const workspaceRoot = path.dirname(fileURLToPath(import.meta.url));
// cdktf's Testing.app() and the test servers write under TMPDIR: keep it inside the workspace.
export const workspaceTmp = path.join(workspaceRoot, '.tmp');
mkdirSync(workspaceTmp, { recursive: true });

/** The vitest settings every project starts from; a project's vitest.config.ts spreads and extends it. */
export const sharedTestConfig = {
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/cdktf.out/**'],
    env: {
      TMPDIR: workspaceTmp,
      AWS_REGION: 'eu-west-1',
      NODE_OPTIONS: '--openssl-legacy-provider',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
} satisfies ViteUserConfig;
