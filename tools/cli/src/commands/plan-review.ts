import type { Command } from 'commander';

/** `lakepipe plan-review` — placeholder until its issue lands; replaced by the owning issue's implementation. */
export function register(program: Command): void {
  program
    .command('plan-review')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new Error('lakepipe plan-review is not built yet');
    });
}
