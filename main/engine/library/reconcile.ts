// Brings the items of one source in line with what is on disk: new files become pending
// items, changed files pending again, vanished files are deleted, and a new path whose
// content hash equals a vanished item's is a move/rename: the item keeps its id, chunks and
// embeddings. The disk walk and hashing happen first; all writes then go in one transaction,
// so a crash leaves either the old or the new state.
import type { Db } from '../store/db';
import { clearError, errorPathsOfSource, recordError } from '../store/errors';
import { deleteItem, insertItem, itemsOfSource, markChanged, moveItem, type ItemRow } from '../store/items';
import type { SourceRow } from '../store/sources';
import { sha256File } from '../../base/hash';
import { scanFolder, type ScannedFile } from './scan';
import { messageOf } from '../../base/errors';

export interface ReconcileResult {
  added: number;
  changed: number;
  moved: number;
  movedItemIds: number[];
  removedItemIds: number[];
}

export async function reconcileSource(db: Db, source: SourceRow): Promise<ReconcileResult> {
  let scan;
  try {
    scan = await scanFolder(source.path);
  } catch (err) {
    // The whole folder is gone or unreadable (an unplugged disk): keep the items, say why.
    const code = (err as NodeJS.ErrnoException).code;
    recordError(db, source.path, code === 'ENOENT' ? 'this folder is missing (moved, deleted or on a disk that is not connected); its items are kept until it comes back or you remove it' : `this folder could not be read (${messageOf(err)})`, source.id);
    return { added: 0, changed: 0, moved: 0, movedItemIds: [], removedItemIds: [] };
  }
  const existing = itemsOfSource(db, source.id);
  const byPath = new Map(existing.map((i) => [i.path, i]));
  const onDisk = new Set(scan.files.map((f) => f.path));
  const vanished = existing.filter((i) => !onDisk.has(i.path));
  const fresh = scan.files.filter((f) => !byPath.has(f.path));
  const changed = scan.files.filter((f) => {
    const i = byPath.get(f.path);
    return i !== undefined && (i.size !== f.size || i.mtime !== f.mtime);
  });

  // Moves: a fresh file with the size, kind and content hash of a vanished item.
  const moves: { item: ItemRow; file: ScannedFile }[] = [];
  const freshHashes = new Map<string, string>();
  const candidates = vanished.filter((i) => i.hash !== null);
  for (const f of fresh) {
    const same = candidates.filter((i) => i.size === f.size && i.kind === f.kind);
    if (!same.length) continue;
    const h = await sha256File(f.path).catch(() => null);
    if (!h) continue;
    freshHashes.set(f.path, h);
    const match = same.find((i) => i.hash === h);
    if (match) {
      moves.push({ item: match, file: f });
      candidates.splice(candidates.indexOf(match), 1);
    }
  }
  const movedIds = new Set(moves.map((m) => m.item.id));
  const movedPaths = new Set(moves.map((m) => m.file.path));
  const removed = vanished.filter((i) => !movedIds.has(i.id));
  const keepErrors = new Set([...onDisk, ...scan.problems.map((p) => p.path)]);

  db.transaction(() => {
    for (const i of removed) deleteItem(db, i.id);
    for (const m of moves) moveItem(db, m.item.id, m.file.path, source.id, m.file.mtime);
    for (const f of fresh) {
      if (movedPaths.has(f.path)) continue;
      insertItem(db, { sourceId: source.id, path: f.path, kind: f.kind, size: f.size, mtime: f.mtime });
    }
    for (const f of changed) markChanged(db, byPath.get(f.path)!.id, f.size, f.mtime);
    for (const p of scan.problems) recordError(db, p.path, p.reason, source.id);
    // errors about files that are no longer there are no longer true
    const stale = errorPathsOfSource(db, source.id).filter((p) => !keepErrors.has(p));
    for (const p of stale) clearError(db, p);
  })();

  return {
    added: fresh.length - moves.length,
    changed: changed.length,
    moved: moves.length,
    movedItemIds: moves.map((m) => m.item.id),
    removedItemIds: removed.map((i) => i.id),
  };
}
