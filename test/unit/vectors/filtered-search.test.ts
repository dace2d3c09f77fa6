import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exactSearch } from '../../../main/engine/vectors/exact-search';
import { planFilteredSearch } from '../../../main/engine/vectors/search-plan';
import { UnitRows } from '../../../main/engine/vectors/unit-rows';
import { VectorIndex } from '../../../main/engine/vectors/vector-index';
import { clusteredVectors, gaussian, recallAtK, rng, row } from '../../bench/clustered-vectors';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('UnitRows', () => {
  it('keeps unit copies, replaces in place and fills a removed row with the last one', () => {
    const rows = new UnitRows(3, 2);
    rows.set(10, [3, 0, 4]);
    rows.set(20, [0, 2, 0]);
    rows.set(30, [1, 1, 0]); // grows past the capacity of 2
    expect(Array.from(rows.vector(10)!)).toEqual([0.6, 0, 0.8].map((x) => Math.fround(x)));
    rows.set(20, [0, 0, 5]);
    expect(Array.from(rows.vector(20)!)).toEqual([0, 0, 1]);
    expect(rows.delete(10)).toBe(true);
    expect(rows.delete(10)).toBe(false);
    expect(rows.size).toBe(2);
    expect(Array.from(rows.ids()).sort()).toEqual([20, 30]);
    expect(rows.vector(30)![0]).toBeCloseTo(Math.SQRT1_2, 6); // moved into row 0, still itself
    expect(rows.vector(10)).toBeUndefined();
  });

  it('ranks exactly as a brute-force search over the same vectors, through removals', () => {
    const g = gaussian(rng(3));
    const dim = 16;
    const rows = new UnitRows(dim);
    const kept = new Map<number, Float32Array>();
    for (let id = 0; id < 400; id++) {
      const v = Float32Array.from({ length: dim }, () => g());
      rows.set(id, v);
      kept.set(id, v);
    }
    for (let id = 0; id < 400; id += 3) {
      rows.delete(id);
      kept.delete(id);
    }
    const ids = [...kept.keys()];
    const matrix = new Float32Array(ids.length * dim);
    ids.forEach((id, r) => matrix.set(kept.get(id)!, r * dim));
    const q = Float32Array.from({ length: dim }, () => g());
    const odd = (id: number) => id % 2 === 1;
    const want = exactSearch(matrix, dim, q, 7, { ids, filter: odd });
    const got = rows.search(q, 7, odd);
    expect(got.map((n) => n.id)).toEqual(want.map((n) => n.id));
    got.forEach((n, i) => expect(n.score).toBeCloseTo(want[i]!.score, 5));
  });

  it('estimates the share a filter allows from a spread sample, and counts every row of a small set', () => {
    const rows = new UnitRows(2);
    for (let id = 0; id < 10_000; id++) rows.set(id, [1, id]);
    expect(rows.allowedShare((id) => id % 100 === 0, 256)).toBeLessThan(0.03);
    expect(rows.allowedShare((id) => id % 2 === 0, 256)).toBeGreaterThan(0.4);
    expect(rows.allowedShare((id) => id % 2 === 0, 256)).toBeLessThan(0.6);
    expect(rows.allowedShare((id) => id < 5000, 256)).toBeCloseTo(0.5, 1); // a filter by insertion order is sampled everywhere
    expect(rows.allowedShare(() => false, 256)).toBe(0);
    const few = new UnitRows(2);
    for (let id = 0; id < 10; id++) few.set(id, [1, 0]);
    expect(few.allowedShare((id) => id < 3, 256)).toBe(0.3);
  });
});

describe('planFilteredSearch', () => {
  it('scans exactly when the filter allows few rows, walks the graph when it allows many', () => {
    expect(planFilteredSearch(100_000, 0.01, 64).strategy).toBe('exact');
    expect(planFilteredSearch(100_000, 0.5, 64).strategy).toBe('graph');
    expect(planFilteredSearch(100_000, 0, 64).strategy).toBe('exact');
    // a small library scans exactly at shares where a large one walks
    expect(planFilteredSearch(100_000, 0.1, 64).strategy).toBe('graph');
    expect(planFilteredSearch(2_000, 0.1, 64).strategy).toBe('exact');
    // a broader walk costs more, so the scan wins up to a larger share
    const share = 0.05;
    const narrow = planFilteredSearch(100_000, share, 64);
    const broad = planFilteredSearch(100_000, share, 512);
    expect(broad.graphCost).toBeGreaterThan(narrow.graphCost);
    expect(broad.exactCost).toBe(narrow.exactCost);
  });
});

