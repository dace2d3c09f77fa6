// Opens the index of one model version so that it agrees with the embeddings stored in
// SQLite, the truth it caches: reused as it is, repaired in place, or rebuilt.
import { messageOf } from '../../base/errors';
import { DEFAULT_CAPACITY, checkId, VectorIndex } from './vector-index';
import { IndexLoadError, idsDigestSorted, readMeta } from './index-file';

export interface StoredEmbeddings {
  /** ids of every stored embedding for this model version */
  ids(): number[];
  /** the vectors of these ids */
  vectors(ids: number[]): Iterable<[number, Float32Array]>;
}

export interface OpenedIndex {
  index: VectorIndex;
  /** true when the file did not agree with the store and the index was rebuilt or repaired from it */
  rebuilt: boolean;
  /** why the file was not used as it was */
  reason?: string;
  /** set when a valid but stale file was brought up to date in place instead of rebuilt */
  repaired?: { added: number; removed: number };
}

/**
 * Opens the index file for one model version and makes it agree with the stored embeddings:
 * rebuilds from them when the file is missing, unreadable, of another dim, or its live ids
 * differ. When the file is intact (checksums hold) and only stale, e.g. the app stopped
 * between two saves, it is repaired in place instead: ids the store no longer has are
 * removed and the missing ones added, which gives the same index far sooner than a
 * rebuild. That relies on embedding ids never being reused for another vector (the store
 * uses AUTOINCREMENT ids). The rebuilt or repaired index is saved to `file` (a failed save
 * is reported in `reason`, not thrown).
 */
export function openConsistentIndex(file: string, dim: number, stored: StoredEmbeddings): OpenedIndex {
  const ids = Array.from(new Set(stored.ids())).sort((a, b) => a - b);
  ids.forEach(checkId);
  let reason: string;
  let stale: VectorIndex | null = null;
  try {
    const meta = readMeta(file);
    if (meta.dim !== dim) throw new IndexLoadError(`index is for ${meta.dim}-d vectors, the model has ${dim}`);
    // cheap comparison first: the sidecar's count and id digest against the store's ids
    const agrees = meta.count === ids.length && meta.idsSha256 === idsDigestSorted(ids);
    const index = VectorIndex.load(file, dim);
    if (agrees) return { index, rebuilt: false };
    stale = index;
    reason = `index ids differ from the stored embeddings (index ${meta.count}, store ${ids.length})`;
  } catch (e) {
    if (!(e instanceof IndexLoadError)) throw e;
    reason = e.message;
  }

  if (stale) {
    const wanted = new Set(ids);
    const extra = stale.liveIds().filter((id) => !wanted.has(id));
    const missing = ids.filter((id) => !stale.has(id));
    if (missing.length <= ids.length / 2) {
      for (const id of extra) stale.remove(id);
      const added = addStored(stale, stored, missing, dim);
      reason += `; repaired in place (+${added}, -${extra.length})`;
      if (added !== missing.length) reason += `; ${missing.length - added} stored ids had no vector`;
      return { index: stale, rebuilt: true, reason: saveQuietly(stale, file, reason), repaired: { added, removed: extra.length } };
    }
  }

  const index = VectorIndex.create({ dim, capacity: Math.max(DEFAULT_CAPACITY, Math.ceil(ids.length * 1.1)) });
  const added = addStored(index, stored, ids, dim);
  if (added !== ids.length) reason += `; ${ids.length - added} stored ids had no vector`;
  return { index, rebuilt: true, reason: saveQuietly(index, file, reason) };
}

/** Adds the stored vectors of `ids` to `index`; returns how many were added. */
function addStored(index: VectorIndex, stored: StoredEmbeddings, ids: number[], dim: number): number {
  if (ids.length === 0) return 0;
  const wanted = new Set(ids);
  let added = 0;
  for (const [id, v] of stored.vectors(ids)) {
    if (!wanted.delete(id)) continue;
    if (v.length !== dim) throw new RangeError(`stored embedding ${id} has ${v.length} values, expected ${dim}`);
    index.add(id, v);
    added++;
  }
  return added;
}

function saveQuietly(index: VectorIndex, file: string, reason: string): string {
  try {
    index.save(file);
    return reason;
  } catch (e) {
    return `${reason}; saving the index failed: ${messageOf(e)}`;
  }
}
