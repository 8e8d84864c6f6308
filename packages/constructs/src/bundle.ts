import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BuildOptions, Message } from 'esbuild';
import { BundleError } from './errors';
import { workspaceRoot } from './workspace';
import { zipSync } from './zip';

// How a Lambda's code is built: an esbuild bundle, zipped deterministically, reused while its inputs
// are unchanged. The construct (node-function.ts) only asks for a bundle and deploys its zip.

/** What a bundle is built from. */
export interface BundleOptions {
  /** the TypeScript entry file (absolute) */
  readonly entry: string;
  /**
   * Modules left out of the bundle (the runtime provides them).
   * @default ['@aws-sdk/*'] (the Node.js 22 runtime ships AWS SDK v3)
   */
  readonly externalModules?: readonly string[];
  /**
   * Where the bundle is written.
   * @default `cdktf.out/bundles/<entry>-<hash of entry and externals>`
   */
  readonly bundleDir?: string;
}

// ESM bundles of CommonJS dependencies still call require(): give them one.
const ESM_REQUIRE_SHIM =
  "import { createRequire as __lakepipeCreateRequire } from 'node:module';\nconst require = __lakepipeCreateRequire(import.meta.url);";

export interface Bundle {
  readonly dir: string;
  readonly zipPath: string;
  readonly sha256: Buffer;
}

const BUNDLE_FILES = ['index.mjs', 'index.mjs.map'] as const;
const MANIFEST_FILE = 'bundle.json';
const MANIFEST_VERSION = 1;
// Files that change what esbuild resolves or how it compiles without being one of its inputs.
const RESOLUTION_INPUTS = ['package-lock.json', 'tsconfig.base.json'].map((f) => path.join(workspaceRoot, f));

/** What `<bundleDir>/bundle.json` records about the build that wrote the folder. */
interface BundleManifest {
  readonly version: number;
  /** esbuild version and options, entry and external modules */
  readonly buildKey: string;
  /** workspace-relative paths of every file esbuild read (its metafile inputs) */
  readonly inputs: readonly string[];
  readonly inputsDigest: string;
  /**
   * Path, mtime and size of each input when inputsDigest was last found true: while they are
   * unchanged the inputs are not read and hashed again (git's index does the same).
   * Absent in manifests written before it: the digest decides, and the stamp is added.
   */
  readonly inputsStamp?: string;
  readonly zipSha256: string;
}

/**
 * Bundles the entry into a folder whose path and content depend only on the code and options,
 * and zips the bundle beside it (`code.zip`, deterministic bytes). The folder is reused, with no
 * esbuild run, while every file the last build read still has the same bytes: within one process
 * (dev and prod share one build) and across runs through its `bundle.json`.
 * `LAKEPIPE_BUNDLE_CACHE=off` makes every function build afresh.
 */
