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

  it('falls back to every stack with a warning for a base git does not know', async () => {
    // Arrange
    const out = capture();
    const err = capture();

    // Act
    const code = await affectedCli(
      { base: 'no-such-ref-anywhere', head: 'HEAD', json: true },
      out,
      err,
      workspace,
    );

    // Assert
    expect(code).toBe(0);
    expect(err.text()).toContain(
      'warning: base no-such-ref-anywhere is not a commit this clone shares with HEAD (rebased or force-pushed history, a re-created job, or a shallow clone): deploying every stack in every environment\n',
    );
    expect(JSON.parse(out.text()).targets.length).toBeGreaterThanOrEqual(18);
  });

  it('explains a head git does not know, and exits 1', async () => {
    // Arrange
    const err = capture();

    // Act
    const code = await affectedCli({ base: 'HEAD', head: 'no-such-ref-anywhere' }, capture(), err, workspace);

    // Assert
    expect(code).toBe(1);
    expect(err.text()).toMatch(/^cannot compare --base HEAD with --head no-such-ref-anywhere/);
  });
});
