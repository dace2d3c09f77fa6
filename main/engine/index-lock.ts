// One indexer per library: a lock file holding the owner's pid. A lock left by a process
// that died (kill -9, power loss) is taken over; a live owner makes the caller wait.
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';

export type LockResult = { ok: true; release: () => void } | { ok: false; ownerPid: number };

export function tryLock(file: string, pid = process.pid): LockResult {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(pid));
      closeSync(fd);
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8') === String(pid)) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // removed meanwhile: try again
    }
    if (Number.isInteger(owner) && owner > 0 && (owner === pid || isAlive(owner))) return { ok: false, ownerPid: owner };
    try {
      unlinkSync(file); // stale: its owner is gone
    } catch {
      // someone else took it over first
    }
  }
  return { ok: false, ownerPid: NaN };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
