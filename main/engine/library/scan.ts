// Walks a source folder: regular files of a known kind, skipping hidden/system files and
// dot-folders. Folder links are followed once: each folder is identified by dev+ino, so a
// link that loops back (or a second link to the same folder) is reported and skipped.
import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ItemKind } from '../../contract/api';
import { describeFsError } from './fs-errors';
import { isIgnoredName, kindOf } from './kinds';

export interface ScannedFile {
  path: string;
  kind: ItemKind;
  size: number;
  mtime: number;
}

export interface ScanProblem {
  path: string;
  reason: string;
}

export interface ScanResult {
  files: ScannedFile[];
  problems: ScanProblem[];
}

export async function scanFolder(root: string): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  const problems: ScanProblem[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const key = (s: Stats) => `${s.dev}:${s.ino}`;

  async function walk(dir: string, st: Stats): Promise<void> {
    seenDirs.add(key(st));
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch (err) {
      problems.push({ path: dir, reason: `this folder could not be listed: ${describeFsError(err)}` });
      return;
    }
    names.sort();
    for (const name of names) {
      if (isIgnoredName(name)) continue;
      const p = join(dir, name);
      let s: Stats;
      try {
        s = await fsp.stat(p); // follows links
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          // a dangling link, or a file deleted while we looked: only links are worth a word
          const l = await fsp.lstat(p).catch(() => null);
          if (l?.isSymbolicLink() && kindOf(p)) problems.push({ path: p, reason: 'this link points to a file that does not exist' });
          continue;
        }
        if (code === 'ELOOP' || kindOf(p)) problems.push({ path: p, reason: describeFsError(err) });
        continue;
      }
      if (s.isDirectory()) {
        if (seenDirs.has(key(s))) {
          problems.push({ path: p, reason: 'this folder link leads back to a folder Trove already scans (a link loop); skipped' });
          continue;
        }
        await walk(p, s);
      } else if (s.isFile()) {
        const kind = kindOf(p);
        if (!kind) continue;
        if (seenFiles.has(key(s)) && (await fsp.lstat(p)).isSymbolicLink()) continue; // a link to a file already found
        seenFiles.add(key(s));
        files.push({ path: p, kind, size: s.size, mtime: s.mtimeMs });
      }
    }
  }

  const st = await fsp.stat(root);
  await walk(root, st);
  return { files, problems };
}
