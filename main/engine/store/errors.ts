// Typed access to `errors`: files Trove could not read, with a reason a user understands.
// One row per path: a later failure replaces the reason, a later success deletes it.
import type { Db } from './db';

export interface ErrorRow {
  path: string;
  reason: string;
  at: number;
}

export function recordError(db: Db, path: string, reason: string, sourceId: number | null, now = Date.now()): void {
  db.prepare(
    `INSERT INTO errors (path, source_id, reason, at) VALUES (?, ?, ?, ?)
     ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, at = excluded.at, source_id = excluded.source_id`,
  ).run(path, sourceId, reason, now);
}

export function clearError(db: Db, path: string): void {
  db.prepare('DELETE FROM errors WHERE path = ?').run(path);
}

export function listErrors(db: Db, limit: number): ErrorRow[] {
  return db.prepare('SELECT path, reason, at FROM errors ORDER BY at DESC, id DESC LIMIT ?').all(limit) as ErrorRow[];
}

export function countErrors(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM errors').get() as { n: number }).n;
}

export function errorPathsOfSource(db: Db, sourceId: number): string[] {
  return (db.prepare('SELECT path FROM errors WHERE source_id = ?').all(sourceId) as { path: string }[]).map((r) => r.path);
}
