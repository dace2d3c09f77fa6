// The approximate nearest-neighbour index over item embeddings (HNSW, hnswlib-node, cosine),
// with a copy of the live vectors for exact scans (unit-rows.ts).
//
// The index file is a cache of the embeddings stored in SQLite: it can always be rebuilt
// from them (open-consistent.ts), so the rules are "never return a wrong answer" and
// "never load a file that is not exactly what was saved" (index-file.ts): `load` checks
// the file's size and hash BEFORE handing it to hnswlib (whose reader trusts its input),
// then checks the ids it read against the sidecar. `save` writes both to temp files,
// fsyncs them, renames the index then the sidecar, then fsyncs the folder. A crash between
// the two renames leaves a new index beside the old sidecar: the hash check fails and the
// index is rebuilt, never loaded as valid.
//
// A filtered search walks the graph or scans the allowed rows exactly, whichever
// search-plan.ts predicts is cheaper for the share of rows the filter allows.
//
// hnswlib-node 3.0.0 specifics (see test/unit/vectors): labels are uint32; points and
// queries are plain number[]; space 'cosine' normalises on the way in and returns
// distance = 1 - cos; addPoint on an existing label updates it in place; with
// allowReplaceDeleted a new label can take over the slot of a deleted one (which then
// silently drops that deleted label), so slots are reused instead of growing forever.
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { HierarchicalNSW } from 'hnswlib-node';
import { messageOf } from '../../base/errors';
import { fsyncDir, fsyncFile, removeQuietly, tempPathFor, writeFileSynced } from '../../base/durable-write';
import { errCode, idsDigest, IndexLoadError, META_FORMAT, META_VERSION, metaPathFor, readMeta, removeStaleTemps, scanIndexFile, type IndexMeta } from './index-file';
import { planFilteredSearch, type SearchPlan, type SearchStrategy } from './search-plan';
import { TopK, type Neighbour } from './top-k';
import { UnitRows } from './unit-rows';

export const DEFAULT_M = 16;
export const DEFAULT_EF_CONSTRUCTION = 100;
export const DEFAULT_EF_SEARCH = 64;
export const DEFAULT_CAPACITY = 1024;
const MAX_LABEL = 0xffff_ffff;
/** rows whose filter verdict estimates the filter's share before a filtered search */
const SHARE_SAMPLES = 256;

export class VectorIndex {
  readonly dim: number;
  private readonly hnsw: HierarchicalNSW;
  /** the live vectors (ids in the index and not deleted), unit length */
  private readonly rows: UnitRows;
  /** ids removed since they were added; some may since have been evicted from hnswlib by slot reuse */
  private readonly removed: Set<number>;

  private constructor(dim: number, hnsw: HierarchicalNSW, rows: UnitRows, removed: Set<number>) {
    this.dim = dim;
    this.hnsw = hnsw;
    this.rows = rows;
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
    return new VectorIndex(dim, hnsw, new UnitRows(dim, capacity), new Set());
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
    const deleted = new Set(meta.deleted);
    const rows = new UnitRows(dim, Math.max(16, meta.count));
    const scan = scanIndexFile(file, dim, (label, v) => {
      if (!deleted.has(label)) rows.set(label, v);
    });
    if (scan.sha256 !== meta.indexSha256) throw new IndexLoadError('index file does not match its checksum (corrupt or from another save)');
    if (scan.elements === null) throw new IndexLoadError(`index file is not in the layout hnswlib writes for ${dim}-d vectors`);

    const hnsw = new HierarchicalNSW('cosine', dim);
    try {
      hnsw.readIndexSync(file, true);
    } catch (e) {
      throw new IndexLoadError(`hnswlib could not read the index: ${messageOf(e)}`);
    }
    const labels = hnsw.getIdsList();
    if (labels.length !== hnsw.getCurrentCount() || labels.length !== scan.elements) {
      throw new IndexLoadError(`index holds ${hnsw.getCurrentCount()} slots but ${labels.length} labels (${scan.elements} in the file)`);
    }
    let deletedSeen = 0;
    for (const l of labels) {
      if (deleted.has(l)) deletedSeen++;
      else if (!rows.has(l)) throw new IndexLoadError(`index label ${l} was not found where hnswlib keeps its vectors`);
    }
    if (deletedSeen !== deleted.size) throw new IndexLoadError('index sidecar lists deleted ids the index does not hold');
    if (rows.size !== meta.count || idsDigest(rows.ids()) !== meta.idsSha256) {
      throw new IndexLoadError(`index holds ${rows.size} live ids that do not match its sidecar (${meta.count})`);
    }
    checkRowsAgree(hnsw, rows);
    return new VectorIndex(dim, hnsw, rows, deleted);
  }

  get size(): number {
    return this.rows.size;
  }

  /** slots the hnswlib graph can hold before it must grow */
  get capacity(): number {
    return this.hnsw.getMaxElements();
  }

  has(id: number): boolean {
    return this.rows.has(id);
  }

  /** live ids, ascending */
  liveIds(): number[] {
    return Array.from(this.rows.ids()).sort((a, b) => a - b);
  }

