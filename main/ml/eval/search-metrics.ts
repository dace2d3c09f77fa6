// Ranking metrics for search over a library: each query has a set of relevant items and
// the engine returns a ranked list (the top k). Pure: lists of ids in, numbers out.
//
// - reciprocal rank (RR): 1 / the rank of the first relevant item, 0 when none is in the list;
//   MRR is its mean over queries.
// - Success@5: 1 when a relevant item is among the first 5, else 0.
// - R-precision@10: with R = min(10, |relevant|), the fraction of the first R results that
//   are relevant (1 = the top R are all relevant; a query with 3 relevant items is judged
//   on its top 3, one with 40 on its top 10).
// The random baseline is the exact expected value of each metric when the ranking is a
// uniformly random permutation of the n items, cut at the same k as the engine's list.

export const SUCCESS_AT = 5;
export const R_PRECISION_AT = 10;

export interface QueryScores {
  /** 1-based rank of the first relevant result; null when none is in the ranked list */
  firstRelevantRank: number | null;
  rr: number;
  success5: number;
  rPrecision10: number;
}

export type MetricName = 'rr' | 'success5' | 'rPrecision10';
export const METRICS: readonly MetricName[] = ['rr', 'success5', 'rPrecision10'];

/** Scores one ranked list against the set of relevant ids (at least one). */
export function scoreRanking(ranked: readonly string[], relevant: ReadonlySet<string>): QueryScores {
  if (relevant.size === 0) throw new Error('scoreRanking: a query needs at least one relevant item');
  const idx = ranked.findIndex((id) => relevant.has(id));
  const firstRelevantRank = idx === -1 ? null : idx + 1;
  const r = Math.min(R_PRECISION_AT, relevant.size);
  const hits = ranked.slice(0, r).filter((id) => relevant.has(id)).length;
  return {
    firstRelevantRank,
    rr: firstRelevantRank === null ? 0 : 1 / firstRelevantRank,
    success5: firstRelevantRank !== null && firstRelevantRank <= SUCCESS_AT ? 1 : 0,
    rPrecision10: hits / r,
  };
}

/**
 * The expected scores of a random ranking of `n` items of which `m` are relevant, when
 * only the first `k` are returned (exact, not sampled).
 */
export function expectedRandomScores(n: number, m: number, k: number): Omit<QueryScores, 'firstRelevantRank'> {
  if (!(Number.isInteger(n) && Number.isInteger(m) && Number.isInteger(k)) || m < 1 || m > n || k < 1) {
    throw new Error(`expectedRandomScores: need whole numbers with 1 <= m <= n and k >= 1 (got n=${n}, m=${m}, k=${k})`);
  }
  const depth = Math.min(k, n);
  // noneBefore = P(no relevant item in the first r-1 places)
  let noneBefore = 1;
  let rr = 0;
  let noneInTop5 = 1;
  for (let rank = 1; rank <= depth; rank++) {
    const pFirstHere = noneBefore * (m / (n - rank + 1));
    rr += pFirstHere / rank;
    noneBefore = Math.max(0, noneBefore - pFirstHere);
    if (rank <= SUCCESS_AT) noneInTop5 = noneBefore;
  }
  const r = Math.min(R_PRECISION_AT, m);
  // each of the first r places holds a relevant item with probability m / n (when returned)
  const rPrecision10 = r <= depth ? m / n : (depth / r) * (m / n);
  return { rr, success5: 1 - noneInTop5, rPrecision10 };
}

export interface Aggregate {
  n: number;
  mrr: number | null;
  success5: number | null;
  rPrecision10: number | null;
}

/** The mean of each metric over the given queries' scores (null when there are none). */
export function aggregate(scores: readonly Omit<QueryScores, 'firstRelevantRank'>[]): Aggregate {
  const n = scores.length;
  const mean = (m: MetricName) => (n ? scores.reduce((a, s) => a + s[m], 0) / n : null);
  return { n, mrr: mean('rr'), success5: mean('success5'), rPrecision10: mean('rPrecision10') };
}

/** Aggregates per group (in first-seen order of `groupOf`) and over all queries. */
export function aggregateBy<T>(items: readonly T[], groupOf: (t: T) => string, scoresOf: (t: T) => Omit<QueryScores, 'firstRelevantRank'>): { byGroup: Record<string, Aggregate>; overall: Aggregate } {
  const groups = new Map<string, Omit<QueryScores, 'firstRelevantRank'>[]>();
  for (const it of items) {
    const g = groupOf(it);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(scoresOf(it));
  }
  const byGroup: Record<string, Aggregate> = {};
  for (const [g, xs] of groups) byGroup[g] = aggregate(xs);
  return { byGroup, overall: aggregate(items.map(scoresOf)) };
}
