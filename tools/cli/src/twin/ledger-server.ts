import { appendFileSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import {
  isProcessAlive,
  type LockRecord,
  readLock,
  releaseLock,
  tryAcquireLock,
  updateLock,
} from './file-lock';

/**
 * The files through which the commands on one lake share its one DynamoDB Local:
 * `<lake>/ledger/server.lock` (owner, state, endpoint), `<lake>/ledger/leases/<pid>.<n>` (one per
 * open ledger) and `<lake>/ledger/server.log`.
 */
export function ledgerServerPaths(lakeRoot: string) {
  const dataDir = path.join(lakeRoot, 'ledger');
  return {
    dataDir,
    lockFile: path.join(dataDir, 'server.lock'),
    leasesDir: path.join(dataDir, 'leases'),
    logFile: path.join(dataDir, 'server.log'),
  };
}

/** The lock record of the ledger server: `starting` until DynamoDB Local answers at `endpoint`. */
export interface LedgerServerRecord extends LockRecord {
  readonly state: 'starting' | 'ready' | 'stopping';
  readonly endpoint?: string;
  /** DynamoDB Local's own process (java), killed by whoever takes over a dead server's lock */
  readonly javaPid?: number;
  readonly startedAt: string;
  readonly idleSeconds: number;
}

/** How long the server keeps running with no command using it. */
export const DEFAULT_IDLE_SECONDS = 600;

export function idleSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.LAKEPIPE_LEDGER_IDLE_SECONDS);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_IDLE_SECONDS;
}

/** The live leases on a lake's ledger (leases of processes that are gone are removed on the way). */
export function liveLeases(leasesDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(leasesDir);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    const pid = Number(name.split('.')[0]);
    if (isProcessAlive(pid)) pids.push(pid);
    else rmSync(path.join(leasesDir, name), { force: true });
  }
  return pids;
}

/**
 * `lakepipe ledger-server --lake DIR` (hidden; started detached by openLocalLedger): the one
 * DynamoDB Local of a lake. It takes the lake's server lock (or exits at once when another live
 * process holds it), starts the server, publishes its endpoint in the lock, and stops once no
 * command has held a lease for `idleSeconds`.
 */
export async function runLedgerServer(lakeRoot: string, idleSeconds = idleSecondsFromEnv()): Promise<number> {
  const paths = ledgerServerPaths(lakeRoot);
  mkdirSync(paths.leasesDir, { recursive: true });
  const log = (line: string) => {
    try {
      appendFileSync(paths.logFile, `${new Date().toISOString()} pid ${process.pid}: ${line}\n`);
    } catch {
      // the lake was deleted: nothing to log into
    }
  };
  const startedAt = new Date().toISOString();
  const base = { pid: process.pid, startedAt, idleSeconds };
  const attempt = tryAcquireLock(paths.lockFile, { ...base, state: 'starting' });
  if (!attempt.acquired) return 0; // another process serves (or is starting) this lake's ledger
  const previous = attempt.previous as LedgerServerRecord | undefined;
  if (previous?.javaPid && isProcessAlive(previous.javaPid)) {
    log(`took over from dead process ${previous.pid}; stopping its DynamoDB Local ${previous.javaPid}`);
    await killAndWait(previous.javaPid);
  }
  let server: import('@lakepipe/testing').RunningServer;
  try {
    const { startDynamoDbLocal } = await import('@lakepipe/testing');
    server = await startDynamoDbLocal({ dbPath: paths.dataDir });
  } catch (error) {
    log(`DynamoDB Local did not start: ${(error as Error).message}`);
    releaseLock(paths.lockFile);
    return 1;
  }
  const ready = { ...base, endpoint: server.endpoint, javaPid: server.pid };
  updateLock(paths.lockFile, { ...ready, state: 'ready' });
  log(`started DynamoDB Local (pid ${server.pid}) on ${server.endpoint} for ${paths.dataDir}`);

  let stopping = false;
  const stop = async (why: string, ownsLock = true) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    if (ownsLock) updateLock(paths.lockFile, { ...ready, state: 'stopping' });
    await server.stop();
    if (ownsLock) releaseLock(paths.lockFile);
    log(`stopped DynamoDB Local: ${why}`);
  };
  let idleSince = Date.now();
  const timer = setInterval(() => {
    if (stopping) return;
    // The lake was deleted under it (or its lock broken): this server serves nobody any more.
    if (readLock(paths.lockFile)?.pid !== process.pid) {
      void stop('its lock is gone (lake deleted?)', false).then(() => process.exit(0));
      return;
    }
    if (server.pid !== undefined && !isProcessAlive(server.pid)) {
      void stop('DynamoDB Local exited').then(() => process.exit(1));
      return;
    }
    if (liveLeases(paths.leasesDir).length > 0) {
      idleSince = Date.now();
      return;
    }
    if (Date.now() - idleSince < idleSeconds * 1000) return;
    // Say "stopping" first, then look once more: a command leases before it reads the lock, so
    // any command that saw "ready" has a lease visible here.
    updateLock(paths.lockFile, { ...ready, state: 'stopping' });
    if (liveLeases(paths.leasesDir).length > 0) {
      updateLock(paths.lockFile, { ...ready, state: 'ready' });
      idleSince = Date.now();
      return;
    }
    void stop(`idle for ${idleSeconds} s`).then(() => process.exit(0));
  }, 250);
  const done = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
      process.once(signal, () => void stop(`${signal}`).then(() => resolve(0)));
  });
  return done;
}

/** Asks a lake's ledger server to stop (SIGTERM) and waits until its lock is gone. */
export async function stopLedgerServer(lakeRoot: string, timeoutMs = 20_000): Promise<boolean> {
  const { lockFile } = ledgerServerPaths(lakeRoot);
  const record = readLock(lockFile) as LedgerServerRecord | undefined;
  if (!record || !isProcessAlive(record.pid)) return true;
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(record.pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

/** The processes other than this one that hold a lease on the lake's ledger (a command using it). */
export function ledgerUsers(lakeRoot: string): number[] {
  return liveLeases(ledgerServerPaths(lakeRoot).leasesDir).filter((pid) => pid !== process.pid);
}

/** Removes one lease file (a no-op when it is gone already). */
export function dropLease(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
