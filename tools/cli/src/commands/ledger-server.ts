import path from 'node:path';
import type { Command } from 'commander';

/**
 * `lakepipe ledger-server --lake DIR` (hidden): the lake's one DynamoDB Local, started detached by
 * any command that needs the ledger and stopped when idle (src/twin/ledger-server.ts).
 */
export function register(program: Command): void {
  program
    .command('ledger-server', { hidden: true })
    .description("run the lake's ledger server until it is idle (started by the other commands)")
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .action(async (options: { lake: string }) => {
      const { runLedgerServer } = await import('../twin/ledger-server');
      process.exitCode = await runLedgerServer(path.resolve(options.lake));
    });
}
