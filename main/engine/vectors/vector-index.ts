// The approximate nearest-neighbour index over item embeddings (HNSW, hnswlib-node, cosine).
//
// The index file is a cache of the embeddings stored in SQLite: it can always be rebuilt
// from them (openConsistentIndex), so the rules are "never return a wrong answer" and
// "never load a file that is not exactly what was saved":
// - `<file>` is hnswlib's own format; `<file>.meta.json` is ours: dim, the labels that are
//   marked deleted, the count and a SHA-256 of the sorted live ids, and the byte size and
//   SHA-256 of `<file>`. `load` checks size and hash BEFORE handing the file to hnswlib
//   (whose reader trusts its input), then checks the ids it read against the sidecar.
// - `save` writes both to temp files, fsyncs them, renames the index then the sidecar,
//   then fsyncs the folder. A crash between the two renames leaves a new index beside the
//   old sidecar: the hash check fails and the index is rebuilt, never loaded as valid.
//
// hnswlib-node 3.0.0 specifics (see test/unit/vectors): labels are uint32; points and
// queries are plain number[]; space 'cosine' normalises on the way in and returns
// distance = 1 - cos; addPoint on an existing label updates it in place; with
// allowReplaceDeleted a new label can take over the slot of a deleted one (which then
// silently drops that deleted label), so slots are reused instead of growing forever.
//
// openConsistentIndex repairs an intact but stale file in place (removes ids the store
// no longer has, adds the missing ones) when at most half the store is missing from it,
// and rebuilds otherwise; both report rebuilt: true with the reason.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HierarchicalNSW } from 'hnswlib-node';
import { exactSearch, TopK } from './exact-search';

export interface Neighbour {
  id: number;
  /** cosine similarity, higher is closer */
  score: number;
}

export const DEFAULT_M = 16;
export const DEFAULT_EF_CONSTRUCTION = 100;
export const DEFAULT_EF_SEARCH = 64;
const DEFAULT_CAPACITY = 1024;
const MAX_LABEL = 0xffff_ffff;
const META_FORMAT = 'trove-hnsw';
const META_VERSION = 1;

interface IndexMeta {
  format: typeof META_FORMAT;
  version: number;
  space: 'cosine';
  dim: number;
  /** live vectors */
  count: number;
  /** sha256 of the sorted live ids as little-endian uint32 */
  idsSha256: string;
  /** labels present in the hnswlib file but marked deleted */
  deleted: number[];
  indexBytes: number;
  indexSha256: string;
  savedAt: number;
}

/** Why an index file could not be loaded; `message` is meant to be read by people. */
export class IndexLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexLoadError';
  }
}

export function metaPathFor(file: string): string {
  return `${file}.meta.json`;
}

export class VectorIndex {
  readonly dim: number;
  private readonly hnsw: HierarchicalNSW;
  /** ids that are in the index and not deleted */
  private readonly live: Set<number>;
  /** ids removed since they were added; some may since have been evicted from hnswlib by slot reuse */
  private readonly removed: Set<number>;

  private constructor(dim: number, hnsw: HierarchicalNSW, live: Set<number>, removed: Set<number>) {
    this.dim = dim;
    this.hnsw = hnsw;
    this.live = live;
    this.removed = removed;
  }

  static create(opts: { dim: number; capacity?: number; M?: number; efConstruction?: number }): VectorIndex {
    const dim = opts.dim;
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    const capacity = Math.max(16, Math.floor(opts.capacity ?? DEFAULT_CAPACITY));
    const M = opts.M ?? DEFAULT_M;
    const efConstruction = opts.efConstruction ?? DEFAULT_EF_CONSTRUCTION;
    if (!Number.isInteger(M) || M < 2) throw new RangeError(`M must be an integer >= 2, got ${M}`);
    if (!Number.isInteger(efConstruction) || efConstruction < 1) {
      throw new RangeError(`efConstruction must be a positive integer, got ${efConstruction}`);
    }
    const hnsw = new HierarchicalNSW('cosine', dim);
    hnsw.initIndex({ maxElements: capacity, m: M, efConstruction, randomSeed: 100, allowReplaceDeleted: true });
    return new VectorIndex(dim, hnsw, new Set(), new Set());
  }

