// Whether the CLI bundle in dist/ may be used: its build is at least as new as every file it was
// made from (the inputs esbuild read, recorded in dist/build.json at build time).
// LAKEPIPE_CLI_FROM=sources always runs the sources; =bundle uses the build even after an edit.
import { readFileSync, statSync } from 'node:fs';

/**
 * @param {URL} distDir the folder holding build.json and the builds (a URL ending in /)
 * @param {URL} repoRoot what the recorded inputs are relative to (a URL ending in /)
 * @returns {{ entry: URL } | { why: string }} the bundle's entry, or why the sources must run
 */
export function freshBundle(distDir, repoRoot, env = process.env) {
  if (env.LAKEPIPE_CLI_FROM === 'sources') return { why: 'LAKEPIPE_CLI_FROM=sources' };
  let build;
  try {
    build = JSON.parse(readFileSync(new URL('build.json', distDir), 'utf8'));
  } catch {
    return { why: 'no build in tools/cli/dist' };
  }
  const entry = new URL(build.entry, distDir);
  for (const input of build.inputs) {
    let why;
    try {
      if (statSync(new URL(input, repoRoot)).mtimeMs >= build.builtAt)
        why = `${input} is newer than the build`;
    } catch {
      why = `${input} is gone`;
    }
    // LAKEPIPE_CLI_FROM=bundle: benchmarks in a tree others keep editing; the check above still runs
    if (why && env.LAKEPIPE_CLI_FROM !== 'bundle') return { why };
  }
  return { entry };
}