describe('VectorIndex filtered search', () => {
  const dim = 32;
  const n = 6000;
  const d = clusteredVectors({ count: n + 40, dim, clusters: 60, seed: 8 });
  const base = d.points.subarray(0, n * dim);
  const queries = Array.from({ length: 40 }, (_, i) => row(d.points, dim, n + i));
  const ix = VectorIndex.create({ dim, capacity: n });
  for (let i = 0; i < n; i++) ix.add(i, row(d.points, dim, i));
  const rand = rng(21);
  const draw = Array.from({ length: n }, () => rand());
  const allowing = (share: number) => (id: number) => draw[id]! < share;

  it('picks the exact scan at 1% and the graph at 50%, each returning what exact search returns', () => {
    for (const [share, strategy, minRecall] of [
      [0.01, 'exact', 1],
      [0.5, 'graph', 0.9],
    ] as const) {
      const allow = allowing(share);
      expect(ix.planFor(allow).strategy).toBe(strategy);
      const got = queries.map((q) => ix.search(q, 10, allow));
      const want = queries.map((q) => exactSearch(base, dim, q, 10, { normalized: true, filter: allow }));
      for (const r of got) expect(r.every((x) => allow(x.id))).toBe(true);
      expect(recallAtK(got, want, 10)).toBeGreaterThanOrEqual(minRecall);
    }
  });

  it('both strategies agree on ids and scores when forced', () => {
    const allow = allowing(0.2);
    for (const q of queries.slice(0, 10)) {
      const exact = ix.search(q, 5, allow, 400, 'exact');
      const graph = ix.search(q, 5, allow, 400, 'graph');
      expect(graph.map((x) => x.id)).toEqual(exact.map((x) => x.id));
      graph.forEach((x, i) => expect(x.score).toBeCloseTo(exact[i]!.score, 5));
    }
  });

  it('the exact scan never returns removed ids, and sees updated vectors', () => {
    const small = VectorIndex.create({ dim: 4 });
    small.add(1, Float32Array.from([1, 0, 0, 0]));
    small.add(2, Float32Array.from([0.9, 0.1, 0, 0]));
    small.add(3, Float32Array.from([0, 1, 0, 0]));
    small.remove(1);
    small.add(3, Float32Array.from([1, 0, 0, 0]));
    const got = small.search(Float32Array.from([1, 0, 0, 0]), 3, () => true, undefined, 'exact');
    expect(got.map((x) => x.id)).toEqual([3, 2]);
    expect(got[0]!.score).toBeCloseTo(1, 6);
  });

  it('an exception thrown by the filter reaches the caller on either path', () => {
    const boom = () => {
      throw new Error('filter broke');
    };
    expect(() => ix.search(queries[0]!, 5, boom, 64, 'exact')).toThrow('filter broke');
    expect(() => ix.search(queries[0]!, 5, boom, 64, 'graph')).toThrow('filter broke');
  });

  it('a loaded index scans the vectors read back from its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-filtered-'));
    dirs.push(dir);
    const file = join(dir, 'ix.hnsw');
    const own = VectorIndex.create({ dim, capacity: 1000 });
    for (let i = 0; i < 1500; i++) own.add(i, row(d.points, dim, i)); // grows once
    for (let i = 0; i < 1500; i += 7) own.remove(i);
    own.add(7, row(d.points, dim, 3)); // a removed id back with another vector
    own.save(file);
    const back = VectorIndex.load(file, dim);
    expect(back.liveIds()).toEqual(own.liveIds());
    const allow = (id: number) => id % 3 === 0;
    for (const q of queries.slice(0, 10)) {
      const before = own.search(q, 10, allow, 64, 'exact');
      const after = back.search(q, 10, allow, 64, 'exact');
      expect(after.map((x) => x.id)).toEqual(before.map((x) => x.id));
      after.forEach((x, i) => expect(x.score).toBeCloseTo(before[i]!.score, 6));
      expect(after.every((x) => x.id % 7 !== 0 || x.id === 7)).toBe(true);
    }
  });
});
