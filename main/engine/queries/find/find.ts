// Find with a text query, fused: the query is understood (dates, places, kinds, quoted
// phrases, words with their synonyms), the full-text index says which items match which
// words, the perception tags say how strongly, the embedding adds meaning per kind, and
// fuse.ts ranks it all on one scale. Filters (from the request and from the query) narrow
// every signal alike. A query of filters only ("photos from Lisbon", "December 2022")
// lists what passes them, newest first.
import type { Filters, ItemKind, SearchResponse, SearchResult } from '../../../contract/api';
import type { Catalog } from '../../embedding/catalog';
import type { EmbeddingModel } from '../../../ml/models/embedding-model';
import type { Db } from '../../store/db';
import { getChunk, type CatalogEntry } from '../../store/embeddings';
import { filteredItems, getItems } from '../../store/items';
import { itemsAtPlaces, tagsOfItems } from '../../store/perception';
import type { Generality } from '../../lexicon/generality';
import type { TagWords } from '../../text-index/documents';
import type { VectorIndex } from '../../vectors/vector-index';
import { embeddingSignal } from './embedding-signal';
import { documentFrequencies, fuse, idfOf, isStrong, type Scored } from './fuse';
import type { PlanFilters, SearchPlan } from './plan';
import { searchableItems, textMatches } from './text-matches';

export interface FindDeps {
  db: Db;
  model: EmbeddingModel;
  index: VectorIndex;
  catalog: Catalog;
  tagWords: TagWords;
  /** how general each English word is (null: every word counts fully) */
  generality: Generality | null;
}

export interface FindQuery {
  plan: SearchPlan;
  k: number;
  sort: 'relevance' | 'date';
}

/** Candidates the embedding contributes per kind, at least. */
const EMBEDDING_CANDIDATES = 100;

/** The request's filters and the query's, as one: ranges intersect, lists combine. */
export function mergeFilters(req: Filters, onlyItems: ReadonlySet<number> | undefined, parsed: PlanFilters): PlanFilters {
  const out: PlanFilters = { ...parsed };
  if (req.kinds?.length) out.kinds = parsed.kinds ? parsed.kinds.filter((k) => req.kinds!.includes(k)) : [...req.kinds];
  if (req.sourceIds?.length) out.sourceIds = [...req.sourceIds];
  if (req.dateFrom !== undefined) out.dateFrom = Math.max(req.dateFrom, parsed.dateFrom ?? -Infinity);
  if (req.dateTo !== undefined) out.dateTo = Math.min(req.dateTo, parsed.dateTo ?? Infinity);
  if (req.places?.length) out.places = [...new Set([...(parsed.places ?? []), ...req.places])];
  if (onlyItems) out.onlyItems = onlyItems;
  return out;
}

export async function findFused(deps: FindDeps, q: FindQuery): Promise<SearchResponse> {
  const { db } = deps;
  const { plan } = q;
  const f = plan.filters;
  const kinds: ItemKind[] = f.kinds ?? ['image', 'note'];
  const atPlace = f.places?.length ? itemsAtPlaces(db, f.places) : null;
  const allowedItem = (itemId: number, kind: ItemKind, date: number, sourceId: number) =>
    kinds.includes(kind) &&
    (!f.sourceIds || f.sourceIds.includes(sourceId)) &&
    (f.dateFrom === undefined || date >= f.dateFrom) &&
    (f.dateTo === undefined || date <= f.dateTo) &&
    (!f.months || f.months.includes(new Date(date).getMonth() + 1)) &&
    (!atPlace || atPlace.has(itemId)) &&
    (!f.onlyItems || f.onlyItems.has(itemId));
  const allowedEntry = (e: CatalogEntry) => allowedItem(e.itemId, e.kind, e.date, e.sourceId);
  const filterReasons = plan.filterReasons.map((r) => ({ kind: r.kind, label: `${r.kind}: ${r.label}` }));

  if (!plan.groups.length) {
    // filters only: everything that passes them, newest first
    const rows = filteredItems(db, { kinds, sourceIds: f.sourceIds, dateFrom: f.dateFrom, dateTo: f.dateTo }).filter(
      (r) => (!atPlace || atPlace.has(r.id)) && (!f.onlyItems || f.onlyItems.has(r.id)) && (!f.months || f.months.includes(new Date(r.date).getMonth() + 1)),
    );
    const ranked: Scored[] = rows.slice(0, q.k).map((r) => ({ itemId: r.id, kind: r.kind, chunkId: null, score: 1, lexical: 1, semantic: 0, why: [] }));
    return { results: toResults(db, ranked, filterReasons, q.sort), instruction: '', strong: ranked.length > 0 };
  }

  const all = textMatches(db, plan.groups);
  const items = getItems(db, [...all.keys()]);
  const text = new Map([...all].filter(([id, m]) => {
    const it = items.get(id);
    return it !== undefined && it.state === 'ready' && allowedItem(id, m.kind, it.takenAt ?? it.mtime, it.sourceId);
  }));
  const exactGroups = plan.groups.flatMap((g, i) => (g.exact ? [i] : []));
  for (const g of exactGroups) {
    // a quoted phrase filters, once anything has it
    if ([...text.values()].some((m) => m.matches.some((c) => c.group === g))) {
      for (const [id, m] of text) if (!m.matches.some((c) => c.group === g)) text.delete(id);
    }
  }
  const n = Math.max(1, searchableItems(db));
  // rare in the library and specific in English: "make" in four notes is still a common word
  const general = (g: SearchPlan['groups'][number]) => (g.place || g.exact || !deps.generality ? 1 : deps.generality.weight(g.said));
  const idf = documentFrequencies(plan.groups, text).map((df, i) => idfOf(df, n) * general(plan.groups[i]!));
  const emb = await embeddingSignal(deps, plan.embedText, kinds, Math.max(EMBEDDING_CANDIDATES, 3 * q.k), allowedEntry);
  if (exactGroups.length && text.size) for (const id of [...emb.hits.keys()]) if (!text.has(id)) emb.hits.delete(id);
  const photos = [...text.values()].filter((m) => m.kind === 'image').map((m) => m.itemId);
  const ranked = fuse({ groups: plan.groups, idf, text, tags: tagsOfItems(db, photos), tagWords: deps.tagWords, embedding: emb.hits });
  return {
    results: toResults(db, ranked.slice(0, q.k), filterReasons, q.sort),
    instruction: emb.instruction,
    strong: isStrong(ranked.slice(0, q.k), emb.hits),
  };
}

function toResults(db: Db, ranked: Scored[], filterReasons: SearchResult['why'] & object, sort: 'relevance' | 'date'): SearchResult[] {
  const items = getItems(db, ranked.map((r) => r.itemId));
  const out: SearchResult[] = [];
  for (const r of ranked) {
    const it = items.get(r.itemId);
    if (!it) continue;
    const res: SearchResult = { id: it.id, path: it.path, kind: it.kind, score: r.score, takenAt: it.takenAt, width: it.width, height: it.height, why: [...r.why, ...filterReasons] };
    if (r.chunkId !== null) {
      const c = getChunk(db, r.chunkId);
      if (c) res.chunk = { index: c.index, start: c.start, end: c.end, text: c.text };
    }
    out.push(res);
  }
  if (sort === 'date') {
    const date = (r: SearchResult) => r.takenAt ?? items.get(r.id)!.mtime;
    out.sort((a, b) => date(b) - date(a) || b.score - a.score);
  }
  return out;
}
