#!/usr/bin/env node
// The `lakepipe` command. It starts from the bundle `npm ci` built (tools/cli/build.mjs, run by
// the root postinstall) while no source of the CLI is newer than that build; otherwise it runs
// the TypeScript sources through tsx, so an edit is never ignored, and rebuilds in the background
// for the next command. LAKEPIPE_CLI_FROM=sources always runs the sources.
import { startEntry } from './freshness.js';

await startEntry('lakepipe', new URL('../src/bin.ts', import.meta.url));
