#!/usr/bin/env node
// Bundles the `lakepipe` CLI (src/bin.ts and every @lakepipe workspace module it reaches) and the
// cdktf app (infra/main.ts, started by bin/synth.js: `npm run synth`, `lakepipe synth`, nx's synth
// targets) with esbuild into dist/<build>/, so neither starts by transpiling TypeScript. Run by the root
// `postinstall` (npm ci stays the only set-up step) and again in the background by bin/lakepipe.js
// and bin/synth.js whenever a source of their entry is newer than the build. npm dependencies stay external (node_modules) except a
// few small pure-JS ones every command loads (BUNDLED_DEPENDENCIES), and dynamic imports become
// chunks of their own, so each command still loads only what it uses.
// Never fails an install: without esbuild, or on a build error, bin/lakepipe.js runs the sources.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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

/**
 * Pure-JS packages every command loads, bundled like the workspace: as files in node_modules they
 * cost a module load each (zod is ~95 ES modules with every locale, yaml ~70 CommonJS files), which
 * was a third of `validate`'s start; bundled, zod is tree-shaken to what the schemas use. Bumping one
 * changes package-lock.json, an input of the build (below), so the next command rebuilds.
 */
const BUNDLED_DEPENDENCIES = new Set([
  'zod',
  'yaml',
  'commander',
  // only the synth entry reaches these: bundled, cdktf and the ~40 provider resources it uses load
  // as one file instead of ~500 CommonJS files Node's ESM loader would scan for named exports
  'cdktf',
  'constructs',
  '@cdktf/provider-aws',
]);
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Keeps every other npm package external; @lakepipe/* workspace packages (TypeScript sources) are bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@lakepipe/') || args.path.startsWith('node:')) return undefined;
      if (BUNDLED_DEPENDENCIES.has(packageOf(args.path))) return undefined;
      // what a bundled package requires is bundled with it (cdktf ships its own json-stable-stringify)
      if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return { path: externalPath(args.path, args.resolveDir), external: true };
    });
  },
};

/**
 * zod's `z.locales` namespace re-exports its error messages in ~45 languages; the CLI uses only
 * English (zod's default) and never names a locale, yet the namespace kept all of them in the
 * chunk every command that validates input loads (737 KB, most of it compiled at each start).
 * The locales index resolves to English alone here.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)) return undefined;
      return { path: path.join(args.resolveDir, '../locales/index.js'), namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: 'export { default as en } from "./en.js";\n',
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
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

/**
 * A named import from a workspace package's barrel (`import { lakePrefixes } from '@lakepipe/lake'`)
 * becomes an import of the files that define those names, so a command reaches only the modules it
 * uses: esbuild splits chunks by what imports what, and one barrel import would otherwise pull the
 * S3 client into `validate` because the same barrel also exports the S3 object store.
 * Anything it cannot map for certain (a name not found, `export =`, a renamed re-export) stays as it was.
 */
const barrels = new Map();

function barrelNames(pkg) {
  if (barrels.has(pkg)) return barrels.get(pkg);
  let names;
  try {
    // the workspace link in node_modules (a package's "exports" need not list its package.json)
    const manifest = realpathSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'));
    const dir = path.dirname(manifest);
    const entry = JSON.parse(readFileSync(manifest, 'utf8')).exports?.['.'];
    if (typeof entry === 'string' && entry.endsWith('.ts'))
      names = exportedNames(path.join(dir, entry), new Set());
  } catch {
    names = undefined;
  }
  barrels.set(pkg, names);
  return names;
}

/** name -> the file that declares it, following `export * from`; undefined when unsure. */
function exportedNames(file, seen) {
  if (seen.has(file)) return new Map();
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  const names = new Map();
  const declared =
    /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
  for (const match of source.matchAll(declared)) names.set(match[1], file);
  for (const match of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}(\s*from\s*['"][^'"]+['"])?/gm)) {
    for (const part of match[1].split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.set(name, file);
    }
  }
  for (const match of source.matchAll(/^export\s+\*\s+from\s+['"](\.[^'"]+)['"]/gm)) {
    const target = [`${match[1]}.ts`, `${match[1]}/index.ts`, match[1]]
      .map((candidate) => path.resolve(path.dirname(file), candidate))
      .find((candidate) => existsSync(candidate) && candidate.endsWith('.ts'));
    if (!target) return undefined;
    const inner = exportedNames(target, seen);
    if (!inner) return undefined;
    for (const [name, where] of inner) if (!names.has(name)) names.set(name, where);
  }
  if (/^export\s+(default|=)/m.test(source) || /^export\s+\*\s+as\s/m.test(source)) return undefined;
  return names;
}

