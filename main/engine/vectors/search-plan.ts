// How a filtered search runs: a walk of the HNSW graph that skips what the filter refuses,
// or an exact scan of the rows it allows. The walk must see about ef allowed vectors, so
// its cost grows as 1/share of the rows the filter allows: at 1% it visits a hundred times
// as many as it keeps. The scan costs one filter call per row plus one dot product per
// allowed row. Both are counted in units of one exact row score; the constants come from
// `npm run bench:index`, which prints both strategies' latency at several shares and the
// one this plan picks.
export type SearchStrategy = 'graph' | 'exact';

/** A filter call (a Map lookup and a few comparisons) against one row score, both in JS. */
export const FILTER_CALL_COST = 0.05;
/**
 * The graph walk's cost per (ef / share), in row scores: each kept candidate costs the
 * neighbours it expands, and every visit crosses from hnswlib's C++ into the JS filter.
 * Measured (30k 256-d vectors, ef 64): the walk takes ~1.2 ms / share, a row score ~4 µs
 * of exact scan; the two meet near a 7% share there, near 3% at 100k vectors.
 */
export const WALK_COST = 4.5;

export interface SearchPlan {
  strategy: SearchStrategy;
  /** estimated share of the live rows the filter allows */
  share: number;
  /** predicted cost of each strategy, in row scores */
  exactCost: number;
  graphCost: number;
}

/** The cheaper strategy for `rows` live vectors when a filter allows `share` of them (estimated), at search breadth `ef`. */
export function planFilteredSearch(rows: number, share: number, ef: number): SearchPlan {
  const exactCost = rows * (FILTER_CALL_COST + share);
  // a filter allowing fewer than one row in the sample still allows some: at least one row
  const graphCost = (WALK_COST * ef) / Math.max(share, 1 / Math.max(rows, 1));
  return { strategy: exactCost <= graphCost ? 'exact' : 'graph', share, exactCost, graphCost };
}
