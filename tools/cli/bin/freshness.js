// Whether the CLI bundle in dist/ may be used: its build is at least as new as every file it was
// made from (the inputs esbuild read, recorded in dist/build.json at build time).
import { readFileSync, statSync } from 'node:fs';

/**
 * @param {URL} distDir the folder holding build.json and the builds (a URL ending in /)
 * @param {URL} repoRoot what the recorded inputs are relative to (a URL ending in /)
 * @returns {{ entry: URL } | { why: string }} the bundle's entry, or why the sources must run
 */
export function freshBundle(distDir, repoRoot, env = process.env) {
  if (env.LAKEPIPE_FROM_SOURCES === '1') return { why: 'LAKEPIPE_FROM_SOURCES=1' };
  let build;
  try {
    build = JSON.parse(readFileSync(new URL('build.json', distDir), 'utf8'));
  } catch {
    return { why: 'no build in tools/cli/dist' };
  }
  for (const input of build.inputs) {
    try {
      if (statSync(new URL(input, repoRoot)).mtimeMs >= build.builtAt)
        return { why: `${input} is newer than the build` };
    } catch {
      return { why: `${input} is gone` };
    }
  }
  return { entry: new URL(build.entry, distDir) };
}
