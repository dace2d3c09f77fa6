// Exact (brute-force) cosine top-k over a row-major Float32Array matrix, in plain JS.
// Used to measure the recall of the HNSW index and as the search path for libraries so
// small that an approximate index buys nothing.
import type { Neighbour } from './vector-index';

/** A copy of `matrix` (rows of `dim` floats) with every row scaled to unit length; zero rows stay zero. */
export function normalizeRows(matrix: Float32Array, dim: number): Float32Array {
  checkShape(matrix, dim);
  const out = new Float32Array(matrix.length);
  const rows = matrix.length / dim;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[o + j] * matrix[o + j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[o + j] = matrix[o + j] * inv;
  }
  return out;
}

/** Euclidean norm of every row. */
export function rowNorms(matrix: Float32Array, dim: number): Float32Array {
  checkShape(matrix, dim);
  const rows = matrix.length / dim;
  const norms = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[o + j] * matrix[o + j];
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

export interface ExactSearchOptions {
  /** id of each row; row index when absent */
  ids?: ArrayLike<number>;
  /** only ids for which this returns true are candidates */
  filter?: (id: number) => boolean;
  /** rows are already unit length (skips the per-row norm) */
  normalized?: boolean;
  /** precomputed row norms (see rowNorms), used when `normalized` is not set */
  norms?: Float32Array;
}

/**
 * The k rows most cosine-similar to `query`, best first (ties: lower id first).
 * Zero rows and a zero query score 0.
 */
export function exactSearch(
  matrix: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  opts: ExactSearchOptions = {},
): Neighbour[] {
  checkShape(matrix, dim);
  if (query.length !== dim) throw new RangeError(`query has ${query.length} values, expected ${dim}`);
  const rows = matrix.length / dim;
  if (opts.ids && opts.ids.length !== rows) throw new RangeError(`ids has ${opts.ids.length} entries for ${rows} rows`);
  if (opts.norms && opts.norms.length !== rows) throw new RangeError(`norms has ${opts.norms.length} entries for ${rows} rows`);
  const kk = Math.min(Math.floor(k), rows);
  if (!(kk > 0)) return [];

  let qs = 0;
  for (let j = 0; j < dim; j++) qs += query[j] * query[j];
  const qInv = qs > 0 ? 1 / Math.sqrt(qs) : 0;

  const { ids, filter, normalized, norms } = opts;
  const heap = new TopK(kk);
  for (let r = 0; r < rows; r++) {
    const id = ids ? ids[r] : r;
    if (filter && !filter(id)) continue;
    const o = r * dim;
    const dot = dotAt(matrix, o, query, dim);
    const n = normalized ? 1 : norms ? norms[r] : Math.sqrt(dotAt(matrix, o, matrix, dim, o));
    const score = n > 0 ? (dot / n) * qInv : 0;
    heap.offer(id, score);
  }
  return heap.sorted();
}

/** dot product of m[o .. o+dim) with v[p .. p+dim), with four accumulators */
function dotAt(m: Float32Array, o: number, v: Float32Array, dim: number, p = 0): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    a0 += m[o + j] * v[p + j];
    a1 += m[o + j + 1] * v[p + j + 1];
    a2 += m[o + j + 2] * v[p + j + 2];
    a3 += m[o + j + 3] * v[p + j + 3];
  }
  for (; j < dim; j++) a0 += m[o + j] * v[p + j];
  return a0 + a1 + a2 + a3;
}

function checkShape(matrix: Float32Array, dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (matrix.length % dim !== 0) throw new RangeError(`matrix length ${matrix.length} is not a multiple of dim ${dim}`);
}

/** Bounded min-heap keeping the k highest scores. */
export class TopK {
  private readonly ids: Float64Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.ids = new Float64Array(k);
    this.scores = new Float64Array(k);
  }

  get count(): number {
    return this.n;
  }

  /** the lowest score kept, -Infinity while not full */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0];
  }

  offer(id: number, score: number): void {
    if (this.k <= 0 || Number.isNaN(score)) return;
    if (this.n < this.k) {
      let i = this.n++;
      // sift up
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.scores[p] <= score) break;
        this.ids[i] = this.ids[p];
        this.scores[i] = this.scores[p];
        i = p;
      }
      this.ids[i] = id;
      this.scores[i] = score;
      return;
    }
    if (score <= this.scores[0]) return;
    // replace root, sift down
    let i = 0;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.scores[r] < this.scores[l] ? r : l;
      if (this.scores[c] >= score) break;
      this.ids[i] = this.ids[c];
      this.scores[i] = this.scores[c];
      i = c;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  /** kept entries, best first */
  sorted(): Neighbour[] {
    const out: Neighbour[] = [];
    for (let i = 0; i < this.n; i++) out.push({ id: this.ids[i], score: this.scores[i] });
    out.sort((a, b) => b.score - a.score || a.id - b.id);
    return out;
  }
}
