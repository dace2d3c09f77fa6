// Seeded synthetic embeddings for index tests and benchmarks. Gaussian clusters around
// random unit centres, like real embeddings (which cluster by topic), and unlike uniform
// random vectors, which are HNSW's worst case and no test of quality.
import { uniformSource } from '../../main/ml/random';

export const rng = uniformSource;

/** standard normal samples (Box-Muller) from a uniform source */
export function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface ClusteredOptions {
  count: number;
  dim: number;
  clusters: number;
  /** norm of the within-cluster noise relative to the unit centre (default 1) */
  spread?: number;
  seed?: number;
}

export interface ClusteredData {
  dim: number;
  /** unit-length centres, clusters x dim */
  centres: Float32Array;
  /** points, count x dim, unit length */
  points: Float32Array;
  /** cluster of each point */
  cluster: Int32Array;
}

/** `count` unit vectors, each a random centre plus gaussian noise of norm about `spread`. */
export function clusteredVectors(opts: ClusteredOptions): ClusteredData {
  const { count, dim, clusters } = opts;
  const spread = opts.spread ?? 1;
  const rand = rng(opts.seed ?? 1);
  const g = gaussian(rand);
  const centres = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c++) {
    const o = c * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const x = g();
      centres[o + j] = x;
      s += x * x;
    }
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) centres[o + j] *= inv;
  }
  const points = new Float32Array(count * dim);
  const cluster = new Int32Array(count);
  const noise = spread / Math.sqrt(dim);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(rand() * clusters);
    cluster[i] = c;
    const o = i * dim;
    const co = c * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const x = centres[co + j] + noise * g();
      points[o + j] = x;
      s += x * x;
    }
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) points[o + j] *= inv;
  }
  return { dim, centres, points, cluster };
}

/** row i of a row-major matrix, as a view */
export function row(matrix: Float32Array, dim: number, i: number): Float32Array {
  return matrix.subarray(i * dim, (i + 1) * dim);
}

/** mean fraction of the exact top-k ids that the approximate top-k found */
export function recallAtK(approx: { id: number }[][], exact: { id: number }[][], k: number): number {
  let hit = 0;
  let total = 0;
  for (let q = 0; q < exact.length; q++) {
    const truth = new Set(exact[q].slice(0, k).map((n) => n.id));
    total += truth.size;
    for (const n of approx[q].slice(0, k)) if (truth.has(n.id)) hit++;
  }
  return total === 0 ? 1 : hit / total;
}
