import type { Command } from 'commander';

/** `lakepipe status` — placeholder until its issue lands; replaced by the owning issue's implementation. */
export function register(program: Command): void {
  program
    .command('status')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new Error('lakepipe status is not built yet');
    });
}
