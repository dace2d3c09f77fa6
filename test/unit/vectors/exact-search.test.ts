import { describe, expect, it } from 'vitest';
import { exactSearch, normalizeRows, rowNorms } from '../../../main/engine/vectors/exact-search';
import { TopK } from '../../../main/engine/vectors/top-k';
import { clusteredVectors, gaussian, rng, row } from '../../bench/clustered-vectors';

function naive(matrix: Float32Array, dim: number, q: Float32Array, k: number, ids?: number[]) {
  const rows = matrix.length / dim;
  const qn = Math.hypot(...q);
  const all = [];
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let ss = 0;
    for (let j = 0; j < dim; j++) {
      dot += matrix[r * dim + j] * q[j];
      ss += matrix[r * dim + j] ** 2;
    }
    const n = Math.sqrt(ss) * qn;
    all.push({ id: ids ? ids[r] : r, score: n > 0 ? dot / n : 0 });
  }
  return all.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

describe('exactSearch', () => {
  const dim = 16;
  const g = gaussian(rng(7));
  const rows = 300;
  const m = new Float32Array(rows * dim).map(() => g() * 3); // not unit length
  const q = new Float32Array(dim).map(() => g());

  it('matches a naive sort of cosine similarities', () => {
    const got = exactSearch(m, dim, q, 10);
    const want = naive(m, dim, q, 10);
    expect(got.map((n) => n.id)).toEqual(want.map((n) => n.id));
    got.forEach((n, i) => expect(n.score).toBeCloseTo(want[i].score, 5));
  });

  it('handles dimensions that are not a multiple of four', () => {
    const d7 = 7;
    const m7 = new Float32Array(50 * d7).map(() => g());
    const q7 = new Float32Array(d7).map(() => g());
    const got = exactSearch(m7, d7, q7, 5);
    const want = naive(m7, d7, q7, 5);
    expect(got.map((n) => n.id)).toEqual(want.map((n) => n.id));
    got.forEach((n, i) => expect(n.score).toBeCloseTo(want[i].score, 5));
  });

  it('gives the same answer with precomputed norms or normalised rows', () => {
    const want = exactSearch(m, dim, q, 7).map((n) => n.id);
    expect(exactSearch(m, dim, q, 7, { norms: rowNorms(m, dim) }).map((n) => n.id)).toEqual(want);
    expect(exactSearch(normalizeRows(m, dim), dim, q, 7, { normalized: true }).map((n) => n.id)).toEqual(want);
  });

  it('maps rows to ids and applies the filter to ids', () => {
    const ids = Array.from({ length: rows }, (_, i) => 1000 + i * 3);
    const got = exactSearch(m, dim, q, 5, { ids, filter: (id) => id % 2 === 0 });
    expect(got).toHaveLength(5);
    for (const n of got) expect(n.id % 2).toBe(0);
    const want = naive(m, dim, q, rows, ids).filter((n) => n.id % 2 === 0).slice(0, 5);
    expect(got.map((n) => n.id)).toEqual(want.map((n) => n.id));
  });

  it('handles k beyond the rows, k = 0, empty matrices and zero vectors', () => {
    expect(exactSearch(m, dim, q, 10_000)).toHaveLength(rows);
    expect(exactSearch(m, dim, q, 0)).toEqual([]);
    expect(exactSearch(new Float32Array(0), dim, q, 5)).toEqual([]);
    const z = new Float32Array(2 * dim);
    z[dim] = 1;
    const res = exactSearch(z, dim, q, 2);
    expect(res.find((n) => n.id === 0)?.score).toBe(0);
    expect(exactSearch(m, dim, new Float32Array(dim), 3).every((n) => n.score === 0)).toBe(true);
  });

  it('rejects mismatched shapes', () => {
    expect(() => exactSearch(m, dim, new Float32Array(dim + 1), 3)).toThrow(RangeError);
    expect(() => exactSearch(new Float32Array(dim + 1), dim, q, 3)).toThrow(RangeError);
    expect(() => exactSearch(m, dim, q, 3, { ids: [1, 2] })).toThrow(RangeError);
  });

  it('finds a point itself first in clustered data', () => {
    const d = clusteredVectors({ count: 500, dim: 32, clusters: 10, seed: 3 });
    for (const i of [0, 17, 499]) expect(exactSearch(d.points, 32, row(d.points, 32, i), 1, { normalized: true })[0].id).toBe(i);
  });
});

describe('TopK', () => {
  it('keeps the k best of a stream', () => {
    const rand = rng(11);
    const scores = Array.from({ length: 1000 }, () => rand());
    const t = new TopK(25);
    scores.forEach((s, i) => t.offer(i, s));
    const want = scores
      .map((score, id) => ({ id, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 25);
    expect(t.sorted()).toEqual(want);
    expect(t.threshold).toBe(want[24].score);
  });
});
