import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZipEntries } from './test-fixtures/read-zip';
import { workspaceRoot } from './workspace';
import { zipSync } from './zip';

const text = (s: string) => new TextEncoder().encode(s);

describe('zipSync', () => {
  it('writes the same bytes for the same entries in any order', () => {
    // Arrange
    const a = { name: 'index.mjs', data: text('export const handler = async () => 1;\n'.repeat(50)) };
    const b = { name: 'index.mjs.map', data: text('{"version":3,"mappings":""}') };

    // Act
    const first = zipSync([a, b]);
    const second = zipSync([b, a]);

    // Assert
    expect(second.equals(first)).toBe(true);
  });

  it('round-trips each entry through raw inflate, sorted, with the 1980-01-01 timestamp', () => {
    // Arrange
    const code = 'export const handler = async () => "x";\n'.repeat(100);
    const tiny = 'ab'; // deflate would grow it: stored as is

    // Act
    const entries = readZipEntries(
      zipSync([
        { name: 'z.txt', data: text(tiny) },
        { name: 'index.mjs', data: text(code) },
      ]),
    );

    // Assert
    expect(entries.map((e) => [e.name, e.method, e.text, e.dosDate, e.dosTime, e.unixMode])).toEqual([
      ['index.mjs', 8, code, 0x21, 0, 0o100644],
      ['z.txt', 0, tiny, 0x21, 0, 0o100644],
    ]);
  });

  it('is read by the unzip tool when the machine has it', () => {
    // Arrange
    const probe = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
    const base = path.join(workspaceRoot, '.tmp');
    mkdirSync(base, { recursive: true });
    const dir = mkdtempSync(path.join(base, 'zip-'));
    const file = path.join(dir, 'code.zip');
    writeFileSync(file, zipSync([{ name: 'index.mjs', data: text('export {};\n'.repeat(20)) }]));

    // Act
    const test = probe.status === 0 ? spawnSync('unzip', ['-t', file], { encoding: 'utf8' }) : undefined;

    // Assert: CI images without unzip still check the archive through readZipEntries above
    if (test) expect(test.stdout).toMatch(/No errors detected/);
    expect(readZipEntries(readFileSync(file)).map((e) => e.name)).toEqual(['index.mjs']);
  });

  it('rejects duplicate and absolute entry names, naming them', () => {
    // Arrange
    const data = text('x');

    // Act / Assert
    expect(() =>
      zipSync([
        { name: 'a', data },
        { name: 'a', data },
      ]),
    ).toThrow('zip entry "a" appears twice');
    expect(() => zipSync([{ name: '/etc/passwd', data }])).toThrow(
      'zip entry name must be a relative path with forward slashes (got "/etc/passwd")',
    );
  });
});