  /** Loads a file written by `save`. Throws IndexLoadError if missing, unreadable, altered or of another dim. */
  static load(file: string, dim: number): VectorIndex {
    const meta = readMeta(file);
    if (meta.dim !== dim) throw new IndexLoadError(`index is for ${meta.dim}-d vectors, the model has ${dim}`);
    let size: number;
    try {
      size = statSync(file).size;
    } catch (e) {
      throw new IndexLoadError(`index file missing (${errCode(e)})`);
    }
    if (size !== meta.indexBytes) {
      throw new IndexLoadError(`index file is ${size} bytes, expected ${meta.indexBytes} (truncated or overwritten)`);
    }
    const hash = sha256File(file);
    if (hash !== meta.indexSha256) throw new IndexLoadError('index file does not match its checksum (corrupt or from another save)');

    const hnsw = new HierarchicalNSW('cosine', dim);
    try {
      hnsw.readIndexSync(file, true);
    } catch (e) {
      throw new IndexLoadError(`hnswlib could not read the index: ${(e as Error).message}`);
    }
    const labels = hnsw.getIdsList();
    if (labels.length !== hnsw.getCurrentCount()) {
      throw new IndexLoadError(`index holds ${hnsw.getCurrentCount()} slots but ${labels.length} labels`);
    }
    const deleted = new Set(meta.deleted);
    const live = new Set<number>();
    let deletedSeen = 0;
    for (const l of labels) {
      if (deleted.has(l)) deletedSeen++;
      else live.add(l);
    }
    if (deletedSeen !== deleted.size) throw new IndexLoadError('index sidecar lists deleted ids the index does not hold');
    if (live.size !== meta.count || idsDigest(live) !== meta.idsSha256) {
      throw new IndexLoadError(`index holds ${live.size} live ids that do not match its sidecar (${meta.count})`);
    }
    return new VectorIndex(dim, hnsw, live, deleted);
  }

  get size(): number {
    return this.live.size;
  }

  /** slots the hnswlib graph can hold before it must grow */
  get capacity(): number {
    return this.hnsw.getMaxElements();
  }

  has(id: number): boolean {
    return this.live.has(id);
  }

  /** live ids, ascending */
  liveIds(): number[] {
    return Array.from(this.live).sort((a, b) => a - b);
  }

  /** Adds `vector` under `id`, replacing the vector already there. */
  add(id: number, vector: Float32Array): void {
    checkId(id);
    const point = this.toPoint(vector, 'vector');
    if (this.live.has(id)) {
      this.hnsw.addPoint(point, id, false); // updates in place
      return;
    }
    if (this.removed.has(id)) {
      this.removed.delete(id);
      let stillThere = true;
      try {
        this.hnsw.unmarkDelete(id);
      } catch {
        stillThere = false; // its slot was reused by another id
      }
      if (stillThere) {
        this.hnsw.addPoint(point, id, false);
        this.live.add(id);
        return;
      }
    }
    const slots = this.hnsw.getCurrentCount();
    const vacant = slots - this.live.size; // slots whose label is marked deleted
    if (vacant > 0) {
      this.hnsw.addPoint(point, id, true);
    } else {
      const max = this.hnsw.getMaxElements();
      if (slots >= max) this.hnsw.resizeIndex(Math.max(DEFAULT_CAPACITY, max * 2));
      this.hnsw.addPoint(point, id, false);
    }
    this.live.add(id);
  }

  remove(id: number): boolean {
    if (!this.live.has(id)) return false;
    this.hnsw.markDelete(id);
    this.live.delete(id);
    this.removed.add(id);
    return true;
  }

  /**
   * The k live ids most similar to `query`, best first. `filter` restricts candidates;
   * `ef` is the search breadth (default 64, never below k). If the graph walk yields
   * fewer than k results while more candidates exist (very selective filters), the
   * remaining candidates are scored exactly, so a result is never short. That fallback
   * reads vectors back from hnswlib (getPoint, ~50 µs each), so it is for the rare short
   * walk; a caller whose filter allows only a few hundred ids should rank those exactly
   * itself (exactSearch over their stored vectors) rather than walk the graph.
   */
  search(query: Float32Array, k: number, filter?: (id: number) => boolean, ef?: number): Neighbour[] {
    const q = this.toPoint(query, 'query');
    const kk = Math.min(Math.floor(k), this.live.size);
    if (!(kk > 0)) return [];
    const breadth = ef !== undefined && Number.isFinite(ef) && ef >= 1 ? Math.floor(ef) : DEFAULT_EF_SEARCH;
    this.hnsw.setEf(Math.max(breadth, kk));

    let thrown: unknown;
    let threw = false;
    const guarded = filter
      ? (label: number): boolean => {
          if (threw) return false;
          try {
            return Boolean(filter(label));
          } catch (e) {
            threw = true;
            thrown = e;
            return false;
          }
        }
      : undefined;
    const res = guarded ? this.hnsw.searchKnn(q, kk, guarded) : this.hnsw.searchKnn(q, kk);
    if (threw) throw thrown;

    const out: Neighbour[] = [];
    for (let i = 0; i < res.neighbors.length; i++) {
      const id = res.neighbors[i];
      if (!this.live.has(id)) continue; // defensive: hnswlib already skips deleted labels
      out.push({ id, score: 1 - res.distances[i] });
    }
    if (out.length >= kk) return out;
    return this.completeExactly(q, kk, out, filter);
  }

