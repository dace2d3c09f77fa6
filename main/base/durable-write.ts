// Durable file writes: a crash, a kill or a full disk leaves the old file or the new one,
// never a torn one. The bytes go to a temp file in the same folder, are flushed (fsync),
// and the temp file is renamed over the target (atomic on one file system); the folder is
// then flushed so the rename itself survives a power cut.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

let tempCounter = 0;

/**
 * A temp name beside `file`, unique to this process and call: `<file>.tmp-<pid>-<n>`.
 * Readers that clean up after killed writers look for the `<file>.tmp-` prefix.
 */
export function tempPathFor(file: string): string {
  tempCounter += 1;
  return `${file}.tmp-${process.pid}-${tempCounter}`;
}

/** Flushes a file's content to disk (for files another library wrote, before they are renamed). */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (renames) to disk; a no-op where folders cannot be opened (Windows). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported everywhere; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `parts` in order to a new file and flushes it (no rename: for the steps of a multi-file commit). */
export function writeFileSynced(path: string, parts: string | Uint8Array | Iterable<Uint8Array>, options: { mode?: number } = {}): void {
  const fd = openSync(path, 'w', options.mode ?? 0o666);
  try {
    for (const part of chunksOf(parts)) {
      let off = 0;
      while (off < part.byteLength) off += writeSync(fd, part, off, part.byteLength - off);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `file` with `parts` (a string is written as UTF-8; an iterable of byte arrays is
 * written in order, without joining them first) durably: temp file, fsync, rename, fsync of
 * the folder. On failure the temp file is removed and the old file is left as it was.
 */
export function writeFileAtomic(file: string, parts: string | Uint8Array | Iterable<Uint8Array>, options: { mode?: number } = {}): void {
  const tmp = tempPathFor(file);
  try {
    writeFileSynced(tmp, parts, options);
    renameSync(tmp, file);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
  fsyncDir(dirname(file));
}

/** Removes a file, ignoring any error (cleanup after a failure that is being reported already). */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function* chunksOf(parts: string | Uint8Array | Iterable<Uint8Array>): Generator<Uint8Array> {
  if (typeof parts === 'string') yield Buffer.from(parts, 'utf8');
  else if (parts instanceof Uint8Array) yield parts;
  else yield* parts;
}