  /** Adds `vector` under `id`, replacing the vector already there. */
  add(id: number, vector: Float32Array): void {
    checkId(id);
    const point = this.toPoint(vector, 'vector');
    if (this.rows.has(id)) {
      this.hnsw.addPoint(point, id, false); // updates in place
      this.rows.set(id, point);
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
        this.rows.set(id, point);
        return;
      }
    }
    const slots = this.hnsw.getCurrentCount();
    const vacant = slots - this.rows.size; // slots whose label is marked deleted
    if (vacant > 0) {
      this.hnsw.addPoint(point, id, true);
    } else {
      const max = this.hnsw.getMaxElements();
      if (slots >= max) this.hnsw.resizeIndex(Math.max(DEFAULT_CAPACITY, max * 2));
      this.hnsw.addPoint(point, id, false);
    }
    this.rows.set(id, point);
  }

  remove(id: number): boolean {
    if (!this.rows.has(id)) return false;
    this.hnsw.markDelete(id);
    this.rows.delete(id);
    this.removed.add(id);
    return true;
  }

  /**
   * The k live ids most similar to `query`, best first. `filter` restricts candidates;
   * `ef` is the search breadth (default 64, never below k). With a filter, the search
   * walks the graph or scans the allowed rows exactly, whichever `planFor` predicts is
   * cheaper (`strategy` forces one, for benchmarks). If a walk yields fewer than k results
   * while more candidates exist, the rest are scored exactly, so a result is never short.
   * An exception thrown by the filter reaches the caller.
   */
  search(query: Float32Array, k: number, filter?: (id: number) => boolean, ef?: number, strategy?: SearchStrategy): Neighbour[] {
    const q = this.toPoint(query, 'query');
    const kk = Math.min(Math.floor(k), this.rows.size);
    if (!(kk > 0)) return [];
    const breadth = Math.max(breadthOf(ef), kk);
    if (filter && (strategy ?? this.planFor(filter, breadth).strategy) === 'exact') return this.rows.search(query, kk, filter);
    this.hnsw.setEf(breadth);

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
      if (!this.rows.has(id)) continue; // defensive: hnswlib already skips deleted labels
      out.push({ id, score: 1 - res.distances[i] });
    }
    if (out.length >= kk) return out;
    return this.completeExactly(query, kk, out, filter);
  }

  /** How a search with `filter` at breadth `ef` would run, and the share of rows the filter is estimated to allow. */
  planFor(filter: (id: number) => boolean, ef?: number): SearchPlan {
    return planFilteredSearch(this.rows.size, this.rows.allowedShare(filter, SHARE_SAMPLES), breadthOf(ef));
  }

  /** Exact scoring of every allowed live id the walk did not find, merged with what it found. */
  private completeExactly(query: Float32Array, k: number, found: Neighbour[], filter?: (id: number) => boolean): Neighbour[] {
    const have = new Set(found.map((n) => n.id));
    const extra = this.rows.search(query, k, (id) => !have.has(id) && (!filter || Boolean(filter(id))));
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
    const tmpIndex = tempPathFor(file);
    const metaFile = metaPathFor(file);
    const tmpMeta = tempPathFor(metaFile);
    try {
      this.hnsw.writeIndexSync(tmpIndex);
      fsyncFile(tmpIndex);
      const labels = this.hnsw.getIdsList();
      const deleted: number[] = [];
      for (const l of labels) if (!this.rows.has(l)) deleted.push(l);
      deleted.sort((a, b) => a - b);
      // prune removed ids whose slot was reused: they are no longer in the graph
      this.removed.clear();
      for (const l of deleted) this.removed.add(l);
      const written = scanIndexFile(tmpIndex, this.dim);
      const meta: IndexMeta = {
        format: META_FORMAT,
        version: META_VERSION,
        space: 'cosine',
        dim: this.dim,
        count: this.rows.size,
        idsSha256: idsDigest(this.rows.ids()),
        deleted,
        indexBytes: written.bytes,
        indexSha256: written.sha256,
        savedAt: Date.now(),
      };
      writeFileSynced(tmpMeta, JSON.stringify(meta));
      indexSaveTestHook.at?.('temp-files-written');
      renameSync(tmpIndex, file);
      indexSaveTestHook.at?.('index-renamed');
      renameSync(tmpMeta, metaFile);
      fsyncDir(dir);
    } catch (e) {
      removeQuietly(tmpIndex);
      removeQuietly(tmpMeta);
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

/**
 * TEST HOOK, set only by tests: called where a crash inside `save` matters (both temp files
 * written; the index renamed but not yet its sidecar). The crash test pauses there so that
 * a kill -9 lands inside a save (test/support/trove-test-cli.ts).
 */
export const indexSaveTestHook: { at?: (point: 'temp-files-written' | 'index-renamed') => void } = {};

export function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LABEL) {
    throw new RangeError(`vector ids must be integers in [0, ${MAX_LABEL}], got ${id}`);
  }
}

function breadthOf(ef: number | undefined): number {
  return ef !== undefined && Number.isFinite(ef) && ef >= 1 ? Math.floor(ef) : DEFAULT_EF_SEARCH;
}

/** The copy read from the file must be the vectors hnswlib holds: checked on the first and last rows. */
function checkRowsAgree(hnsw: HierarchicalNSW, rows: UnitRows): void {
  const ids = rows.ids();
  for (const id of ids.length ? [ids[0]!, ids[ids.length - 1]!] : []) {
    const theirs = hnsw.getPoint(id);
    const ours = rows.vector(id)!;
    for (let j = 0; j < ours.length; j++) {
      if (Math.abs(theirs[j]! - ours[j]!) > 1e-5) throw new IndexLoadError(`the vectors read from the index file differ from hnswlib's (id ${id})`);
    }
  }
}
