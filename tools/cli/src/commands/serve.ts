import type { Command } from 'commander';

/** `lakepipe serve` — placeholder until its issue lands; replaced by the owning issue's implementation. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new Error('lakepipe serve is not built yet');
    });
}
