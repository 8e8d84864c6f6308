import { Command } from 'commander';
import { commands } from './commands';
import { register as ledgerServer } from './commands/ledger-server';

/** The `lakepipe` CLI. Each command lives in src/commands/<name>.ts and loads its heavy modules lazily. */
export function buildProgram(): Command {
  const program = new Command('lakepipe')
    .description('lakepipe: run, inspect and deliver the serverless data pipeline (and its local twin)')
    .showHelpAfterError();
  for (const register of commands) register(program);
  ledgerServer(program); // hidden: the lake's DynamoDB Local, started by the commands that need it
  return program;
}
