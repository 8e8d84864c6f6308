import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { CommandFailedError } from './errors';

/** One external command, built as data so tests assert the exact command line and Jenkins only calls it. */
export interface CommandLine {
  /** the step, as the build log shows it: `init sourcing-dev` */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /**
   * Write stdout to this file instead of the build log (e.g. `terraform show -json`).
   * @default stdout goes to the build log
   */
  readonly stdoutFile?: string;
  /**
   * Variables added to the process environment for this command (TF_PLUGIN_CACHE_DIR, TF_IN_AUTOMATION).
   * @default the runner's environment only
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Exit codes that are answers, not failures (`plan -detailed-exitcode` exits 2 on drift).
   * @default [0]
   */
  readonly okExitCodes?: readonly number[];
}

/** Runs command lines. The real one spawns processes; `--dry-run` prints them. */
export interface CommandRunner {
  /** Runs the command; resolves with its exit code when it is one of `okExitCodes` (0 by default). */
  run(line: CommandLine): Promise<number | undefined>;
}

/** The shell form of a command line, for logs and dry runs: `(cd dir && terraform plan ...)`. */
export function formatCommandLine(line: CommandLine): string {
  const words = [line.command, ...line.args].map(shellQuote).join(' ');
  return `(cd ${shellQuote(line.cwd)} && ${words}${line.stdoutFile ? ` > ${shellQuote(line.stdoutFile)}` : ''})`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Spawns each command (no shell), streaming its output; a non-zero exit throws CommandFailedError. */
export function processRunner(
  options: { readonly env?: NodeJS.ProcessEnv; readonly log?: (line: string) => void } = {},
): CommandRunner {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    run: (line) =>
      new Promise<number>((resolve, reject) => {
        log(`+ ${formatCommandLine(line)}`);
        const child = spawn(line.command, [...line.args], {
          cwd: line.cwd,
          env: { ...(options.env ?? process.env), ...line.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const stderrTail: string[] = [];
        // with stdoutFile, the command is done only once the file is flushed
        const stdoutDone = line.stdoutFile
          ? new Promise<void>((done, failed) => {
              const file = createWriteStream(line.stdoutFile!);
              file.on('finish', done).on('error', failed);
              child.stdout.pipe(file);
            })
          : Promise.resolve(void child.stdout.pipe(process.stdout, { end: false }));
        child.stderr.on('data', (chunk: Buffer) => {
          process.stderr.write(chunk);
          stderrTail.push(chunk.toString('utf8'));
          if (stderrTail.length > 50) stderrTail.shift();
        });
        child.on('error', (error) =>
          reject(new CommandFailedError(formatCommandLine(line), null, error.message)),
        );
        child.on('close', (code) => {
          if (code === null || !(line.okExitCodes ?? [0]).includes(code))
            reject(new CommandFailedError(formatCommandLine(line), code, stderrTail.join('')));
          else stdoutDone.then(() => resolve(code), reject);
        });
      }),
  };
}

/** Prints each command instead of running it (`--dry-run`), and remembers them. */
export function dryRunner(
  print: (line: string) => void = console.log,
): CommandRunner & { readonly lines: CommandLine[] } {
  const lines: CommandLine[] = [];
  return {
    lines,
    run: async (line) => {
      lines.push(line);
      print(formatCommandLine(line));
      return undefined;
    },
  };
}

/** Runs a command and returns its stdout (git, nx); a non-zero exit throws CommandFailedError. */
export function captureOutput(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error) =>
      reject(new CommandFailedError(`${command} ${args.join(' ')}`, null, error.message)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new CommandFailedError(`${command} ${args.join(' ')}`, code, stderr));
    });
  });
}
