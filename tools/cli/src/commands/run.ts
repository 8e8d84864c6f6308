import type { Command } from 'commander';

/** `lakepipe run` — placeholder until its issue lands; replaced by the owning issue's implementation. */
export function register(program: Command): void {
  program
    .command('run')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new Error('lakepipe run is not built yet');
    });
}
