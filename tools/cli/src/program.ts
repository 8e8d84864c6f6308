import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commands } from './commands';
import { register as ledgerServer } from './commands/ledger-server';

/** The `lakepipe` CLI. Each command lives in src/commands/<name>.ts and loads its heavy modules lazily. */
export function buildProgram(): Command {
  const program = new Command('lakepipe')
    .description('lakepipe: run, inspect and deliver the serverless data pipeline (and its local twin)')
    .version(cliVersion(), '-V, --version', 'print the lakepipe version')
    .showHelpAfterError();
  for (const register of commands) register(program);
  ledgerServer(program); // hidden: the lake's DynamoDB Local, started by the commands that need it
  return program;
}

/** `lakepipe <version>` from the CLI's package.json, with the Node.js that runs it. */
function cliVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `lakepipe ${version} (node ${process.version})`;
}
