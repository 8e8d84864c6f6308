import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';

/** `lakepipe clean`: removes the local lake (data, ledger, notifications) and, with --all, cdktf.out. */
export function register(program: Command): void {
  program
    .command('clean')
    .description('delete the local lake (files, ledger, notifications); --all also removes cdktf.out')
    .option('--lake <dir>', 'the local lake folder', '.lake')
    .option('--all', 'also remove synthesized Terraform (cdktf.out)')
    .action((options: { lake: string; all?: boolean }) => {
      process.exitCode = cleanCommand(options);
    });
}

export function cleanCommand(
  options: { readonly lake: string; readonly all?: boolean },
  out: { write(text: string): unknown } = process.stdout,
): number {
  const lakeRoot = path.resolve(options.lake);
  const server = path.join(lakeRoot, 'ledger', 'server.json');
  if (existsSync(server)) {
    const { pid } = JSON.parse(readFileSync(server, 'utf8')) as { pid: number };
    if (isAlive(pid)) {
      out.write(`The lake ${options.lake} is in use by process ${pid} (a run or serve). Stop it first.\n`);
      return 1;
    }
  }
  const removed: string[] = [];
  if (existsSync(lakeRoot)) {
    rmSync(lakeRoot, { recursive: true, force: true });
    removed.push(options.lake);
  }
  if (options.all && existsSync('cdktf.out')) {
    rmSync('cdktf.out', { recursive: true, force: true });
    removed.push('cdktf.out');
  }
  out.write(removed.length ? `removed ${removed.join(', ')}\n` : 'nothing to remove\n');
  return 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return pid !== process.pid;
  } catch {
    return false;
  }
}
