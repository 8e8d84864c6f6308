import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, readLock } from './file-lock';
import { runLockFile } from './lake-lock';
import { type LedgerServerRecord, ledgerServerPaths } from './ledger-server';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const cliBin = path.join(workspaceRoot, 'tools/cli/bin/lakepipe.js');
const env = { ...process.env, LAKEPIPE_LEDGER_IDLE_SECONDS: '3', CI: '1' };

function freshLake(name: string): string {
  mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
  return path.join(mkdtempSync(path.join(workspaceRoot, '.tmp', `concurrent-${name}-`)), 'lake');
}

interface Finished {
  readonly code: number | null;
  readonly output: string;
}

function lakepipe(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: workspaceRoot,
    env: { ...env, ...extraEnv },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const done = new Promise<Finished>((resolve) => child.once('close', (code) => resolve({ code, output })));
  return { child, done };
}

function lakepipeJson<T>(args: readonly string[]): T {
  return JSON.parse(
    execFileSync(process.execPath, [cliBin, ...args], { cwd: workspaceRoot, env }).toString(),
  );
}

interface RunItem {
  readonly runId: string;
  readonly status: string;
  readonly stages: readonly { stageId: string; status: string; counts: Record<string, number> }[];
}

function runsOf(lake: string): RunItem[] {
  const page = lakepipeJson<{ items: { runId: string }[] }>(['status', '--json', '--lake', lake]);
  return page.items.map((r) => lakepipeJson<RunItem>(['status', r.runId, '--json', '--lake', lake]));
}

function serverStarts(lake: string): number {
  const log = readFileSync(ledgerServerPaths(lake).logFile, 'utf8');
  return log.split('\n').filter((line) => line.includes('started DynamoDB Local')).length;
}

/** The most DynamoDB Local processes the lake's server log shows running at the same time. */
function serversAtOnce(lake: string): number {
  const log = readFileSync(ledgerServerPaths(lake).logFile, 'utf8');
  let running = 0;
  let most = 0;
  for (const line of log.split('\n')) {
    if (line.includes('started DynamoDB Local')) most = Math.max(most, ++running);
    if (line.includes('stopped DynamoDB Local')) running--;
  }
  return most;
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two commands on one lake at once', () => {
  it('runs two runs and a serve started together: both succeed, every row is curated once, one DynamoDB Local', async () => {
    const lake = freshLake('runs');

    const serve = lakepipe(['serve', '--port', '0', '--lake', lake]);
    const first = lakepipe(['run', '--rows', '3000', '--lake', lake]);
    const second = lakepipe(['run', '--rows', '3000', '--lake', lake]);
    const [a, b] = await Promise.all([first.done, second.done]);
    serve.child.kill('SIGTERM');
    const served = await serve.done;
    const startsWhileTogether = serverStarts(lake);

    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(served.output).toMatch(/lakepipe serve: http:\/\/127\.0\.0\.1:\d+\//);
    // the run that waited said so on the terminal
    expect(`${a.output}\n${b.output}`).toMatch(/is writing this lake; waiting for it to finish/);
    const runs = runsOf(lake);
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    for (const run of runs) {
      expect(run.stages.length).toBeGreaterThanOrEqual(5);
      expect(run.stages.filter((s) => s.status !== 'SUCCEEDED')).toEqual([]);
    }
    const curatedByRuns = runs
      .flatMap((r) => r.stages.filter((s) => s.stageId === 'etl'))
      .reduce((sum, s) => sum + (s.counts.curatedRows ?? 0), 0);
    const [counts] = lakepipeJson<{ n: number; ids: number }[]>([
      'query',
      'SELECT COUNT(*)::INTEGER AS n, COUNT(DISTINCT test_id)::INTEGER AS ids FROM curated_bench_tests',
      '--format',
      'json',
      '--lake',
      lake,
    ]);
    expect(counts!.n).toBe(curatedByRuns);
    expect(counts!.ids).toBe(counts!.n);
    expect(counts!.n).toBeGreaterThan(2900);
    // one DynamoDB Local served the two runs and the serve; the later checks may find it idled out
    expect(startsWhileTogether).toBe(1);
    expect(serversAtOnce(lake)).toBe(1);
  }, 600_000);

  it('does not let a run killed while it holds the lake block the next one', async () => {
    const lake = freshLake('killed-run');
    const killed = lakepipe(['run', '--rows', '3000', '--lake', lake]);
    await until(
      () => existsSync(runLockFile(lake)) && existsSync(path.join(lake, 'raw')),
      'the run to write',
    );
    killed.child.kill('SIGKILL');
    await killed.done;

    const next = lakepipe(['run', '--rows', '3000', '--lake', lake]);
    const result = await next.done;

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/run id: \S+/);
  }, 600_000);

  it('takes over the ledger of a server killed with its lock held, and stops its orphaned DynamoDB Local', async () => {
    const lake = freshLake('killed-server');
    // a server that stays up long after its command, so the test kills it while it serves
    const first = lakepipe(['status', '--lake', lake], { LAKEPIPE_LEDGER_IDLE_SECONDS: '120' });
    expect((await first.done).code).toBe(0);
    const record = readLock(ledgerServerPaths(lake).lockFile) as LedgerServerRecord;
    expect(record.state).toBe('ready');

    process.kill(record.pid, 'SIGKILL'); // DynamoDB Local (java) is left behind, holding the folder
    await until(() => !isProcessAlive(record.pid), 'the server process to die');
    const next = lakepipe(['status', '--lake', lake]);
    const result = await next.done;

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/No runs in/);
    expect(isProcessAlive(record.javaPid!)).toBe(false);
    const log = readFileSync(ledgerServerPaths(lake).logFile, 'utf8');
    expect(log).toMatch(new RegExp(`took over from dead process ${record.pid}`));
    expect(serverStarts(lake)).toBe(2);
  }, 300_000);

  it('takes over a lock file left by a process that is gone', async () => {
    const lake = freshLake('stale-lock');
    const paths = ledgerServerPaths(lake);
    mkdirSync(paths.dataDir, { recursive: true });
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('close', r));
    writeFileSync(paths.lockFile, JSON.stringify({ pid: gone.pid, state: 'starting' }));

    const result = await lakepipe(['status', '--lake', lake]).done;

    expect(result.code, result.output).toBe(0);
    expect((readLock(paths.lockFile) as LedgerServerRecord).pid).not.toBe(gone.pid);
  }, 300_000);

  it('stops a server whose lake was deleted under it (its lock is gone)', async () => {
    const lake = freshLake('deleted');
    const first = await lakepipe(['status', '--lake', lake], { LAKEPIPE_LEDGER_IDLE_SECONDS: '120' }).done;
    expect(first.code, first.output).toBe(0);
    const record = readLock(ledgerServerPaths(lake).lockFile) as LedgerServerRecord;

    rmSync(lake, { recursive: true, force: true });

    await until(
      () => !isProcessAlive(record.pid) && !isProcessAlive(record.javaPid!),
      'the server to stop',
      60_000,
    );
  }, 300_000);
});
