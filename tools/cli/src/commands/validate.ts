import type { Command } from 'commander';

/** `lakepipe validate` — placeholder until its issue lands; replaced by the owning issue's implementation. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new Error('lakepipe validate is not built yet');
    });
}
