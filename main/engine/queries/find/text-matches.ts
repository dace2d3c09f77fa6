// The full-text signal: which items match which of the query's words, in which column.
// One FTS5 query per alternative and column keeps the answer exact and explainable
// (bm25 alone would say how well, not which words).
import type { Db } from '../../store/db';
import { tagToken } from '../../text-index/documents';
import type { TermGroup } from './plan';

export type Column = 'name' | 'folder' | 'body' | 'tags' | 'place';
export const COLUMNS: readonly Column[] = ['name', 'folder', 'body', 'tags', 'place'];

export interface ColumnMatch {
  group: number;
  alternative: number;
  column: Column;
  chunkId: number | null;
}

export interface ItemMatches {
  itemId: number;
  kind: 'image' | 'note';
  matches: ColumnMatch[];
}

/** FTS5 phrase syntax for a word or phrase (double quotes doubled). */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** Documents matching each alternative of each group, per column; at most `perTerm` documents per query. */
export function textMatches(db: Db, groups: TermGroup[], perTerm = 5000): Map<number, ItemMatches> {
  const out = new Map<number, ItemMatches>();
  const stmt = db.prepare(
    `SELECT d.item_id AS itemId, d.chunk_id AS chunkId, i.kind AS kind FROM search_text t
     JOIN search_docs d ON d.id = t.rowid JOIN items i ON i.id = d.item_id
     WHERE search_text MATCH ? LIMIT ?`,
  );
  groups.forEach((g, gi) => {
    g.alternatives.forEach((a, ai) => {
      if (!/[\p{L}\p{N}]/u.test(a.text)) return;
      for (const column of COLUMNS) {
        const phrase = ftsPhrase(column === 'tags' ? tagToken(a.text) : a.text);
        const rows = stmt.all(`{${column}} : ${phrase}`, perTerm) as { itemId: number; chunkId: number | null; kind: 'image' | 'note' }[];
        for (const r of rows) {
          let m = out.get(r.itemId);
          if (!m) out.set(r.itemId, (m = { itemId: r.itemId, kind: r.kind, matches: [] }));
          m.matches.push({ group: gi, alternative: ai, column, chunkId: r.chunkId });
        }
      }
    });
  });
  return out;
}

/** Number of searchable items (the N of inverse document frequency). */
export function searchableItems(db: Db): number {
  return (db.prepare('SELECT count(DISTINCT item_id) AS n FROM search_docs').get() as { n: number }).n;
}
