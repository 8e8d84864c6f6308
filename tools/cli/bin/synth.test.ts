import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const workspaceRoot = path.resolve(__dirname, '../../..');
const launcher = path.join(workspaceRoot, 'tools/cli/bin/synth.js');
const buildRecord = path.join(workspaceRoot, 'tools/cli/dist/build.json');

/** Every file under `dir`, relative to it, with its bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), readFileSync(file));
  }
  return files;
}

/** Synthesizes the orchestration stacks of dev (a Lambda bundle, the compiled ASL, IAM) with the launcher. */
function synth(from: 'bundle' | 'sources', outdir: string) {
  return spawnSync(
    process.execPath,
    [launcher, '--env', 'dev', '--project', 'orchestration', '--outdir', outdir],
    {
      cwd: workspaceRoot,
      env: { ...process.env, LAKEPIPE_CLI_FROM: from, LAKEPIPE_DEBUG: '1' },
      encoding: 'utf8',
    },
  );
}

describe('npm run synth (tools/cli/bin/synth.js)', () => {
  beforeAll(() => {
    // the build npm ci made, or one now when it predates the synth entry
    const built = existsSync(buildRecord) && JSON.parse(readFileSync(buildRecord, 'utf8')).entries?.synth;
    if (!built)
      spawnSync(process.execPath, [path.join(workspaceRoot, 'tools/cli/build.mjs')], { stdio: 'ignore' });
  }, 120_000);

  it('starts the cdktf app from the install-time bundle and writes byte for byte what its sources write', () => {
    // Arrange
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    const work = mkdtempSync(path.join(workspaceRoot, '.tmp', 'synth-launcher-'));
    try {
      // Act
      const bundled = synth('bundle', path.join(work, 'bundle'));
      const sources = synth('sources', path.join(work, 'sources'));

      // Assert
      expect(bundled.status, bundled.stderr).toBe(0);
      expect(sources.status, sources.stderr).toBe(0);
      expect(bundled.stderr).toMatch(/^synth: from .*tools\/cli\/dist\/.*synth\.mjs$/m);
      expect(sources.stderr).toMatch(/^synth: from sources \(LAKEPIPE_CLI_FROM=sources\)$/m);
      const fromBundle = filesOf(path.join(work, 'bundle'));
      const fromSources = filesOf(path.join(work, 'sources'));
      expect([...fromBundle.keys()].sort()).toEqual([...fromSources.keys()].sort());
      expect([...fromBundle.keys()]).toContain(path.join('stacks', 'orchestration-dev', 'cdk.tf.json'));
      for (const [file, bytes] of fromSources) expect(fromBundle.get(file)?.equals(bytes), file).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
