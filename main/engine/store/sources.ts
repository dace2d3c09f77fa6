// Typed access to the `sources` table (folders the user added).
import type { Db } from './db';

export interface SourceRow {
  id: number;
  path: string;
  addedAt: number;
  itemCount: number;
}

export function listSources(db: Db): SourceRow[] {
  return db
    .prepare(
      `SELECT s.id, s.path, s.added_at AS addedAt, (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS itemCount
       FROM sources s ORDER BY s.id`,
    )
    .all() as SourceRow[];
}

export function getSource(db: Db, id: number): SourceRow | undefined {
  return db
    .prepare(
      `SELECT s.id, s.path, s.added_at AS addedAt, (SELECT count(*) FROM items i WHERE i.source_id = s.id) AS itemCount
       FROM sources s WHERE s.id = ?`,
    )
    .get(id) as SourceRow | undefined;
}

export function sourcePath(db: Db, id: number): string | undefined {
  return (db.prepare('SELECT path FROM sources WHERE id = ?').get(id) as { path: string } | undefined)?.path;
}

export function insertSource(db: Db, path: string, now = Date.now()): SourceRow {
  const info = db.prepare('INSERT INTO sources (path, added_at) VALUES (?, ?)').run(path, now);
  return { id: Number(info.lastInsertRowid), path, addedAt: now, itemCount: 0 };
}

/** Deletes the source; its items, chunks, embeddings and errors go with it (cascade). */
export function deleteSource(db: Db, id: number): number {
  const n = (db.prepare('SELECT count(*) AS n FROM items WHERE source_id = ?').get(id) as { n: number }).n;
  db.prepare('DELETE FROM sources WHERE id = ?').run(id);
  return n;
}