function withoutBarrels(source) {
  return source.replace(/^import\s*\{([^}]*)\}\s*from\s*'(@lakepipe\/[\w-]+)';/gm, (statement, list, pkg) => {
    const names = barrelNames(pkg);
    if (!names) return statement;
    const byFile = new Map();
    for (const raw of list.split(',')) {
      const specifier = raw.trim();
      if (!specifier) continue;
      const imported = specifier
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]
        .trim();
      const file = names.get(imported);
      if (!file) return statement;
      byFile.set(file, [...(byFile.get(file) ?? []), specifier]);
    }
    return [...byFile]
      .map(([file, specifiers]) => `import { ${specifiers.join(', ')} } from ${JSON.stringify(file)};`)
      .join(' ');
  });
}

/**
 * Workspace sources as esbuild reads them: barrel imports made direct (above), and import.meta.url
 * still pointing at the source file, not the bundle, so files beside sources are found.
 */
const workspaceSources = {
  name: 'workspace-sources',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let contents = readFileSync(args.path, 'utf8');
      const loader = path.extname(args.path).slice(1).replace(/^[cm]/, '');
      if (loader === 'ts') contents = withoutBarrels(contents);
      if (contents.includes('import.meta.')) {
        const values = {
          url: JSON.stringify(pathToFileURL(args.path).href),
          dirname: JSON.stringify(path.dirname(args.path)),
          filename: JSON.stringify(args.path),
        };
        // Code only: an `import.meta.url` inside a string (a banner written into a Lambda bundle) stays.
        contents = contents
          .split('\n')
          .map((line) =>
            line.replace(/import\.meta\.(url|dirname|filename)\b/g, (match, key, offset) =>
              insideString(line.slice(0, offset)) ? match : values[key],
            ),
          )
          .join('\n');
      }
      return { contents, loader, resolveDir: path.dirname(args.path) };
    });
  },
};

/** Whether a line's text up to a point leaves a quote open (good enough for these sources). */
function insideString(before) {
  for (const quote of ["'", '"', '`']) if (before.split(quote).length % 2 === 0) return true;
  return false;
}

/** What each entry bundles, relative to the repository. */
const ENTRIES = { lakepipe: 'tools/cli/src/bin.ts', synth: 'infra/main.ts' };

/**
 * The sources an entry's code was made from: the inputs of its file and of every chunk it imports,
 * statically or lazily, plus the package.json files that decided what its workspace imports resolve
 * to, and package-lock.json (the versions of the bundled dependencies). An edit of infra/ makes only
 * the synth entry stale, an edit of the CLI only the CLI.
 */
function inputsOf(metafile, output) {
  const seen = new Set();
  const inputs = new Set();
  const visit = (file) => {
    if (seen.has(file) || !metafile.outputs[file]) return;
    seen.add(file);
    for (const input of Object.keys(metafile.outputs[file].inputs))
      if (!input.includes('node_modules/')) inputs.add(input);
    for (const imported of metafile.outputs[file].imports) if (!imported.external) visit(imported.path);
  };
  visit(output);
  const manifests = new Set(['package.json', 'package-lock.json', 'tools/cli/package.json']);
  for (const file of inputs) {
    const match = /^((?:packages|services|tools|infra)\/[^/]+)\//.exec(file);
    if (match && existsSync(path.join(repoRoot, match[1], 'package.json')))
      manifests.add(`${match[1]}/package.json`);
  }
  return [...inputs, ...manifests].sort();
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
      entryPoints: Object.fromEntries(
        Object.entries(ENTRIES).map(([name, source]) => [name, path.join(repoRoot, source)]),
      ),
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
      // the CommonJS packages bundled above (yaml, commander) call require()
      banner: {
        js: "import { createRequire as __lakepipeCreateRequire } from 'node:module'; const require = __lakepipeCreateRequire(import.meta.url);",
      },
      plugins: [externalDependencies, zodEnglishOnly, workspaceWithoutSideEffects, workspaceSources],
    })
    .catch((error) => {
      rmSync(outdir, { recursive: true, force: true });
      throw error;
    });
  const entries = Object.fromEntries(
    Object.keys(ENTRIES).map((name) => {
      const entry = `${id}/${name}.mjs`;
      return [
        name,
        { entry, inputs: inputsOf(result.metafile, path.relative(repoRoot, path.join(distDir, entry))) },
      ];
    }),
  );
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  // `entry` and `inputs`: the CLI's, as builds before the synth entry recorded them
  const record = { ...entries.lakepipe, builtAt, entries };
  const temporary = path.join(distDir, `.build.${process.pid}.json`);
  writeFileSync(temporary, `${JSON.stringify(record, null, 1)}\n`);
  renameSync(temporary, path.join(distDir, 'build.json'));
  // Keep the two builds before this one, and any from the last day: a command started from one
  // (a `serve` left running) may still load its chunks lazily.
  const builds = readdirSync(distDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-z]+-\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number.parseInt(b, 36) - Number.parseInt(a, 36));
  const dayAgo = builtAt - 24 * 3600_000;
  for (const old of builds.slice(3))
    if (Number.parseInt(old, 36) < dayAgo) rmSync(path.join(distDir, old), { recursive: true, force: true });
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
