import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

/** `lakepipe clean`: removes a local lake the twin created (data, ledger, notifications) and, with --all, cdktf.out. */
export function register(program: Command): void {
  program
    .command('clean')
    .description(
      'delete a local lake that lakepipe created (files, ledger, notifications); --all also removes cdktf.out',
    )
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--all', 'also remove synthesized Terraform (cdktf.out)')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .action(async (options: CleanOptions) => {
      process.exitCode = await cleanCommand(options);
    });
}

export interface CleanOptions {
  readonly lake: string;
  readonly all?: boolean;
  readonly yes?: boolean;
}

export interface CleanIo {
  write(text: string): unknown;
  /** whether a person can answer the confirmation. @default process.stdin.isTTY */
  readonly interactive?: boolean;
  /** asks a yes/no question and resolves with the answer. @default a readline prompt on the terminal */
  ask?(question: string): Promise<string>;
  /** folders clean never deletes, besides the repository and the current folder. @default the home folder */
  readonly protectedFolders?: readonly string[];
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export async function cleanCommand(options: CleanOptions, io: CleanIo = process.stdout): Promise<number> {
  const lakeRoot = path.resolve(options.lake);
  const targets: { readonly path: string; readonly label: string }[] = [];
  if (existsSync(lakeRoot)) {
    const refusal = await refusalFor(lakeRoot, io);
    if (refusal) {
      io.write(`lakepipe clean: not deleting ${options.lake}: ${refusal}\n`);
      return 1;
    }
    targets.push({ path: lakeRoot, label: options.lake });
  }
  if (options.all && existsSync('cdktf.out'))
    targets.push({ path: path.resolve('cdktf.out'), label: 'cdktf.out' });
  if (targets.length === 0) {
    io.write('nothing to remove\n');
    return 0;
  }
  if (!options.yes) {
    const interactive = io.interactive ?? Boolean(process.stdin.isTTY);
    const labels = targets.map((t) => t.label).join(' and ');
    if (!interactive) {
      io.write(`lakepipe clean: not deleting ${labels}: no terminal to confirm on; add --yes to delete\n`);
      return 1;
    }
    const answer = await (io.ask ?? askOnTerminal)(`Delete ${labels} and everything in it? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.write('nothing removed\n');
      return 1;
    }
  }
  const { stopLedgerServer } = await import('../twin/ledger-server');
  if (targets[0]?.path === lakeRoot && !(await stopLedgerServer(lakeRoot))) {
    io.write(`lakepipe clean: not deleting ${options.lake}: its ledger server does not stop\n`);
    return 1;
  }
  for (const target of targets) rmSync(target.path, { recursive: true, force: true });
  io.write(`removed ${targets.map((t) => t.label).join(', ')}\n`);
  return 0;
}

/** Why `lakeRoot` must not be deleted, or undefined when it is a lake lakepipe made and nobody uses. */
async function refusalFor(lakeRoot: string, io: CleanIo): Promise<string | undefined> {
  const real = realpathSync(lakeRoot);
  const guarded = [
    { folder: process.cwd(), what: 'the current folder' },
    { folder: repositoryRoot, what: 'the lakepipe repository' },
    ...(io.protectedFolders ?? [homedir()]).map((folder) => ({ folder, what: 'your home folder' })),
  ];
  const resolved = guarded.map((g) => ({
    ...g,
    real: existsSync(g.folder) ? realpathSync(g.folder) : g.folder,
  }));
  const same = resolved.find((g) => g.real === real);
  if (same) return `it is ${same.what}`;
  const inside = resolved.find(
    (g) => g.real.startsWith(`${real}${path.sep}`) || real === path.parse(real).root,
  );
  if (inside) return `it holds ${inside.what}`;
  const { LAKE_MARKER, runHoldingLake } = await import('../twin/lake-lock');
  if (!existsSync(path.join(real, LAKE_MARKER))) {
    const entries = readdirSync(real).length;
    return `it is not a lake lakepipe created (no ${LAKE_MARKER} file; ${entries} ${entries === 1 ? 'entry' : 'entries'} left in place)`;
  }
  const run = runHoldingLake(real);
  if (run) return `run ${run.runId} (process ${run.pid}) is using it; stop it first`;
  const { ledgerUsers } = await import('../twin/ledger-server');
  const users = ledgerUsers(real);
  if (users.length > 0)
    return `it is in use by process ${users.join(', ')} (a run, serve or status); stop ${users.length === 1 ? 'it' : 'them'} first`;
  return undefined;
}

async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
