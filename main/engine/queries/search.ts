// Find: a text or an image -> the top k items. A text query is embedded once per target
// kind with that kind's query instruction (photos: text->image retrieval; notes:
// text->text retrieval), each searched among embeddings of its kind; an image query
// (optionally with text) searches photos with the image->image instruction, with the image's
// perception evidence for a model that reads it.
import type { Filters, ItemKind, SearchResponse, SearchResult } from '../../contract/api';
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, RgbImage } from '../../ml/models/embedding-model';
import { withEvidence } from '../embedding/evidence';
import type { Catalog } from '../embedding/catalog';
import { describeInput, imageQueryInput, textQueryInput } from '../embedding/instructions';
import type { Db } from '../store/db';
import { getChunk } from '../store/embeddings';
import { getItems } from '../store/items';
import type { VectorIndex } from '../vectors/vector-index';
import { passes, rank, type Hit } from './ranking';

export interface SearchDeps {
  db: Db;
  model: EmbeddingModel;
  index: VectorIndex;
  catalog: Catalog;
}

export interface SearchQuery {
  text?: string;
  image?: RgbImage;
  /** what the perception models saw in `image` (models that read it; absent: not known) */
  perception?: PerceptionEvidence;
  k: number;
  filters: Filters;
  sort: 'relevance' | 'date';
  /** only these items may match (the label filter), when given */
  onlyItems?: ReadonlySet<number>;
}

export async function search(deps: SearchDeps, q: SearchQuery): Promise<SearchResponse> {
  const kinds: ItemKind[] = q.filters.kinds?.length ? [...q.filters.kinds] : ['image', 'note'];
  const plans: { kind: ItemKind; input: EmbedInput }[] = q.image
    ? kinds.includes('image')
      ? [{ kind: 'image', input: withEvidence(deps.model, imageQueryInput(deps.model, q.image, q.text ?? ''), q.perception) }]
      : []
    : kinds.map((kind) => ({ kind, input: textQueryInput(deps.model, kind, q.text ?? '') }));
  if (!plans.length) return { results: [], instruction: '' };

  const vecs = await deps.model.embed(plans.map((p) => p.input));
  const hits: Hit[] = [];
  plans.forEach((p, i) => {
    // notes have several chunks each: fetch more so that k distinct notes survive the dedupe
    const fetch = p.kind === 'note' ? q.k * 4 : q.k;
    const found = deps.index.search(vecs[i]!, fetch, (id) => {
      const e = deps.catalog.get(id);
      return e !== undefined && passes(e, q.filters, p.kind) && (q.onlyItems === undefined || q.onlyItems.has(e.itemId));
    }, Math.max(64, fetch * 2));
    for (const n of found) {
      const e = deps.catalog.get(n.id);
      if (e) hits.push({ embeddingId: n.id, itemId: e.itemId, chunkId: e.chunkId, kind: e.kind, score: n.score, date: e.date });
    }
  });

  const top = rank(hits, q.k, q.sort);
  const items = getItems(deps.db, top.map((h) => h.itemId));
  const results: SearchResult[] = [];
  for (const h of top) {
    const it = items.get(h.itemId);
    if (!it) continue;
    const r: SearchResult = { id: it.id, path: it.path, kind: it.kind, score: h.score, takenAt: it.takenAt, width: it.width, height: it.height };
    if (h.chunkId !== null) {
      const c = getChunk(deps.db, h.chunkId);
      if (c) r.chunk = { index: c.index, start: c.start, end: c.end, text: c.text };
    }
    results.push(r);
  }
  const shown = plans.find((p) => p.kind === 'image') ?? plans[0]!;
  return { results, instruction: describeInput(shown.input) };
}
