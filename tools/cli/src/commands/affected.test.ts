import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { affectedCli } from './affected';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function capture() {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

describe('lakepipe affected', () => {
  it('lists every stack in every environment with --all, dev before prod, as JSON', async () => {
    // Arrange
    const out = capture();

    // Act
    const code = await affectedCli(
      { base: 'origin/main', head: 'HEAD', all: true, json: true },
      out,
      capture(),
      workspace,
    );

    // Assert
    expect(code).toBe(0);
    const result = JSON.parse(out.text());
    const names: string[] = result.targets.map((t: { stackName: string }) => t.stackName);
    expect(names[0]).toBe('shared-infra-dev');
    expect(names.at(-1)).toBe('view-prod');
    expect(names.indexOf('view-dev')).toBeLessThan(names.indexOf('shared-infra-prod'));
  });

  it('explains a base git does not know, and exits 1', async () => {
    // Arrange
    const err = capture();

    // Act
    const code = await affectedCli({ base: 'no-such-ref-anywhere', head: 'HEAD' }, capture(), err, workspace);

    // Assert
    expect(code).toBe(1);
    expect(err.text()).toMatch(/^cannot compare --base no-such-ref-anywhere with --head HEAD/);
  });
});
