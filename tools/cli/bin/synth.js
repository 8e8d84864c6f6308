#!/usr/bin/env node
// The cdktf app (infra/main.ts: every stack of every environment, or --env/--project/--stack/--outdir)
// as `npm run synth`, `lakepipe synth`, nx's synth targets and cdktf.json start it: from the bundle
// `npm ci` built (tools/cli/build.mjs, entry `synth`) while no source of the app is newer than that
// build, else from the TypeScript sources through tsx, rebuilding in the background for the next
// synth. The bundle writes byte for byte the same cdk.tf.json files. LAKEPIPE_CLI_FROM=sources always
// runs the sources.
import { startEntry } from './freshness.js';

await startEntry('synth', new URL('../../../infra/main.ts', import.meta.url));
