import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const workspaceRoot = path.resolve(__dirname, '../../..');
const cli = path.join(workspaceRoot, 'tools/cli/bin/lakepipe.js');

/**
 * Runs a command from the install-time bundle with hooks that record every module file Node loads
 * (ES modules through a load hook, CommonJS through Module._load), and returns the node_modules
 * packages among them.
 */
function packagesLoadedBy(args: readonly string[]): { packages: Set<string>; stdout: string } {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  const dir = mkdtempSync(path.join(workspaceRoot, '.tmp', 'cli-startup-'));
  const log = path.join(dir, 'loaded.txt');
  try {
    writeFileSync(
      path.join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }
`,
    );
    writeFileSync(
      path.join(dir, 'register.mjs'),
      `import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try { appendFileSync(${JSON.stringify(log)}, Module._resolveFilename(request, parent, isMain) + '\\n'); } catch {}
  return load.apply(this, arguments);
};
`,
    );
    const child = spawnSync(process.execPath, ['--import', path.join(dir, 'register.mjs'), cli, ...args], {
      cwd: workspaceRoot,
      env: { ...process.env, LAKEPIPE_CLI_FROM: 'bundle', LAKEPIPE_DEBUG: '1' },
      encoding: 'utf8',
    });
    expect(child.stderr).toMatch(/^lakepipe: from .*dist/m);
    expect(child.status).toBe(0);
    const packages = new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    return { packages, stdout: child.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('what a command loads when it starts from the bundle', () => {
  beforeAll(() => {
    // the build npm ci made, or one now (a fresh clone in CI has run postinstall too)
    if (!existsSync(path.join(workspaceRoot, 'tools/cli/dist/build.json'))) {
      spawnSync(process.execPath, [path.join(workspaceRoot, 'tools/cli/build.mjs')], { stdio: 'ignore' });
    }
  }, 120_000);

  it('validate reads pipeline.yaml loading no npm package: zod, yaml and commander are in the bundle, no SDK, DuckDB or cdktf', () => {
    const { packages, stdout } = packagesLoadedBy(['validate']);

    expect(stdout).toMatch(/pipeline .* is valid/);
    expect([...packages]).toEqual([]);
  }, 60_000);

  it('--help loads no npm package', () => {
    const { packages, stdout } = packagesLoadedBy(['--help']);

    expect(stdout).toMatch(/^Usage: lakepipe/m);
    expect([...packages]).toEqual([]);
  }, 60_000);
});
