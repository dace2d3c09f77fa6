// Typed access to what the perception passes learned about photos: `item_passes` (which
// pass ran on which content, or why it failed), `item_tags`, `item_regions`, `item_text`.
// A pass's rows for a photo are replaced as a whole, in one transaction with its pass row.
import type { Db } from './db';

export interface TagRow {
  tag: string;
  score: number;
  count: number;
  /** WordNet id, country code... */
  ref: string | null;
}

export interface RegionRow {
  label: string;
  score: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TextLineRow {
  text: string;
  score: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PassResult {
  tags?: TagRow[];
  regions?: RegionRow[];
  /** the pass that reads text writes lines */
  lines?: TextLineRow[];
}

/** The photos (ready, with content) for which `pass` at `version` has not run on their current content. */
export function photosDueFor(db: Db, pass: string, version: string, limit: number, afterId = 0): { id: number; path: string; hash: string }[] {
  return db
    .prepare(
      `SELECT i.id, i.path, i.hash FROM items i
       LEFT JOIN item_passes p ON p.item_id = i.id AND p.pass = ?
       WHERE i.id > ? AND i.kind = 'image' AND i.state = 'ready' AND i.hash IS NOT NULL
         AND (p.item_id IS NULL OR p.version <> ? OR p.hash <> i.hash)
       ORDER BY i.id LIMIT ?`,
    )
    .all(pass, afterId, version, limit) as { id: number; path: string; hash: string }[];
}

export function countDue(db: Db, pass: string, version: string): number {
  return (
    db
      .prepare(
        `SELECT count(*) AS n FROM items i
         LEFT JOIN item_passes p ON p.item_id = i.id AND p.pass = ?
         WHERE i.kind = 'image' AND i.state = 'ready' AND i.hash IS NOT NULL
           AND (p.item_id IS NULL OR p.version <> ? OR p.hash <> i.hash)`,
      )
      .get(pass, version) as { n: number }
  ).n;
}

/**
 * The `item_passes` name of a record that is not a pass: which evidence a photo's embedding
 * read (main/engine/embedding/evidence-refresh.ts). Dropped with the photo's content like
 * every pass row; never counted as a pass.
 */
export const EMBEDDING_RECORD = 'embedding';

/** Per pass: photos it has seen and photos it failed on, at any version (for status). */
export function passCounts(db: Db): { pass: string; done: number; errors: number }[] {
  return db
    .prepare(`SELECT pass, sum(state = 'done') AS done, sum(state = 'error') AS errors FROM item_passes WHERE pass <> ? GROUP BY pass ORDER BY pass`)
    .all(EMBEDDING_RECORD) as { pass: string; done: number; errors: number }[];
}

/** Which of `passes` have run on the photo's content `hash` (done or failed), at which version. */
export function passRunsOn(db: Db, itemId: number, hash: string, passes: readonly string[]): Map<string, { version: string; state: 'done' | 'error' }> {
  const rows = db
    .prepare(`SELECT pass, version, state FROM item_passes WHERE item_id = ? AND hash = ? AND pass IN (${passes.map(() => '?').join(', ')})`)
    .all(itemId, hash, ...passes) as { pass: string; version: string; state: 'done' | 'error' }[];
  return new Map(rows.map((r) => [r.pass, { version: r.version, state: r.state }]));
}

/** Replaces what `pass` knows of the photo with `result` (or with the error). Call inside a transaction. */
export function writePassResult(
  db: Db,
  itemId: number,
  pass: string,
  run: { version: string; hash: string },
  outcome: { ok: true; result: PassResult } | { ok: false; error: string },
  now = Date.now(),
): void {
  clearPassOutput(db, itemId, pass);
  db.prepare(
    `INSERT INTO item_passes (item_id, pass, version, hash, state, error, at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (item_id, pass) DO UPDATE SET version = excluded.version, hash = excluded.hash, state = excluded.state, error = excluded.error, at = excluded.at`,
  ).run(itemId, pass, run.version, run.hash, outcome.ok ? 'done' : 'error', outcome.ok ? null : outcome.error, now);
  if (!outcome.ok) return;
  const { tags = [], regions = [], lines = [] } = outcome.result;
  const tag = db.prepare('INSERT INTO item_tags (item_id, pass, tag, score, count, ref) VALUES (?, ?, ?, ?, ?, ?)');
  for (const t of tags) tag.run(itemId, pass, t.tag, t.score, t.count, t.ref);
  const region = db.prepare('INSERT INTO item_regions (item_id, pass, label, score, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const r of regions) region.run(itemId, pass, r.label, r.score, r.x, r.y, r.w, r.h);
  const line = db.prepare('INSERT INTO item_text (item_id, line, text, score, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  lines.forEach((l, i) => line.run(itemId, i, l.text, l.score, l.x, l.y, l.w, l.h));
}

function clearPassOutput(db: Db, itemId: number, pass: string): void {
  db.prepare('DELETE FROM item_tags WHERE item_id = ? AND pass = ?').run(itemId, pass);
  db.prepare('DELETE FROM item_regions WHERE item_id = ? AND pass = ?').run(itemId, pass);
  if (pass === 'text') db.prepare('DELETE FROM item_text WHERE item_id = ?').run(itemId);
}

/** The photo's content changed: nothing the passes learned of the old content holds. */
export function forgetPasses(db: Db, itemId: number): void {
  for (const t of ['item_passes', 'item_tags', 'item_regions', 'item_text']) db.prepare(`DELETE FROM ${t} WHERE item_id = ?`).run(itemId);
}

export function tagsOfItem(db: Db, itemId: number): (TagRow & { pass: string })[] {
  return db.prepare('SELECT pass, tag, score, count, ref FROM item_tags WHERE item_id = ? ORDER BY pass, score DESC').all(itemId) as (TagRow & { pass: string })[];
}

export function regionsOfItem(db: Db, itemId: number, pass?: string): (RegionRow & { pass: string })[] {
  const sql = 'SELECT pass, label, score, x, y, w, h FROM item_regions WHERE item_id = ?' + (pass ? ' AND pass = ?' : '') + ' ORDER BY score DESC';
  return (pass ? db.prepare(sql).all(itemId, pass) : db.prepare(sql).all(itemId)) as (RegionRow & { pass: string })[];
}

export function textOfItem(db: Db, itemId: number): TextLineRow[] {
  return db.prepare('SELECT text, score, x, y, w, h FROM item_text WHERE item_id = ? ORDER BY line').all(itemId) as TextLineRow[];
}

export function passErrorsOfItem(db: Db, itemId: number): { pass: string; error: string }[] {
  return db.prepare(`SELECT pass, error FROM item_passes WHERE item_id = ? AND state = 'error'`).all(itemId) as { pass: string; error: string }[];
}

/** Items at any of these places (names as the places pass stored them, case-insensitive). */
export function itemsAtPlaces(db: Db, names: readonly string[]): Set<number> {
  const stmt = db.prepare(`SELECT DISTINCT item_id AS id FROM item_tags WHERE pass = 'places' AND tag = ? COLLATE NOCASE`);
  const out = new Set<number>();
  for (const n of names) for (const r of stmt.all(n) as { id: number }[]) out.add(r.id);
  return out;
}

/** The places in the library with how many photos each: what the query parser may recognise. */
export function libraryPlaces(db: Db): { name: string; kind: string; count: number }[] {
  return db
    .prepare(`SELECT tag AS name, ref AS kind, count(DISTINCT item_id) AS count FROM item_tags WHERE pass = 'places' GROUP BY tag, ref ORDER BY count DESC`)
    .all() as { name: string; kind: string; count: number }[];
}

/** Tags of many items at once (pass 'places' included). */
export function tagsOfItems(db: Db, itemIds: readonly number[]): Map<number, (TagRow & { pass: string })[]> {
  const out = new Map<number, (TagRow & { pass: string })[]>();
  const stmt = db.prepare('SELECT pass, tag, score, count, ref FROM item_tags WHERE item_id = ?');
  for (const id of itemIds) out.set(id, stmt.all(id) as (TagRow & { pass: string })[]);
  return out;
}

/** The distinct labels and object classes the passes gave this library. */
export function libraryLabels(db: Db): { pass: string; tag: string; ref: string | null }[] {
  return db.prepare(`SELECT DISTINCT pass, tag, ref FROM item_tags WHERE pass IN ('labels', 'objects')`).all() as { pass: string; tag: string; ref: string | null }[];
}
