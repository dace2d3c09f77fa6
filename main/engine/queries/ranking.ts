// Pure pieces of search: which embeddings pass the filters, and how raw neighbours
// become one ranked hit per item (best chunk per note).
import type { Filters, ItemKind } from '../../contract/api';
import type { CatalogEntry } from '../store/embeddings';

export interface Hit {
  embeddingId: number;
  itemId: number;
  chunkId: number | null;
  kind: ItemKind;
  score: number;
  date: number;
}

export function passes(e: CatalogEntry, f: Filters, kind?: ItemKind): boolean {
  if (kind !== undefined && e.kind !== kind) return false;
  if (f.kinds && f.kinds.length && !f.kinds.includes(e.kind)) return false;
  if (f.sourceIds && f.sourceIds.length && !f.sourceIds.includes(e.sourceId)) return false;
  if (f.dateFrom !== undefined && e.date < f.dateFrom) return false;
  if (f.dateTo !== undefined && e.date > f.dateTo) return false;
  return true;
}

/** One hit per item (its best-scoring embedding), the top k by score, then ordered by `sort`. */
export function rank(hits: Hit[], k: number, sort: 'relevance' | 'date'): Hit[] {
  const best = new Map<number, Hit>();
  for (const h of hits) {
    const cur = best.get(h.itemId);
    if (!cur || h.score > cur.score) best.set(h.itemId, h);
  }
  const top = [...best.values()].sort((a, b) => b.score - a.score || a.itemId - b.itemId).slice(0, k);
  if (sort === 'date') top.sort((a, b) => b.date - a.date || b.score - a.score);
  return top;
}
