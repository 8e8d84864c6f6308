#!/usr/bin/env node
// The `lakepipe` command. It starts from the bundle `npm ci` built (tools/cli/build.mjs, run by
// the root postinstall) while no source of the CLI is newer than that build; otherwise it runs
// the TypeScript sources through tsx, so an edit is never ignored, and rebuilds in the background
// for the next command. LAKEPIPE_CLI_FROM=sources always runs the sources.
import { fileURLToPath } from 'node:url';
import { freshBundle, rebuildInBackground } from './freshness.js';

const distDir = new URL('../dist/', import.meta.url);
const repoRoot = new URL('../../../', import.meta.url);

const bundle = freshBundle(distDir, repoRoot);
if (process.env.LAKEPIPE_DEBUG)
  process.stderr.write(
    `lakepipe: ${bundle.entry ? `from ${fileURLToPath(bundle.entry)}` : `from sources (${bundle.why})`}\n`,
  );
if (bundle.entry) {
  await import(bundle.entry.href);
} else {
  rebuildInBackground(distDir);
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/bin.ts');
}
