import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../src/db/data-dir-lock.js';

describe('PGlite data directory lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeLock = (owner: unknown) => writeFileSync(join(dir, LOCK_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));

  it('is held while open and released on close; a second open in the same process is refused', () => {
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(lock.tookOverFrom).toBeUndefined();
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir).release();
  });

  it('refuses while the owner lives, naming it and what to do', () => {
    // The parent of this test process is alive for as long as the test runs.
    writeLock({ pid: process.ppid, hostname: hostname(), startedAt: '2026-12-05T09:00:00.000Z' });
    expect(() => lockDataDir(dir)).toThrow(
      `DATA_DIR ${dir} is in use by process ${process.ppid} (started 2026-12-05T09:00:00.000Z); stop it first, or set DATA_DIR to another folder`,
    );
    // Not taken over: the owner's file is still there.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over the lock of a process that is gone, and of a torn lock file', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeLock({ pid: Number(gone), hostname: hostname(), startedAt: '2026-12-05T09:00:00.000Z' });
    const lock = lockDataDir(dir);
    expect(lock.tookOverFrom).toBe(Number(gone));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();

    writeLock('');
    const again = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    again.release();
  });

  it('cannot check a process on another host: refuses, saying which file to delete if it is gone', () => {
    writeLock({ pid: 1, hostname: 'other-host', startedAt: '2026-12-05T09:00:00.000Z' });
    expect(() => lockDataDir(dir)).toThrow(`is in use by process 1 on host other-host`);
    expect(() => lockDataDir(dir)).toThrow(`delete ${join(dir, LOCK_FILE)}`);
  });
});
