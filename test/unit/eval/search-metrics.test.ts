// Search metrics on hand-made rankings, and the random baseline's exact expectations
// checked against brute-force enumeration and sampling.
import { describe, expect, it } from 'vitest';
import { aggregate, aggregateBy, expectedRandomScores, scoreRanking } from '../../../main/ml/eval/search-metrics';
import { Rng } from '../../../main/ml/random';

const set = (...xs: string[]) => new Set(xs);

describe('scoreRanking', () => {
  it('a perfect ranking scores 1 on every metric', () => {
    expect(scoreRanking(['a', 'b', 'c', 'x', 'y'], set('a', 'b', 'c'))).toEqual({ firstRelevantRank: 1, rr: 1, success5: 1, rPrecision10: 1 });
  });

  it('first relevant at rank 3 of 3 relevant: RR 1/3, Success@5 1, R-precision counts the top 3 only', () => {
    const s = scoreRanking(['x', 'y', 'a', 'b', 'z', 'c'], set('a', 'b', 'c'));
    expect(s.firstRelevantRank).toBe(3);
    expect(s.rr).toBeCloseTo(1 / 3, 12);
    expect(s.success5).toBe(1);
    expect(s.rPrecision10).toBeCloseTo(1 / 3, 12); // only "a" is in the top 3
  });

  it('first relevant at rank 6 misses Success@5', () => {
    const s = scoreRanking(['1', '2', '3', '4', '5', 'a'], set('a'));
    expect(s).toEqual({ firstRelevantRank: 6, rr: 1 / 6, success5: 0, rPrecision10: 0 });
  });

  it('no relevant result: rank null, every metric 0', () => {
    expect(scoreRanking(['x', 'y'], set('a'))).toEqual({ firstRelevantRank: null, rr: 0, success5: 0, rPrecision10: 0 });
    expect(scoreRanking([], set('a'))).toEqual({ firstRelevantRank: null, rr: 0, success5: 0, rPrecision10: 0 });
  });

  it('more than 10 relevant: R-precision is precision of the top 10', () => {
    const relevant = set(...Array.from({ length: 20 }, (_, i) => `r${i}`));
    const ranked = ['r0', 'x1', 'r1', 'r2', 'x2', 'r3', 'r4', 'r5', 'x3', 'r6', 'r7', 'r8'];
    expect(scoreRanking(ranked, relevant).rPrecision10).toBeCloseTo(7 / 10, 12);
  });

  it('refuses a query with nothing relevant', () => {
    expect(() => scoreRanking(['a'], set())).toThrow(/at least one relevant/);
  });
});

/** Every permutation of n items (small n): the exact mean of each metric. */
function bruteForce(n: number, m: number, k: number) {
  const items = Array.from({ length: n }, (_, i) => `i${i}`);
  const relevant = new Set(items.slice(0, m));
  const sums = { rr: 0, success5: 0, rPrecision10: 0 };
  let count = 0;
  const permute = (prefix: string[], rest: string[]) => {
    if (!rest.length) {
      const s = scoreRanking(prefix.slice(0, k), relevant);
      sums.rr += s.rr;
      sums.success5 += s.success5;
      sums.rPrecision10 += s.rPrecision10;
      count++;
      return;
    }
    rest.forEach((x, i) => permute([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], items);
  return { rr: sums.rr / count, success5: sums.success5 / count, rPrecision10: sums.rPrecision10 / count };
}

describe('expectedRandomScores', () => {
  it.each([
    [6, 1, 50],
    [7, 2, 50],
    [7, 3, 4],
    [8, 8, 50],
    [8, 2, 3],
  ])('n=%i, m=%i, k=%i matches the mean over every permutation', (n, m, k) => {
    const exact = expectedRandomScores(n, m, k);
    const brute = bruteForce(n, m, k);
    expect(exact.rr).toBeCloseTo(brute.rr, 12);
    expect(exact.success5).toBeCloseTo(brute.success5, 12);
    expect(exact.rPrecision10).toBeCloseTo(brute.rPrecision10, 12);
  });

  it('a large library agrees with sampled random rankings (within sampling error)', () => {
    const n = 200;
    const m = 12;
    const k = 50;
    const exact = expectedRandomScores(n, m, k);
    const rng = new Rng(7);
    const items = Array.from({ length: n }, (_, i) => `i${i}`);
    const relevant = new Set(items.slice(0, m));
    const runs = 20_000;
    const scores = [];
    for (let t = 0; t < runs; t++) {
      const p = [...items];
      for (let i = p.length - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform() * (i + 1));
        [p[i], p[j]] = [p[j]!, p[i]!];
      }
      scores.push(scoreRanking(p.slice(0, k), relevant));
    }
    const mean = aggregate(scores);
    expect(Math.abs(mean.mrr! - exact.rr)).toBeLessThan(0.01);
    expect(Math.abs(mean.success5! - exact.success5)).toBeLessThan(0.015);
    expect(Math.abs(mean.rPrecision10! - exact.rPrecision10)).toBeLessThan(0.01);
    // and the closed forms: Success@5 = 1 - C(n-m,5)/C(n,5); R-precision = m/n
    let none = 1;
    for (let i = 0; i < 5; i++) none *= (n - m - i) / (n - i);
    expect(exact.success5).toBeCloseTo(1 - none, 12);
    expect(exact.rPrecision10).toBeCloseTo(m / n, 12);
  });

  it('refuses impossible counts', () => {
    expect(() => expectedRandomScores(5, 0, 10)).toThrow(/1 <= m <= n/);
    expect(() => expectedRandomScores(5, 6, 10)).toThrow(/1 <= m <= n/);
  });
});

describe('aggregate', () => {
  it('means per group and overall; empty is null', () => {
    const rows = [
      { kind: 'object', s: { rr: 1, success5: 1, rPrecision10: 1 } },
      { kind: 'object', s: { rr: 0.5, success5: 1, rPrecision10: 0 } },
      { kind: 'date', s: { rr: 0, success5: 0, rPrecision10: 0 } },
    ];
    const a = aggregateBy(rows, (r) => r.kind, (r) => r.s);
    expect(Object.keys(a.byGroup)).toEqual(['object', 'date']);
    expect(a.byGroup.object).toEqual({ n: 2, mrr: 0.75, success5: 1, rPrecision10: 0.5 });
    expect(a.byGroup.date).toEqual({ n: 1, mrr: 0, success5: 0, rPrecision10: 0 });
    expect(a.overall.n).toBe(3);
    expect(a.overall.mrr).toBeCloseTo(0.5, 12);
    expect(aggregate([])).toEqual({ n: 0, mrr: null, success5: null, rPrecision10: null });
  });
});
