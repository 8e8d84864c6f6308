import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { compileTargetFor, loadEnvConfig } from '@lakepipe/constructs';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive, readLock } from '../twin/file-lock';
import { LAKE_MARKER, markLakeIfNew, runLockFile } from '../twin/lake-lock';
import { ledgerServerPaths } from '../twin/ledger-server';
import { openLocalLedger } from '../twin/local-ledger';
import { cleanCommand } from './clean';

const workspaceRoot = path.resolve(__dirname, '../../../..');

function folder(name: string): string {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  return mkdtempSync(path.join(workspaceRoot, '.tmp', `clean-${name}-`));
}

/** A lake as the twin leaves it: the marker, a data file and a notification. */
function madeLake(name: string): string {
  const lake = path.join(folder(name), 'lake');
  mkdirSync(path.join(lake, 'curated', 'orders'), { recursive: true });
  markLakeIfNew(lake);
  writeFileSync(path.join(lake, 'curated', 'orders', 'part-0.parquet'), 'PAR1');
  return lake;
}

function terminal(answer?: string) {
  const lines: string[] = [];
  return {
    lines,
    write: (text: string) => lines.push(text),
    interactive: answer !== undefined,
    ask: async () => answer ?? '',
  };
}

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

describe('lakepipe clean', () => {
  it('refuses a plain folder that lakepipe did not create, and leaves its files in place', async () => {
    const plain = folder('plain');
    writeFileSync(path.join(plain, 'thesis.docx'), 'mine');
    const io = terminal();

    const code = await cleanCommand({ lake: plain, yes: true }, io);

    expect(code).toBe(1);
    expect(io.lines.join('')).toMatch(
      /it is not a lake lakepipe created \(no \.lakepipe-lake file; 1 entry left in place\)/,
    );
    expect(readdirSync(plain)).toEqual(['thesis.docx']);
  });

  it('refuses ".", even when it is a lake', async () => {
    const lake = madeLake('dot');
    process.chdir(lake);
    const io = terminal();

    const code = await cleanCommand({ lake: '.', yes: true }, io);

    expect(code).toBe(1);
    expect(io.lines.join('')).toMatch(/not deleting \.: it is the current folder/);
    expect(existsSync(path.join(lake, 'curated', 'orders', 'part-0.parquet'))).toBe(true);
  });

  it('refuses the repository root and a parent of it', async () => {
    const io = terminal();

    const root = await cleanCommand({ lake: workspaceRoot, yes: true }, io);
    const parent = await cleanCommand({ lake: path.dirname(workspaceRoot), yes: true }, io);

    expect([root, parent]).toEqual([1, 1]);
    expect(io.lines[0]).toMatch(/it is the lakepipe repository/);
    expect(io.lines[1]).toMatch(/it holds (the current folder|the lakepipe repository)/);
    expect(existsSync(path.join(workspaceRoot, 'package.json'))).toBe(true);
  });

  it('refuses the home folder', async () => {
    const io = terminal();

    const code = await cleanCommand({ lake: homedir(), yes: true }, io);

    expect(code).toBe(1);
    expect(io.lines.join('')).toMatch(/it (is your home folder|holds)/);
    expect(existsSync(homedir())).toBe(true);
  });

  it('refuses without --yes when there is no terminal to confirm on', async () => {
    const lake = madeLake('no-tty');
    const io = terminal();

    const code = await cleanCommand({ lake }, io);

    expect(code).toBe(1);
    expect(io.lines.join('')).toMatch(/no terminal to confirm on; add --yes to delete/);
    expect(existsSync(path.join(lake, 'curated', 'orders', 'part-0.parquet'))).toBe(true);
  });

  it('asks first, keeps the lake on "n" and deletes it on "y"', async () => {
    const lake = madeLake('ask');
    const no = terminal('n');
    const yes = terminal('y');

    const kept = await cleanCommand({ lake }, no);
    const keptFiles = existsSync(path.join(lake, 'curated', 'orders', 'part-0.parquet'));
    const removed = await cleanCommand({ lake }, yes);

    expect([kept, keptFiles]).toEqual([1, true]);
    expect(no.lines.join('')).toBe('nothing removed\n');
    expect(removed).toBe(0);
    expect(yes.lines.join('')).toBe(`removed ${lake}\n`);
    expect(existsSync(lake)).toBe(false);
  });

  it('refuses a lake that a run or another command is using', async () => {
    const lake = madeLake('in-use');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(runLockFile(lake), JSON.stringify({ pid: other.pid, runId: '20260101T000000Z-abcdef' }));
      const byRun = terminal();
      const runCode = await cleanCommand({ lake, yes: true }, byRun);
      const { leasesDir } = ledgerServerPaths(lake);
      writeFileSync(
        runLockFile(lake),
        JSON.stringify({ pid: 999_999_999, runId: '20260101T000000Z-abcdef' }),
      );
      mkdirSync(leasesDir, { recursive: true });
      writeFileSync(path.join(leasesDir, `${other.pid}.1`), '');
      const byServe = terminal();
      const serveCode = await cleanCommand({ lake, yes: true }, byServe);

      expect(runCode).toBe(1);
      expect(byRun.lines.join('')).toMatch(
        new RegExp(`run 20260101T000000Z-abcdef \\(process ${other.pid}\\) is using it; stop it first`),
      );
      expect(serveCode).toBe(1);
      expect(byServe.lines.join('')).toMatch(new RegExp(`it is in use by process ${other.pid}`));
      expect(existsSync(path.join(lake, LAKE_MARKER))).toBe(true);
    } finally {
      other.kill();
    }
  });

  it('stops the idle ledger server of a lake it deletes', async () => {
    const lake = madeLake('server');
    const local = await openLocalLedger(lake, compileTargetFor(loadEnvConfig('dev')).ledgerTable);
    await local.close();
    const server = readLock(ledgerServerPaths(lake).lockFile)!;

    const code = await cleanCommand({ lake, yes: true }, terminal());

    expect(code).toBe(0);
    expect(isProcessAlive(server.pid)).toBe(false);
    expect(isProcessAlive(server.javaPid as number)).toBe(false);
    expect(existsSync(lake)).toBe(false);
  }, 180_000);
});