export function bundle(props: BundleOptions): Bundle {
  const external = [...(props.externalModules ?? ['@aws-sdk/*'])];
  const key = createHash('sha256')
    .update(JSON.stringify({ entry: path.relative(workspaceRoot, props.entry), external }))
    .digest('hex')
    .slice(0, 12);
  const entryName = path.basename(props.entry).replace(/\.[cm]?[jt]sx?$/, '');
  const outdir = props.bundleDir ?? path.join(workspaceRoot, 'cdktf.out', 'bundles', `${entryName}-${key}`);
  const buildKey = JSON.stringify({
    esbuild: esbuildVersion(),
    entry: props.entry,
    external,
    options: BUILD_OPTIONS,
  });
  if (process.env.LAKEPIPE_BUNDLE_CACHE !== 'off') {
    const reused = reusableBundle(outdir, buildKey);
    if (reused) return reused;
  }

  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  let inputs: string[];
  try {
    const result = loadEsbuild().buildSync({
      ...BUILD_OPTIONS,
      entryPoints: [props.entry],
      outfile: path.join(outdir, 'index.mjs'),
      external,
      absWorkingDir: workspaceRoot,
      metafile: true,
    });
    inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(workspaceRoot, input));
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors ?? [{ text: String(error) } as Message];
    throw new BundleError(
      props.entry,
      messages.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`),
    );
  }
  const zip = zipSync(BUNDLE_FILES.map((name) => ({ name, data: readFileSync(path.join(outdir, name)) })));
  const zipPath = path.join(outdir, 'code.zip');
  writeFileSync(zipPath, zip);
  const built: Bundle = { dir: outdir, zipPath, sha256: createHash('sha256').update(zip).digest() };
  const manifest: BundleManifest = {
    version: MANIFEST_VERSION,
    buildKey,
    inputs: inputs.map((input) => path.relative(workspaceRoot, input)),
    inputsDigest: digestOf(inputs),
    inputsStamp: stampOf(inputs),
    zipSha256: built.sha256.toString('hex'),
  };
  writeFileSync(path.join(outdir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  bundleMemo.set(outdir, { bundle: built, manifest });
  return built;
}

const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  // absolute paths would leak the build machine into the bundle and change its hash
  sourceRoot: '',
  sourcesContent: false,
  legalComments: 'none',
  banner: { js: ESM_REQUIRE_SHIM },
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** Bundles built or checked by this process, by folder: dev and prod share one build. */
const bundleMemo = new Map<string, { readonly bundle: Bundle; readonly manifest: BundleManifest }>();

/** The folder's bundle when the build that wrote it read exactly the files as they are now. */
function reusableBundle(outdir: string, buildKey: string): Bundle | undefined {
  let manifest = bundleMemo.get(outdir)?.manifest;
  const zipPath = path.join(outdir, 'code.zip');
  if (!manifest) {
    try {
      manifest = JSON.parse(readFileSync(path.join(outdir, MANIFEST_FILE), 'utf8')) as BundleManifest;
    } catch {
      return undefined;
    }
  }
  if (manifest.version !== MANIFEST_VERSION || manifest.buildKey !== buildKey) return undefined;
  const inputs = manifest.inputs.map((input) => path.resolve(workspaceRoot, input));
  const stamp = stampOf(inputs);
  if (stamp !== manifest.inputsStamp) {
    // touched (a checkout, an edit and its undo) or never stamped: the bytes decide
    if (digestOf(inputs) !== manifest.inputsDigest) return undefined;
    manifest = { ...manifest, inputsStamp: stamp };
    writeFileSync(path.join(outdir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  let zip: Buffer;
  try {
    zip = readFileSync(zipPath);
  } catch {
    return undefined;
  }
  const sha256 = createHash('sha256').update(zip).digest();
  if (sha256.toString('hex') !== manifest.zipSha256) return undefined;
  const reused: Bundle = { dir: outdir, zipPath, sha256 };
  bundleMemo.set(outdir, { bundle: reused, manifest });
  return reused;
}

/**
 * SHA-256 over the path and bytes of each input and of the files that steer resolution
 * (lockfile, base tsconfig); a missing file hashes as missing, so it never matches a build.
 */
function digestOf(inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const input of [...inputs, ...RESOLUTION_INPUTS]) {
    hash.update(input).update('\0');
    try {
      hash.update(readFileSync(input));
    } catch {
      hash.update('\0missing');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Path, mtime and size of each input and resolution file: a cheap stand-in for their bytes. */
function stampOf(inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const input of [...inputs, ...RESOLUTION_INPUTS]) {
    let stat: { mtimeMs: number; size: number } | undefined;
    try {
      stat = statSync(input);
    } catch {
      stat = undefined;
    }
    hash.update(`${input}\0${stat ? `${stat.mtimeMs}:${stat.size}` : 'missing'}\0`);
  }
  return hash.digest('hex');
}

// esbuild is loaded only when a bundle has to be built: a warm synth never starts it.
const requireHere = createRequire(import.meta.url);
let esbuildModule: typeof import('esbuild') | undefined;
function loadEsbuild(): typeof import('esbuild') {
  esbuildModule ??= requireHere('esbuild') as typeof import('esbuild');
  return esbuildModule;
}
function esbuildVersion(): string {
  return (requireHere('esbuild/package.json') as { version: string }).version;
}
