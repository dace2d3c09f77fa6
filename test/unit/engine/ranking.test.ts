import { describe, expect, it } from 'vitest';
import { passes, rank, type Hit } from '../../../main/engine/queries/ranking';
import type { CatalogEntry } from '../../../main/engine/store/embeddings';

const e = (o: Partial<CatalogEntry>): CatalogEntry => ({ itemId: 1, chunkId: null, kind: 'image', sourceId: 1, date: 1000, ...o });
const h = (o: Partial<Hit>): Hit => ({ embeddingId: 1, itemId: 1, chunkId: null, kind: 'image', score: 0.5, date: 0, ...o });

describe('search filters', () => {
  it('filters by kind, source and inclusive date range', () => {
    expect(passes(e({}), {})).toBe(true);
    expect(passes(e({ kind: 'note' }), { kinds: ['image'] })).toBe(false);
    expect(passes(e({}), {}, 'note')).toBe(false);
    expect(passes(e({ sourceId: 2 }), { sourceIds: [1] })).toBe(false);
    expect(passes(e({ sourceId: 2 }), { sourceIds: [1, 2] })).toBe(true);
    expect(passes(e({ date: 1000 }), { dateFrom: 1000, dateTo: 1000 })).toBe(true);
    expect(passes(e({ date: 999 }), { dateFrom: 1000 })).toBe(false);
    expect(passes(e({ date: 1001 }), { dateTo: 1000 })).toBe(false);
  });
});

describe('rank', () => {
  it('keeps the best chunk per note and one hit per item', () => {
    const out = rank(
      [
        h({ embeddingId: 1, itemId: 7, chunkId: 70, kind: 'note', score: 0.4 }),
        h({ embeddingId: 2, itemId: 7, chunkId: 71, kind: 'note', score: 0.9 }),
        h({ embeddingId: 3, itemId: 8, score: 0.6 }),
        h({ embeddingId: 4, itemId: 7, chunkId: 72, kind: 'note', score: 0.1 }),
      ],
      10,
      'relevance',
    );
    expect(out.map((x) => [x.itemId, x.chunkId])).toEqual([
      [7, 71],
      [8, null],
    ]);
  });

  it('takes the k most relevant, then orders them by date when asked', () => {
    const hits = [h({ itemId: 1, score: 0.9, date: 10 }), h({ itemId: 2, score: 0.8, date: 30 }), h({ itemId: 3, score: 0.7, date: 20 }), h({ itemId: 4, score: 0.1, date: 99 })];
    expect(rank(hits, 3, 'relevance').map((x) => x.itemId)).toEqual([1, 2, 3]);
    expect(rank(hits, 3, 'date').map((x) => x.itemId)).toEqual([2, 3, 1]);
  });
});
