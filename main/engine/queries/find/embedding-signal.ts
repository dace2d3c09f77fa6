// The embedding signal of Find: the text query embedded once per kind of item with that
// kind's instruction, its nearest neighbours among that kind, and each similarity put on
// a common scale: how many standard deviations it stands above the similarity of the
// query to a fixed sample of the same kind's items. Raw cosines of photos and notes live
// on different scales (text-text similarities run higher), so they are never compared raw.
import type { ItemKind } from '../../../contract/api';
import type { EmbeddingModel } from '../../../ml/models/embedding-model';
import type { Catalog } from '../../embedding/catalog';
import { describeInput, textQueryInput } from '../../embedding/instructions';
import type { Db } from '../../store/db';
import { embeddingVectors, type CatalogEntry } from '../../store/embeddings';
import type { VectorIndex } from '../../vectors/vector-index';

export interface EmbeddingHit {
  itemId: number;
  chunkId: number | null;
  kind: ItemKind;
  /** cosine similarity */
  sim: number;
  /** standard deviations above the kind's sample mean */
  z: number;
}

/** Embeddings per kind in the null sample. */
const SAMPLE = 256;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** A fixed, evenly spread sample of one kind's embedding ids (the same for every query while the library is unchanged). */
export function sampleIds(catalog: Catalog, kind: ItemKind, n = SAMPLE): number[] {
  const ids: number[] = [];
  for (const [id, e] of catalog.entries()) if (e.kind === kind) ids.push(id);
  ids.sort((a, b) => a - b);
  if (ids.length <= n) return ids;
  const step = ids.length / n;
  return Array.from({ length: n }, (_, i) => ids[Math.floor(i * step)]!);
}

export function meanStd(xs: number[]): { mean: number; std: number } {
  if (!xs.length) return { mean: 0, std: 1 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.max(Math.sqrt(v), 1e-3) };
}

export interface EmbeddingSignalDeps {
  db: Db;
  model: EmbeddingModel;
  index: VectorIndex;
  catalog: Catalog;
}

/** The best hit per item for each kind, and the instruction shown for the photo side. */
export async function embeddingSignal(
  deps: EmbeddingSignalDeps,
  text: string,
  kinds: readonly ItemKind[],
  perKind: number,
  allowed: (e: CatalogEntry) => boolean,
): Promise<{ hits: Map<number, EmbeddingHit>; instruction: string }> {
  const hits = new Map<number, EmbeddingHit>();
  if (!kinds.length || !text.trim()) return { hits, instruction: '' };
  const inputs = kinds.map((kind) => textQueryInput(deps.model, kind, text));
  const vecs = await deps.model.embed(inputs);
  kinds.forEach((kind, i) => {
    const q = vecs[i]!;
    const sample = [...embeddingVectors(deps.db, sampleIds(deps.catalog, kind))].map(([, v]) => dot(q, v));
    const { mean, std } = meanStd(sample);
    // notes have several chunks each: fetch more so that enough distinct notes survive
    const fetch = kind === 'note' ? perKind * 4 : perKind;
    const found = deps.index.search(q, fetch, (id) => {
      const e = deps.catalog.get(id);
      return e !== undefined && e.kind === kind && allowed(e);
    }, Math.max(64, fetch * 2));
    for (const n of found) {
      const e = deps.catalog.get(n.id);
      if (!e) continue;
      const cur = hits.get(e.itemId);
      if (!cur || n.score > cur.sim) hits.set(e.itemId, { itemId: e.itemId, chunkId: e.chunkId, kind, sim: n.score, z: (n.score - mean) / std });
    }
  });
  const shown = inputs[kinds.indexOf('image')] ?? inputs[0]!;
  return { hits, instruction: describeInput(shown) };
}
