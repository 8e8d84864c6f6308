#!/usr/bin/env node
// The `lakepipe` command. It starts from the bundle `npm ci` built (tools/cli/build.mjs, run by
// the root postinstall) while no source of the CLI is newer than that build; otherwise it runs
// the TypeScript sources through tsx, so an edit is never ignored, and rebuilds in the background
// for the next command. LAKEPIPE_CLI_FROM=sources always runs the sources.
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshBundle } from './freshness.js';

const distDir = new URL('../dist/', import.meta.url);
const repoRoot = new URL('../../../', import.meta.url);

/** One background rebuild at a time (dist/.building names it; one left by a dead build expires). */
function rebuildInBackground() {
  if (process.env.LAKEPIPE_CLI_FROM === 'sources') return;
  const marker = new URL('.building', distDir);
  try {
    if (Date.now() - statSync(marker).mtimeMs < 120_000) return;
    unlinkSync(marker);
  } catch {
    // no build under way
  }
  try {
    closeSync(openSync(marker, 'wx'));
    const builder = new URL('../build.mjs', import.meta.url);
    spawn(process.execPath, [fileURLToPath(builder), '--quiet'], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    // no dist/ folder (esbuild missing at install) or another command started the build first
  }
}

const bundle = freshBundle(distDir, repoRoot);
if (process.env.LAKEPIPE_DEBUG)
  process.stderr.write(
    `lakepipe: ${bundle.entry ? `from ${fileURLToPath(bundle.entry)}` : `from sources (${bundle.why})`}\n`,
  );
if (bundle.entry) {
  await import(bundle.entry.href);
} else {
  rebuildInBackground();
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/bin.ts');
}
