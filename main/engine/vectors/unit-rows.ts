// The live vectors of an index at unit length, in one dense Float32Array (row r holds
// ids[r]): the copy that exact scans read. hnswlib keeps its own copy but hands vectors
// back one at a time as JS arrays (getPoint, tens of µs each), far too slow to rank the
// thousand rows a selective filter allows in a millisecond. The price is dim × 4 bytes per
// vector in the JS heap (1 KB at 256-d). Rows stay dense: a removed row is filled with the
// last one, so a scan reads one contiguous block.
import { exactSearch } from './exact-search';
import type { Neighbour } from './top-k';

/** 1/φ: the Weyl sequence frac(i/φ) spreads any number of samples evenly over [0, 1). */
const INV_GOLDEN = (Math.sqrt(5) - 1) / 2;

export class UnitRows {
  private data: Float32Array;
  private rowIds: Uint32Array;
  private readonly rowOf = new Map<number, number>();
  private n = 0;

  constructor(
    readonly dim: number,
    capacity = 16,
  ) {
    const c = Math.max(1, Math.floor(capacity));
    this.data = new Float32Array(c * dim);
    this.rowIds = new Uint32Array(c);
  }

  get size(): number {
    return this.n;
  }

  has(id: number): boolean {
    return this.rowOf.has(id);
  }

  /** live ids in row order (not sorted) */
  ids(): Uint32Array {
    return this.rowIds.subarray(0, this.n);
  }

  /** The stored unit vector of `id` (a view: copy it to keep it). */
  vector(id: number): Float32Array | undefined {
    const r = this.rowOf.get(id);
    return r === undefined ? undefined : this.data.subarray(r * this.dim, (r + 1) * this.dim);
  }

  /** Stores `v` scaled to unit length under `id` (as hnswlib's cosine space stores it), replacing any earlier vector. */
  set(id: number, v: ArrayLike<number>): void {
    if (v.length !== this.dim) throw new RangeError(`vector has ${v.length} values, expected ${this.dim}`);
    let r = this.rowOf.get(id);
    if (r === undefined) {
      if (this.n === this.rowIds.length) this.grow();
      r = this.n++;
      this.rowOf.set(id, r);
      this.rowIds[r] = id;
    }
    let s = 0;
    for (let j = 0; j < this.dim; j++) s += v[j]! * v[j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    const o = r * this.dim;
    for (let j = 0; j < this.dim; j++) this.data[o + j] = v[j]! * inv;
  }

  delete(id: number): boolean {
    const r = this.rowOf.get(id);
    if (r === undefined) return false;
    this.rowOf.delete(id);
    const last = --this.n;
    if (r !== last) {
      const moved = this.rowIds[last]!;
      this.data.copyWithin(r * this.dim, last * this.dim, (last + 1) * this.dim);
      this.rowIds[r] = moved;
      this.rowOf.set(moved, r);
    }
    return true;
  }

  /** Exact cosine top-k among the rows `filter` allows (every row when absent), best first. */
  search(query: Float32Array, k: number, filter?: (id: number) => boolean): Neighbour[] {
    return exactSearch(this.data.subarray(0, this.n * this.dim), this.dim, query, k, { ids: this.ids(), normalized: true, filter });
  }

  /**
   * The share of rows `filter` allows, counted on at most `samples` rows spread evenly and
   * deterministically over the rows (all of them when there are no more).
   */
  allowedShare(filter: (id: number) => boolean, samples: number): number {
    if (this.n === 0) return 0;
    const m = Math.min(this.n, Math.max(1, Math.floor(samples)));
    let allowed = 0;
    for (let i = 0; i < m; i++) {
      const r = m === this.n ? i : Math.floor(((i * INV_GOLDEN) % 1) * this.n);
      if (filter(this.rowIds[r]!)) allowed++;
    }
    return allowed / m;
  }

  private grow(): void {
    const c = this.rowIds.length * 2;
    const data = new Float32Array(c * this.dim);
    data.set(this.data);
    const ids = new Uint32Array(c);
    ids.set(this.rowIds);
    this.data = data;
    this.rowIds = ids;
  }
}
