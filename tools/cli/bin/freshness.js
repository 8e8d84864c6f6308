// Whether an entry of the bundle in dist/ may be used (the `lakepipe` CLI, or `synth`: the cdktf
// app): its build is at least as new as every file that entry was made from (the inputs esbuild
// read, recorded per entry in dist/build.json at build time), and how to rebuild it when it is not.
// LAKEPIPE_CLI_FROM=sources always runs the sources; =bundle uses the build even after an edit.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const distDir = new URL('../dist/', import.meta.url);
const repoRoot = new URL('../../../', import.meta.url);

/**
 * Runs an entry: from the bundle while it is fresh, else from `sources` (a TypeScript file URL)
 * through tsx, rebuilding in the background for the next start. LAKEPIPE_DEBUG says which, prefixed
 * with `label`.
 * @param {string} name the bundle's entry: `lakepipe` or `synth`
 * @param {URL} sources the entry's TypeScript source
 * @param {string} label how the entry names itself in that line
 */
export async function startEntry(name, sources, label = name) {
  const bundle = freshBundle(distDir, repoRoot, process.env, name);
  if (process.env.LAKEPIPE_DEBUG)
    process.stderr.write(
      `${label}: ${bundle.entry ? `from ${fileURLToPath(bundle.entry)}` : `from sources (${bundle.why})`}\n`,
    );
  if (bundle.entry) {
    await import(bundle.entry.href);
    return;
  }
  rebuildInBackground(distDir);
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
}

/**
 * @param {URL} distDir the folder holding build.json and the builds (a URL ending in /)
 * @param {URL} repoRoot what the recorded inputs are relative to (a URL ending in /)
 * @param {string} name the entry: `lakepipe` or `synth`
 * @returns {{ entry: URL } | { why: string }} the bundle's entry, or why the sources must run
 */
export function freshBundle(distDir, repoRoot, env = process.env, name = 'lakepipe') {
  if (env.LAKEPIPE_CLI_FROM === 'sources') return { why: 'LAKEPIPE_CLI_FROM=sources' };
  let build;
  try {
    build = JSON.parse(readFileSync(new URL('build.json', distDir), 'utf8'));
  } catch {
    return { why: 'no build in tools/cli/dist' };
  }
  // a build made before the synth entry recorded the CLI's entry and inputs at its top level
  const recorded = build.entries?.[name] ?? (name === 'lakepipe' ? build : undefined);
  if (!recorded?.entry) return { why: `the build in tools/cli/dist has no ${name} entry` };
  const entry = new URL(recorded.entry, distDir);
  // paths, not URLs: stat'ing ~270 files by URL cost every command ~10 ms more
  const root = fileURLToPath(repoRoot);
  for (const input of recorded.inputs) {
    let why;
    const stat = statSync(root + input, { throwIfNoEntry: false });
    if (!stat) why = `${input} is gone`;
    else if (stat.mtimeMs >= build.builtAt) why = `${input} is newer than the build`;
    // LAKEPIPE_CLI_FROM=bundle: benchmarks in a tree others keep editing; the check above still runs
    if (why && env.LAKEPIPE_CLI_FROM !== 'bundle') return { why };
  }
  return { entry };
}

/** One background rebuild at a time (dist/.building names it; one left by a dead build expires). */
export function rebuildInBackground(distDir, env = process.env) {
  if (env.LAKEPIPE_CLI_FROM === 'sources') return;
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
