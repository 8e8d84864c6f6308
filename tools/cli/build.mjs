#!/usr/bin/env node
// Bundles the `lakepipe` CLI (src/bin.ts and every @lakepipe workspace module it reaches) with
// esbuild into dist/<build>/, so a command starts without transpiling TypeScript. Run by the root
// `postinstall` (npm ci stays the only set-up step) and again in the background by bin/lakepipe.js
// whenever a source is newer than the build. npm dependencies stay external (node_modules), and
// dynamic imports become chunks of their own, so each command still loads only what it uses.
// Never fails an install: without esbuild, or on a build error, bin/lakepipe.js runs the sources.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(cliRoot, '../..');
const distDir = path.join(cliRoot, 'dist');
const quiet = process.argv.includes('--quiet');
const say = (line) => quiet || process.stdout.write(`lakepipe build: ${line}\n`);

/**
 * What the bundle imports for an npm specifier: the specifier itself, except a deep import into a
 * package without an "exports" map (`@cdktf/provider-aws/lib/provider`), which tsx resolves like
 * require() but Node's ESM loader refuses as a directory import: that one becomes the file's path.
 */
function externalPath(specifier, resolveDir) {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  if (parts.length <= nameLength) return specifier;
  const require = createRequire(path.join(resolveDir, 'index.js'));
  try {
    const manifest = require.resolve(`${parts.slice(0, nameLength).join('/')}/package.json`);
    if (JSON.parse(readFileSync(manifest, 'utf8')).exports) return specifier;
    return require.resolve(specifier);
  } catch {
    return specifier;
  }
}

/** Keeps every npm package external; @lakepipe/* workspace packages (TypeScript sources) are bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@lakepipe/') || args.path.startsWith('node:')) return undefined;
      return { path: externalPath(args.path, args.resolveDir), external: true };
    });
  },
};

/**
 * Workspace modules are free of import side effects (bar the polyfills), so a barrel such as
 * @lakepipe/lake's index pulls in only what a command uses: `validate` does not load the S3 client
 * because lake's index also exports the S3 object store.
 */
const workspaceWithoutSideEffects = {
  name: 'workspace-without-side-effects',
  setup(build) {
    build.onResolve({ filter: /^(\.|@lakepipe\/)/ }, async (args) => {
      if (args.pluginData?.resolving || args.kind === 'entry-point') return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { resolving: true },
      });
      if (resolved.errors.length > 0 || resolved.external) return undefined;
      if (resolved.path.includes(`${path.sep}node_modules${path.sep}`) || /polyfill/.test(resolved.path))
        return { path: resolved.path };
      return { path: resolved.path, sideEffects: false };
    });
  },
};

/** Sources find files beside them through import.meta.url: keep pointing at the source file, not the bundle. */
const sourceLocation = {
  name: 'source-location',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.')) return undefined;
      const values = {
        url: JSON.stringify(pathToFileURL(args.path).href),
        dirname: JSON.stringify(path.dirname(args.path)),
        filename: JSON.stringify(args.path),
      };
      // Code only: an `import.meta.url` inside a string (a banner written into a Lambda bundle) stays.
      const contents = source
        .split('\n')
        .map((line) =>
          line.replace(/import\.meta\.(url|dirname|filename)\b/g, (match, key, offset) =>
            insideString(line.slice(0, offset)) ? match : values[key],
          ),
        )
        .join('\n');
      const loader = path.extname(args.path).slice(1).replace(/^[cm]/, '');
      return { contents, loader, resolveDir: path.dirname(args.path) };
    });
  },
};

/** Whether a line's text up to a point leaves a quote open (good enough for these sources). */
function insideString(before) {
  for (const quote of ["'", '"', '`']) if (before.split(quote).length % 2 === 0) return true;
  return false;
}

async function main() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    say('esbuild is not installed; `lakepipe` will run its TypeScript sources through tsx');
    return;
  }
  const builtAt = Date.now();
  const id = `${builtAt.toString(36)}-${process.pid}`;
  const outdir = path.join(distDir, id);
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild
    .build({
      entryPoints: { lakepipe: path.join(cliRoot, 'src/bin.ts') },
      absWorkingDir: repoRoot,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      metafile: true,
      logLevel: 'silent',
      sourcemap: false,
      plugins: [externalDependencies, workspaceWithoutSideEffects, sourceLocation],
    })
    .catch((error) => {
      rmSync(outdir, { recursive: true, force: true });
      throw error;
    });
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  // A package.json decides what a workspace import resolves to: an edit there is an edit of the CLI.
  const manifests = new Set(['package.json', 'tools/cli/package.json']);
  for (const file of sources) {
    const match = /^((?:packages|services|tools|infra)\/[^/]+)\//.exec(file);
    if (match && existsSync(path.join(repoRoot, match[1], 'package.json')))
      manifests.add(`${match[1]}/package.json`);
  }
  const record = {
    entry: `${id}/lakepipe.mjs`,
    builtAt,
    inputs: [...sources, ...manifests].sort(),
  };
  const temporary = path.join(distDir, `.build.${process.pid}.json`);
  writeFileSync(temporary, `${JSON.stringify(record, null, 1)}\n`);
  renameSync(temporary, path.join(distDir, 'build.json'));
  // Keep the two builds before this one: a command started from one may still load its chunks.
  const builds = readdirSync(distDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-z]+-\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number.parseInt(b, 36) - Number.parseInt(a, 36));
  for (const old of builds.slice(3)) rmSync(path.join(distDir, old), { recursive: true, force: true });
  say(
    `bundled ${sources.length} sources into ${path.relative(repoRoot, outdir)} in ${Date.now() - builtAt} ms`,
  );
}

try {
  await main();
} catch (error) {
  const first = error.errors?.[0];
  const where = first?.location ? ` at ${first.location.file}:${first.location.line}` : '';
  const why = first ? `${first.text}${where}` : error.message.split('\n')[0];
  say(`not bundled (${why}); \`lakepipe\` will run its TypeScript sources through tsx`);
} finally {
  rmSync(path.join(distDir, '.building'), { force: true });
}
