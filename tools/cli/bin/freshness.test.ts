import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript, run by node before anything is transpiled
import { freshBundle } from './freshness.js';

const workspaceRoot = path.resolve(__dirname, '../../..');

/**
 * A repository with sources and a build of them made at `builtAt`: the CLI's two sources recorded at
 * the top level (a build made before the synth entry), or each entry's sources under `entries`.
 */
function builtTree(builtAt: number, entries?: Record<string, string[]>) {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  const root = mkdtempSync(path.join(workspaceRoot, '.tmp', 'freshness-'));
  const sources = entries
    ? [...new Set(Object.values(entries).flat())]
    : ['tools/cli/src/bin.ts', 'packages/lake/src/index.ts'];
  for (const source of sources) {
    mkdirSync(path.dirname(path.join(root, source)), { recursive: true });
    writeFileSync(path.join(root, source), 'export {};\n');
    utimesSync(path.join(root, source), new Date(builtAt - 60_000), new Date(builtAt - 60_000));
  }
  const dist = path.join(root, 'tools/cli/dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(
    path.join(dist, 'build.json'),
    JSON.stringify(
      entries
        ? {
            builtAt,
            entries: Object.fromEntries(
              Object.entries(entries).map(([name, inputs]) => [name, { entry: `b1/${name}.mjs`, inputs }]),
            ),
          }
        : { entry: 'b1/lakepipe.mjs', builtAt, inputs: sources },
    ),
  );
  const urls = [pathToFileURL(`${dist}/`), pathToFileURL(`${root}/`)] as const;
  return { root, urls };
}

describe('which code `lakepipe` starts from', () => {
  const builtAt = Date.now() - 10_000;

  it('starts from the bundle while every source is older than the build', () => {
    const { root, urls } = builtTree(builtAt);

    const choice = freshBundle(...urls, {});

    expect(choice.entry?.href).toBe(pathToFileURL(path.join(root, 'tools/cli/dist/b1/lakepipe.mjs')).href);
  });

  it('runs the sources, naming the file, once a source is edited after the build', () => {
    const { root, urls } = builtTree(builtAt);
    writeFileSync(path.join(root, 'packages/lake/src/index.ts'), 'export const edited = true;\n');

    const choice = freshBundle(...urls, {});

    expect(choice).toEqual({ why: 'packages/lake/src/index.ts is newer than the build' });
  });

  it('runs the sources when a source the build read is gone, when there is no build, or when asked to', () => {
    const gone = builtTree(builtAt);
    rmSync(path.join(gone.root, 'tools/cli/src/bin.ts'));
    const none = builtTree(builtAt);
    rmSync(path.join(none.root, 'tools/cli/dist/build.json'));
    const asked = builtTree(builtAt);

    expect(freshBundle(...gone.urls, {})).toEqual({ why: 'tools/cli/src/bin.ts is gone' });
    expect(freshBundle(...none.urls, {})).toEqual({ why: 'no build in tools/cli/dist' });
    expect(freshBundle(...asked.urls, { LAKEPIPE_CLI_FROM: 'sources' })).toEqual({
      why: 'LAKEPIPE_CLI_FROM=sources',
    });
  });

  it('keeps the build after an edit only when told to (benchmarks in a tree others edit)', () => {
    const { root, urls } = builtTree(builtAt);
    writeFileSync(path.join(root, 'tools/cli/src/bin.ts'), 'export const edited = true;\n');

    const choice = freshBundle(...urls, { LAKEPIPE_CLI_FROM: 'bundle' });

    expect(choice.entry?.pathname).toMatch(/tools\/cli\/dist\/b1\/lakepipe\.mjs$/);
  });

  it('judges each entry by its own sources: an edit of infra/ makes the synth entry stale, not the CLI', () => {
    const { root, urls } = builtTree(builtAt, {
      lakepipe: ['tools/cli/src/bin.ts', 'packages/lake/src/index.ts'],
      synth: ['infra/main.ts', 'packages/lake/src/index.ts'],
    });
    writeFileSync(path.join(root, 'infra/main.ts'), 'export const edited = true;\n');

    expect(freshBundle(...urls, {}, 'lakepipe').entry?.pathname).toMatch(/dist\/b1\/lakepipe\.mjs$/);
    expect(freshBundle(...urls, {}, 'synth')).toEqual({ why: 'infra/main.ts is newer than the build' });
  });

  it('runs the sources of an entry a build made before it existed does not have', () => {
    const { urls } = builtTree(builtAt);

    expect(freshBundle(...urls, {}, 'synth')).toEqual({
      why: 'the build in tools/cli/dist has no synth entry',
    });
  });
});
