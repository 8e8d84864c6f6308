import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive, type LockRecord, readLock, releaseLock, tryAcquireLock } from './file-lock';

/** The file a lake's runs take in turn: one `lakepipe run` writes a lake at a time. */
export function runLockFile(lakeRoot: string): string {
  return path.join(lakeRoot, '.run.lock');
}

/** Written into a lake folder the twin created; `lakepipe clean` deletes no folder without it. */
export const LAKE_MARKER = '.lakepipe-lake';

/** What a lake made by the twin holds at its top (the lake contract's prefixes and the twin's own folders). */
const LAKE_ENTRIES = new Set([
  LAKE_MARKER,
  '.run.lock',
  'landing',
  'raw',
  'curated',
  'rejected',
  'features',
  'scored',
  'quarantine',
  '_manifests',
  '_notifications',
  '_sample',
  '_lakepipe',
  '_tmp',
  'ledger',
]);

/**
 * Marks `lakeRoot` as a lake when this run creates it: a folder that did not exist, is empty, or
 * holds only what a lake holds (a lake from before the marker existed). A folder with anything
 * else in it is used as it is but never marked, so `clean` will not delete it.
 */
export function markLakeIfNew(lakeRoot: string): void {
  const marker = path.join(lakeRoot, LAKE_MARKER);
  if (existsSync(marker)) return;
  const entries = existsSync(lakeRoot) ? readdirSync(lakeRoot) : [];
  if (entries.every((name) => LAKE_ENTRIES.has(name) || name.startsWith('.run.lock.'))) {
    writeFileSync(marker, `This folder is a lakepipe local lake; \`npx lakepipe clean\` may delete it.\n`);
  }
}

export interface RunLockRecord extends LockRecord {
  readonly runId: string;
  readonly startedAt: string;
}

/**
 * Takes the lake's run lock, waiting while another live run holds it (a lock left by a process
 * that is gone is taken over). `onWait` is told once, so the terminal says why nothing happens.
 * @returns the function that releases the lock
 */
export async function acquireRunLock(
  lakeRoot: string,
  runId: string,
  onWait: (message: string) => void,
  pollMs = 250,
): Promise<() => void> {
  const file = runLockFile(lakeRoot);
  const record: RunLockRecord = { pid: process.pid, runId, startedAt: new Date().toISOString() };
  let waitingFor: number | undefined;
  while (true) {
    const attempt = tryAcquireLock(file, record);
    if (attempt.acquired) return () => releaseLock(file, process.pid);
    const holder = attempt.holder as RunLockRecord | undefined;
    if (holder && holder.pid !== waitingFor) {
      waitingFor = holder.pid;
      onWait(
        `run ${holder.runId} (process ${holder.pid}) is writing this lake; waiting for it to finish before run ${runId} starts`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The live run holding the lake, if any. */
export function runHoldingLake(lakeRoot: string): RunLockRecord | undefined {
  const holder = readLock(runLockFile(lakeRoot)) as RunLockRecord | undefined;
  return holder && isProcessAlive(holder.pid) && holder.pid !== process.pid ? holder : undefined;
}
