import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program';

describe('the lakepipe program', () => {
  it('prints its version with --version', async () => {
    const printed: string[] = [];
    const program = buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (text) => printed.push(text) });
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8'));

    await expect(program.parseAsync(['node', 'lakepipe', '--version'])).rejects.toMatchObject({
      code: 'commander.version',
    });
    expect(printed.join('')).toBe(`lakepipe ${version} (node ${process.version})\n`);
  });

  it('keeps the ledger server command out of the help', () => {
    const help = buildProgram().helpInformation();

    expect(help).toMatch(/\bstatus\b/);
    expect(help).not.toMatch(/ledger-server/);
  });
});
