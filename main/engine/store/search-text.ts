// Typed access to the full-text index: `search_docs` (which item and note chunk each
// document is) and the FTS5 table `search_text` (name, folder, body, tags, place).
import type { ItemKind } from '../../contract/api';
import type { Db } from './db';

export interface SearchDoc {
  chunkId: number | null;
  /** words of the file name */
  name: string;
  /** words of the folders between the library folder and the file */
  folder: string;
  /** a note chunk's text, or the text read in a photo */
  body: string;
  /** what the passes saw, with synonyms and broader words */
  tags: string;
  /** place names */
  place: string;
}

/** Column weights for bm25, in the table's column order. */
export interface ColumnWeights {
  name: number;
  folder: number;
  body: number;
  tags: number;
  place: number;
}

/** Replaces the item's documents. Call inside a transaction. */
export function replaceSearchDocs(db: Db, itemId: number, docs: SearchDoc[]): void {
  db.prepare('DELETE FROM search_docs WHERE item_id = ?').run(itemId);
  const doc = db.prepare('INSERT INTO search_docs (item_id, chunk_id) VALUES (?, ?)');
  const text = db.prepare('INSERT INTO search_text (rowid, name, folder, body, tags, place) VALUES (?, ?, ?, ?, ?, ?)');
  for (const d of docs) {
    const id = Number(doc.run(itemId, d.chunkId).lastInsertRowid);
    text.run(id, d.name, d.folder, d.body, d.tags, d.place);
  }
}

export interface TextHit extends SearchDoc {
  itemId: number;
  kind: ItemKind;
  /** bm25 with the column weights: higher is better (FTS5's sign flipped) */
  score: number;
}

/**
 * The best documents for an FTS5 MATCH expression. A syntax error in `match` (it is built
 * by the query parser, never typed by the user) throws.
 */
export function matchSearchText(db: Db, match: string, w: ColumnWeights, limit: number): TextHit[] {
  return db
    .prepare(
      `SELECT d.item_id AS itemId, d.chunk_id AS chunkId, i.kind AS kind, t.name, t.folder, t.body, t.tags, t.place,
              -bm25(search_text, ?, ?, ?, ?, ?) AS score
       FROM search_text t JOIN search_docs d ON d.id = t.rowid JOIN items i ON i.id = d.item_id
       WHERE search_text MATCH ? ORDER BY score DESC LIMIT ?`,
    )
    .all(w.name, w.folder, w.body, w.tags, w.place, match, limit) as TextHit[];
}

/** The item ids whose documents have any of these words in the place column. */
export function itemsAtPlace(db: Db, match: string): Set<number> {
  const rows = db
    .prepare(`SELECT DISTINCT d.item_id AS id FROM search_text t JOIN search_docs d ON d.id = t.rowid WHERE search_text MATCH ?`)
    .all(`place : (${match})`) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}

/** Ready items with no document in the index (a library made before the index existed). */
export function itemsWithoutDocs(db: Db): number[] {
  return (
    db.prepare(`SELECT i.id FROM items i WHERE i.state = 'ready' AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.item_id = i.id) ORDER BY i.id`).all() as { id: number }[]
  ).map((r) => r.id);
}

export function countSearchDocs(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM search_docs').get() as { n: number }).n;
}
