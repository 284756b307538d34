import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * PGlite is one Postgres inside one process: a second process opening the same data
 * directory gets its own copy in memory, and its writes are lost when either closes. So a
 * process holds `helpdesk.lock` (its pid, host and start time) while it has the directory
 * open; a lock whose process is gone (crash, SIGKILL) is stale and taken over.
 */
export const LOCK_FILE = 'helpdesk.lock';

interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** The directory is held by a live process: start-up stops with this one-line message. */
export class DataDirInUseError extends Error {
  constructor(
    dataDir: string,
    readonly owner: LockOwner,
  ) {
    const where = owner.hostname === hostname() ? '' : ` on host ${owner.hostname}`;
    const advice =
      owner.hostname === hostname()
        ? 'stop it first, or set DATA_DIR to another folder'
        : `stop it first, or set DATA_DIR to another folder (if that process is gone, delete ${join(dataDir, LOCK_FILE)})`;
    super(`DATA_DIR ${dataDir} is in use by process ${owner.pid}${where} (started ${owner.startedAt}); ${advice}`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  /** The pid of the crashed process whose lock was taken over, if any. */
  tookOverFrom: number | undefined;
  release(): void;
}

/** Locks this process holds, by path: a lock naming our own pid is stale only if it is not one of these. */
const held = new Map<string, LockOwner>();

/** Takes the directory's lock or throws DataDirInUseError. The directory must exist. */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = resolve(dataDir, LOCK_FILE);
  const already = held.get(path);
  if (already) throw new DataDirInUseError(dataDir, already);
  const mine: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; ; attempt += 1) {
    if (tryCreate(path, mine)) break;
    const owner = readOwner(path);
    if (owner === 'gone') continue; // released meanwhile: try again
    if (owner && !isStale(owner)) throw new DataDirInUseError(dataDir, owner);
    if (attempt >= 5) throw new Error(`could not take over the stale lock ${path}; delete it and start again`);
    if (removeIfStill(path, owner)) tookOverFrom = owner?.pid;
  }

  held.set(path, mine);
  // Also on process.exit() after a fatal error, so only a crash leaves a (stale) lock behind.
  const releaseOnExit = () => release();
  process.once('exit', releaseOnExit);
  let released = false;
  function release() {
    if (released) return;
    released = true;
    held.delete(path);
    process.off('exit', releaseOnExit);
    const owner = readOwner(path);
    if (owner && owner !== 'gone' && owner.pid === mine.pid && owner.startedAt === mine.startedAt) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    }
  }
  return { tookOverFrom, release };
}

/** O_EXCL: exactly one process creates the file. */
function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The owner named in the file; undefined when unreadable (a crash while writing it); 'gone' when there is no file. */
function readOwner(path: string): LockOwner | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string' && typeof parsed.startedAt === 'string') {
      return { pid: parsed.pid, hostname: parsed.hostname, startedAt: parsed.startedAt };
    }
  } catch {
    // Torn or foreign content: treated as stale below.
  }
  return undefined;
}

/**
 * Only a process on this host can be checked. Our own pid, when this process does not hold
 * the lock (see `held`), is a previous life of it: a container restarted as pid 1.
 */
function isStale(owner: LockOwner | undefined): boolean {
  if (!owner) return true;
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the stale lock, unless another process took it over meanwhile: the file is moved
 * aside atomically first, and put back if it turns out to be a fresh one.
 */
function removeIfStill(path: string, stale: LockOwner | undefined): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readOwner(aside);
  const same = moved !== 'gone' && (moved === undefined || stale === undefined ? moved === stale : moved.pid === stale.pid && moved.startedAt === stale.startedAt);
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone created a lock in between; theirs stands and the next attempt reads it.
    }
  }
  unlinkSync(aside);
  return same;
}