  /** Exact scoring of every allowed live id, merged with what the graph walk found. */
  private completeExactly(q: number[], k: number, found: Neighbour[], filter?: (id: number) => boolean): Neighbour[] {
    const have = new Set(found.map((n) => n.id));
    const candidates: number[] = [];
    for (const id of this.live) if (!have.has(id) && (!filter || Boolean(filter(id)))) candidates.push(id);
    if (candidates.length === 0) return found;
    const qv = Float32Array.from(q); // exactSearch normalises the query
    const rows = new Float32Array(candidates.length * this.dim);
    candidates.forEach((id, r) => rows.set(this.hnsw.getPoint(id), r * this.dim)); // stored unit length
    const extra = exactSearch(rows, this.dim, qv, k, { ids: candidates, normalized: true });
    const top = new TopK(k);
    for (const n of found) top.offer(n.id, n.score);
    for (const n of extra) top.offer(n.id, n.score);
    return top.sorted();
  }

  /** Writes the index atomically: temp files, fsync, rename index then sidecar, fsync folder. */
  save(file: string): void {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    removeStaleTemps(file);
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const tmpIndex = `${file}.tmp-${tag}`;
    const metaFile = metaPathFor(file);
    const tmpMeta = `${metaFile}.tmp-${tag}`;
    try {
      this.hnsw.writeIndexSync(tmpIndex);
      fsyncPath(tmpIndex);
      const labels = this.hnsw.getIdsList();
      const deleted: number[] = [];
      for (const l of labels) if (!this.live.has(l)) deleted.push(l);
      deleted.sort((a, b) => a - b);
      // prune removed ids whose slot was reused: they are no longer in the graph
      this.removed.clear();
      for (const l of deleted) this.removed.add(l);
      const meta: IndexMeta = {
        format: META_FORMAT,
        version: META_VERSION,
        space: 'cosine',
        dim: this.dim,
        count: this.live.size,
        idsSha256: idsDigest(this.live),
        deleted,
        indexBytes: statSync(tmpIndex).size,
        indexSha256: sha256File(tmpIndex),
        savedAt: Date.now(),
      };
      writeFileSynced(tmpMeta, JSON.stringify(meta));
      renameSync(tmpIndex, file);
      renameSync(tmpMeta, metaFile);
      fsyncDir(dir);
    } catch (e) {
      for (const t of [tmpIndex, tmpMeta]) {
        try {
          unlinkSync(t);
        } catch {
          /* already gone */
        }
      }
      throw e;
    }
  }

  private toPoint(v: Float32Array, what: string): number[] {
    if (v.length !== this.dim) throw new RangeError(`${what} has ${v.length} values, expected ${this.dim}`);
    const out = new Array<number>(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) throw new RangeError(`${what} has a non-finite value at ${i}`);
      out[i] = x;
    }
    return out;
  }
}

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
    return `${reason}; saving the index failed: ${(e as Error).message}`;
  }
}

// ---- helpers ----

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LABEL) {
    throw new RangeError(`vector ids must be integers in [0, ${MAX_LABEL}], got ${id}`);
  }
}

function idsDigest(ids: Iterable<number>): string {
  return idsDigestSorted(Array.from(ids).sort((a, b) => a - b));
}

function idsDigestSorted(sorted: number[]): string {
  const buf = new Uint32Array(sorted);
  const h = createHash('sha256');
  h.update(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  return h.digest('hex');
}

function readMeta(file: string): IndexMeta {
  const metaFile = metaPathFor(file);
  let text: string;
  try {
    text = readFileSync(metaFile, 'utf8');
  } catch (e) {
    const code = errCode(e);
    throw new IndexLoadError(code === 'ENOENT' ? 'index file missing' : `index sidecar unreadable (${code})`);
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new IndexLoadError('index sidecar is not valid JSON (torn or corrupt)');
  }
  const o = m as Partial<IndexMeta> | null;
  const ok =
    o !== null &&
    typeof o === 'object' &&
    o.format === META_FORMAT &&
    o.version === META_VERSION &&
    o.space === 'cosine' &&
    Number.isInteger(o.dim) &&
    Number.isInteger(o.count) &&
    typeof o.idsSha256 === 'string' &&
    Array.isArray(o.deleted) &&
    o.deleted.every((x) => Number.isInteger(x)) &&
    Number.isInteger(o.indexBytes) &&
    typeof o.indexSha256 === 'string';
  if (!ok) throw new IndexLoadError('index sidecar has an unknown format');
  return o as IndexMeta;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? String(e);
}

function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeFileSynced(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported everywhere (Windows); the renames are still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes temp files of earlier saves of `file` that were killed mid-write (older than a minute). */
function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  const prefixes = [`${basename(file)}.tmp-`, `${basename(metaPathFor(file))}.tmp-`];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const cutoff = Date.now() - 60_000;
  for (const name of names) {
    if (!prefixes.some((p) => name.startsWith(p))) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).mtimeMs < cutoff) unlinkSync(p);
    } catch {
      /* raced with another cleanup */
    }
  }
}
