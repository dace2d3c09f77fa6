// Filtered search on a built VectorIndex (index-bench.ts section (c)): for filters allowing
// a given share of the vectors, the latency of the graph walk and of the exact scan of the
// allowed rows, forced each in turn, and of the strategy VectorIndex picks itself, with
// recall@10 against exact search. The filter looks each id up in a Map, as Find's filters
// look up the catalog, and allows a random share (not tied to the clusters).
import { exactSearch } from '../../main/engine/vectors/exact-search';
import type { SearchStrategy } from '../../main/engine/vectors/search-plan';
import type { VectorIndex } from '../../main/engine/vectors/vector-index';
import { r3 } from './bench-util';
import { recallAtK, rng } from './clustered-vectors';

export interface LatencyStats {
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export function latencyStats(ms: number[]): LatencyStats {
  const s = [...ms].sort((x, y) => x - y);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN);
  return { p50Ms: r3(at(50)), p95Ms: r3(at(95)), meanMs: r3(s.reduce((x, y) => x + y, 0) / Math.max(1, s.length)) };
}

export interface FilteredRun {
  /** share of the vectors the filter allows */
  share: number;
  ef: number;
  graph: LatencyStats & { recallAt10: number };
  exact: LatencyStats & { recallAt10: number };
  picked: LatencyStats & { recallAt10: number; strategy: SearchStrategy; estimatedShare: number };
}

/** Each share in `shares` over `queries` (rows of `base`, `n` x `dim`, ids = row numbers). */
export function filteredSearchRuns(ix: VectorIndex, base: Float32Array, dim: number, queries: Float32Array[], shares: number[], ef = 64): FilteredRun[] {
  const n = base.length / dim;
  const rand = rng(99);
  const draw = new Map<number, number>();
  for (let id = 0; id < n; id++) draw.set(id, rand());
  return shares.map((share) => {
    const allow = (id: number) => {
      const u = draw.get(id);
      return u !== undefined && u < share;
    };
    const truth = queries.map((q) => exactSearch(base, dim, q, 10, { normalized: true, filter: allow }));
    const timed = (strategy?: SearchStrategy) => {
      for (let i = 0; i < Math.min(10, queries.length); i++) ix.search(queries[i], 10, allow, ef, strategy); // warm-up
      const ms: number[] = [];
      const res = queries.map((q) => {
        const t = performance.now();
        const r = ix.search(q, 10, allow, ef, strategy);
        ms.push(performance.now() - t);
        return r;
      });
      return { ...latencyStats(ms), recallAt10: r3(recallAtK(res, truth, 10)) };
    };
    const plan = ix.planFor(allow, ef);
    return {
      share,
      ef,
      graph: timed('graph'),
      exact: timed('exact'),
      picked: { ...timed(), strategy: plan.strategy, estimatedShare: r3(plan.share) },
    };
  });
}

const pct = (x: number) => `${Number((x * 100).toPrecision(2))}%`;

/** The table lines for `runs`. */
export function filteredSearchLines(runs: FilteredRun[]): string[] {
  const out = [`  ${'filter allows'.padEnd(16)}${'graph p50'.padStart(11)}${'recall'.padStart(8)}${'exact p50'.padStart(11)}${'recall'.padStart(8)}${'picked'.padStart(8)}${'p50'.padStart(9)}${'recall'.padStart(8)}${'est.'.padStart(8)}`];
  for (const r of runs) {
    out.push(
      `  ${`${pct(r.share)} (ef ${r.ef})`.padEnd(16)}${r.graph.p50Ms.toFixed(3).padStart(11)}${r.graph.recallAt10.toFixed(3).padStart(8)}${r.exact.p50Ms.toFixed(3).padStart(11)}${r.exact.recallAt10.toFixed(3).padStart(8)}${r.picked.strategy.padStart(8)}${r.picked.p50Ms.toFixed(3).padStart(9)}${r.picked.recallAt10.toFixed(3).padStart(8)}${pct(r.picked.estimatedShare).padStart(8)}`,
    );
  }
  return out;
}
