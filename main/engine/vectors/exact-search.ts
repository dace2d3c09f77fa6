// Exact (brute-force) cosine top-k over a row-major Float32Array matrix, in plain JS.
// VectorIndex ranks the rows of a selective filter with it (unit-rows.ts), and the benches
// measure the recall of the HNSW index against it.
import { TopK, type Neighbour } from './top-k';

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
