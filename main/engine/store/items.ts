// Typed access to the `items` table (one row per photo or note file).
import type { ItemKind } from '../../contract/api';
import type { Db } from './db';

export type ItemState = 'pending' | 'ready' | 'error';

/** A row: the file's identity and state, plus what extraction learned (ItemMeta; no hash while pending). */
export interface ItemRow extends Omit<ItemMeta, 'hash'> {
  id: number;
  sourceId: number;
  path: string;
  kind: ItemKind;
  hash: string | null;
  state: ItemState;
  embeddedVersion: number | null;
}

const cols = `id, source_id AS sourceId, path, kind, size, mtime, hash, taken_at AS takenAt,
  camera_make AS cameraMake, camera_model AS cameraModel, gps_lat AS gpsLat, gps_lon AS gpsLon,
  width, height, orientation, state, embedded_version AS embeddedVersion`;

export function getItem(db: Db, id: number): ItemRow | undefined {
  return db.prepare(`SELECT ${cols} FROM items WHERE id = ?`).get(id) as ItemRow | undefined;
}

export function getItemByPath(db: Db, path: string): ItemRow | undefined {
  return db.prepare(`SELECT ${cols} FROM items WHERE path = ?`).get(path) as ItemRow | undefined;
}

export function itemsOfSource(db: Db, sourceId: number): ItemRow[] {
  return db.prepare(`SELECT ${cols} FROM items WHERE source_id = ?`).all(sourceId) as ItemRow[];
}

export function itemIdsOfSource(db: Db, sourceId: number): number[] {
  return (db.prepare('SELECT id FROM items WHERE source_id = ?').all(sourceId) as { id: number }[]).map((r) => r.id);
}

export function readyItemIds(db: Db): number[] {
  return (db.prepare(`SELECT id FROM items WHERE state = 'ready' ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
}

/** Photos that were read and embedded, in id order (what labelling and the perception passes go over). */
export function readyPhotos(db: Db): { id: number; path: string; hash: string | null }[] {
  return db.prepare(`SELECT id, path, hash FROM items WHERE kind = 'image' AND state = 'ready' ORDER BY id`).all() as { id: number; path: string; hash: string | null }[];
}

/** Is the row still the file we read (not deleted, moved or changed meanwhile)? */
export function itemStillIs(db: Db, it: { id: number; path: string; size: number; mtime: number }): boolean {
  return db.prepare('SELECT 1 FROM items WHERE id = ? AND path = ? AND size = ? AND mtime = ?').get(it.id, it.path, it.size, it.mtime) !== undefined;
}

/** Ready items passing these filters (date: taken, else the file's), newest first. */
export function filteredItems(
  db: Db,
  f: { kinds: readonly ItemKind[]; sourceIds?: readonly number[]; dateFrom?: number; dateTo?: number },
): { id: number; kind: ItemKind; date: number }[] {
  const rows = db
    .prepare(
      `SELECT id, kind, source_id AS sourceId, coalesce(taken_at, mtime) AS date FROM items
       WHERE state = 'ready' AND date >= ? AND date <= ? ORDER BY date DESC, id`,
    )
    .all(f.dateFrom ?? -8.64e15, f.dateTo ?? 8.64e15) as { id: number; kind: ItemKind; sourceId: number; date: number }[];
  return rows.filter((r) => f.kinds.includes(r.kind) && (!f.sourceIds?.length || f.sourceIds.includes(r.sourceId)));
}

export function getItems(db: Db, ids: readonly number[]): Map<number, ItemRow> {
  const out = new Map<number, ItemRow>();
  const stmt = db.prepare(`SELECT ${cols} FROM items WHERE id = ?`);
  for (const id of ids) {
    const row = stmt.get(id) as ItemRow | undefined;
    if (row) out.set(id, row);
  }
  return out;
}

export function insertItem(
  db: Db,
  it: { sourceId: number; path: string; kind: ItemKind; size: number; mtime: number; hash?: string | null },
  now = Date.now(),
): number {
  const info = db
    .prepare(
      `INSERT INTO items (source_id, path, kind, size, mtime, hash, state, added_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    )
    .run(it.sourceId, it.path, it.kind, it.size, it.mtime, it.hash ?? null, now, now);
  return Number(info.lastInsertRowid);
}

/** A file changed on disk: it must be read and embedded again. */
export function markChanged(db: Db, id: number, size: number, mtime: number, now = Date.now()): void {
  db.prepare(`UPDATE items SET size = ?, mtime = ?, state = 'pending', updated_at = ? WHERE id = ?`).run(size, mtime, now, id);
}

/** A file moved or was renamed (same content): keep the row, its chunks and embeddings. */
export function moveItem(db: Db, id: number, path: string, sourceId: number, mtime: number, now = Date.now()): void {
  db.prepare('UPDATE items SET path = ?, source_id = ?, mtime = ?, updated_at = ? WHERE id = ?').run(path, sourceId, mtime, now, id);
}

export function deleteItem(db: Db, id: number): void {
  db.prepare('DELETE FROM items WHERE id = ?').run(id);
}

export interface ItemMeta {
  hash: string;
  size: number;
  mtime: number;
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
}

export function markReady(db: Db, id: number, meta: ItemMeta, modelVersion: number, now = Date.now()): void {
  db.prepare(
    `UPDATE items SET hash = ?, size = ?, mtime = ?, taken_at = ?, camera_make = ?, camera_model = ?, gps_lat = ?,
       gps_lon = ?, width = ?, height = ?, orientation = ?, state = 'ready', embedded_version = ?, updated_at = ?
     WHERE id = ?`,
  ).run(
    meta.hash, meta.size, meta.mtime, meta.takenAt, meta.cameraMake, meta.cameraModel, meta.gpsLat,
    meta.gpsLon, meta.width, meta.height, meta.orientation, modelVersion, now, id,
  );
}

export function markError(db: Db, id: number, now = Date.now()): void {
  db.prepare(`UPDATE items SET state = 'error', embedded_version = NULL, updated_at = ? WHERE id = ?`).run(now, id);
}

/** Items still to read and embed for this model version, oldest first. */
export function pendingItems(db: Db, modelVersion: number, limit: number, afterId = 0): ItemRow[] {
  return db
    .prepare(
      `SELECT ${cols} FROM items
       WHERE id > ? AND (state = 'pending' OR (state = 'ready' AND (embedded_version IS NULL OR embedded_version <> ?)))
       ORDER BY id LIMIT ?`,
    )
    .all(afterId, modelVersion, limit) as ItemRow[];
}

export function countPending(db: Db, modelVersion: number | null): number {
  const row = db
    .prepare(
      `SELECT count(*) AS n FROM items
       WHERE state = 'pending' OR (state = 'ready' AND (embedded_version IS NULL OR embedded_version IS NOT ?))`,
    )
    .get(modelVersion) as { n: number };
  return row.n;
}

export function countItemsByKind(db: Db): { image: number; note: number } {
  const rows = db.prepare('SELECT kind, count(*) AS n FROM items GROUP BY kind').all() as { kind: ItemKind; n: number }[];
  const out = { image: 0, note: 0 };
  for (const r of rows) out[r.kind] = r.n;
  return out;
}
