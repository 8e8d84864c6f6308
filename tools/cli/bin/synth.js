#!/usr/bin/env node
// The cdktf app (infra/main.ts: every stack of every environment, or --env/--project/--stack/--outdir)
// as `npm run synth`, `lakepipe synth`, nx's synth targets and cdktf.json start it: from the bundle
// `npm ci` built (tools/cli/build.mjs, entry `synth`) while no source of the app is newer than that
// build, else from the TypeScript sources through tsx, rebuilding in the background for the next
// synth. The bundle writes byte for byte the same cdk.tf.json files. LAKEPIPE_CLI_FROM=sources always
// runs the sources.
import { fileURLToPath } from 'node:url';
import { freshBundle, rebuildInBackground } from './freshness.js';

const distDir = new URL('../dist/', import.meta.url);
const repoRoot = new URL('../../../', import.meta.url);

const bundle = freshBundle(distDir, repoRoot, process.env, 'synth');
if (process.env.LAKEPIPE_DEBUG)
  process.stderr.write(
    `synth: ${bundle.entry ? `from ${fileURLToPath(bundle.entry)}` : `from sources (${bundle.why})`}\n`,
  );
if (bundle.entry) {
  await import(bundle.entry.href);
} else {
  rebuildInBackground(distDir);
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('infra/main.ts', repoRoot).href);
}
