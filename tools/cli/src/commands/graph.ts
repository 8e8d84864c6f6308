import type { Command } from 'commander';

/** `lakepipe graph` — placeholder until its issue lands; replaced by the owning issue's implementation. */
export function register(program: Command): void {
  program
    .command('graph')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new Error('lakepipe graph is not built yet');
    });
}
