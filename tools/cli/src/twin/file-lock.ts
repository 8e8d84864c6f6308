import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';

/** What a lock file holds: the process that owns it, and whatever that owner wants others to read. */
export interface LockRecord {
  readonly pid: number;
  readonly [key: string]: unknown;
}

export type LockAttempt =
  | {
      readonly acquired: true;
      /** the record of a dead owner this attempt took the lock over from */
      readonly previous?: LockRecord;
    }
  | {
      readonly acquired: false;
      /** the live owner, or undefined while its record is still being written */
      readonly holder?: LockRecord;
    };

/** A lock file with no record yet is trusted this long (its owner is between create and write). */
const UNWRITTEN_GRACE_MS = 5_000;

/** True while a process with that id exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock `file` for `record.pid`: the file is created with O_EXCL, so of many processes
 * trying at once exactly one succeeds. A lock whose owner is gone is taken over: it is renamed
 * away (atomic), and only if the renamed file is still the dead owner's record is it dropped.
 */
export function tryAcquireLock(file: string, record: LockRecord): LockAttempt {
  let previous: LockRecord | undefined;
  for (let round = 0; round < 5; round++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(record));
      } finally {
        closeSync(fd);
      }
      return previous ? { acquired: true, previous } : { acquired: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const raw = readRaw(file);
    if (raw === undefined) continue; // released in between: try again
    const holder = parseRecord(raw);
    if (holder === undefined) {
      if (Date.now() - mtimeOf(file) < UNWRITTEN_GRACE_MS) return { acquired: false };
    } else if (isProcessAlive(holder.pid)) {
      return { acquired: false, holder };
    }
    if (removeIfUnchanged(file, raw)) previous = holder;
  }
  const holder = parseRecord(readRaw(file) ?? '');
  return holder ? { acquired: false, holder } : { acquired: false };
}

/** The lock's record, or undefined when there is no lock (or its record is not written yet). */
export function readLock(file: string): LockRecord | undefined {
  return parseRecord(readRaw(file) ?? '');
}

/** Replaces the record of a lock this process owns (atomically: readers see the old or the new one). */
export function updateLock(file: string, record: LockRecord): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(record));
  renameSync(temporary, file);
}

/** Drops the lock if `pid` still owns it. */
export function releaseLock(file: string, pid: number = process.pid): void {
  const raw = readRaw(file);
  if (raw !== undefined && parseRecord(raw)?.pid === pid) removeIfUnchanged(file, raw);
}

function removeIfUnchanged(file: string, expected: string): boolean {
  const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // someone else removed or replaced it first
  }
  const moved = readRaw(aside);
  if (moved === expected) {
    unlinkSync(aside);
    return true;
  }
  // We moved a lock someone took in the meantime: put it back unless yet another one exists.
  try {
    linkSync(aside, file);
  } catch {
    // a third lock exists already; the one we moved belongs to an owner that checks its lock again
  }
  unlinkSync(aside);
  return false;
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseRecord(raw: string): LockRecord | undefined {
  try {
    const record = JSON.parse(raw) as LockRecord;
    return typeof record?.pid === 'number' ? record : undefined;
  } catch {
    return undefined;
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
