// A model-independent MMEB runner. The model side is an interface: give it a function
// that embeds a query side and one that embeds a candidate target side. Candidate
// embeddings are cached by content (text + image), since many rows share candidates
// (classification rows all share the label set); queries are cached the same way.
// Similarity is cosine (vectors are L2-normalised here, whatever the model returns).
import { aggregate, hitAt1 } from './score';
import type { DatasetScore, EvalDataset, EvalSide, EvalSuite, MetaTask, SuiteScores } from './types';

export type Vector = Float32Array | number[];

/** What the encoder is told about the side it embeds. */
export interface EmbedContext {
  dataset: string;
  metaTask: MetaTask;
  side: 'query' | 'target';
}

export interface EvalEncoder {
  embedQuery(query: EvalSide, ctx: EmbedContext): Vector | Promise<Vector>;
  embedTarget(candidate: EvalSide, ctx: EmbedContext): Vector | Promise<Vector>;
  /** optional batched forms, used instead of the single ones when present */
  embedQueries?(queries: EvalSide[], ctx: EmbedContext): Promise<Vector[]>;
  embedTargets?(candidates: EvalSide[], ctx: EmbedContext): Promise<Vector[]>;
}

export interface EvaluateProgress {
  dataset: string;
  datasetIndex: number;
  datasets: number;
  phase: 'queries' | 'targets' | 'scored';
  /** embedding calls made so far (after the cache), over the whole run */
  queriesEmbedded: number;
  targetsEmbedded: number;
  /** candidate slots looked up (rows x candidates), over the whole run */
  targetLookups: number;
}

export interface EvaluateOptions {
  /** the model name recorded in the result; default 'unnamed' */
  model?: string;
  /** single calls in flight at once (lets an encoder micro-batch); default 8 */
  concurrency?: number;
  /** items per call for the batched forms; default 64 */
  batchSize?: number;
  /** 'dataset' (default) clears the caches between datasets, bounding memory; 'suite' keeps them */
  cacheScope?: 'dataset' | 'suite';
  onProgress?(p: EvaluateProgress): void;
  /** called once per row with candidate scores (e.g. to keep ranks or write details) */
  onRow?(dataset: string, rowIndex: number, scores: Float64Array): void;
}

/** The cache key of a side: its content, nothing else. */
export function sideKey(s: EvalSide): string {
  return `${s.image ?? ''}\u0000${s.text}`;
}

function normalise(v: Vector, dim: number | null, what: string): Float32Array {
  const out = Float32Array.from(v);
  if (dim !== null && out.length !== dim) throw new Error(`${what}: embedding has dimension ${out.length}, expected ${dim}`);
  let ss = 0;
  for (let i = 0; i < out.length; i++) ss += out[i]! * out[i]!;
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0; // a zero vector stays zero: it ties with everything
  for (let i = 0; i < out.length; i++) out[i]! *= inv;
  return out;
}

async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Runs every dataset of the suite through the encoder and returns MMEB-style scores. */
export async function evaluate(suite: EvalSuite | { datasets: EvalDataset[] }, encoder: EvalEncoder, opts: EvaluateOptions = {}): Promise<SuiteScores> {
  const concurrency = opts.concurrency ?? 8;
  const batchSize = opts.batchSize ?? 64;
  const qCache = new Map<string, Float32Array>();
  const tCache = new Map<string, Float32Array>();
  let dim: number | null = null;
  const stats = { queriesEmbedded: 0, targetsEmbedded: 0, targetLookups: 0 };
  const results: DatasetScore[] = [];

  const fill = async (
    sides: EvalSide[],
    cache: Map<string, Float32Array>,
    single: (s: EvalSide, ctx: EmbedContext) => Vector | Promise<Vector>,
    batched: ((s: EvalSide[], ctx: EmbedContext) => Promise<Vector[]>) | undefined,
    ctx: EmbedContext,
  ): Promise<number> => {
    const todo: EvalSide[] = [];
    const seen = new Set<string>();
    for (const s of sides) {
      const k = sideKey(s);
      if (!cache.has(k) && !seen.has(k)) {
        seen.add(k);
        todo.push(s);
      }
    }
    const put = (s: EvalSide, v: Vector) => {
      const n = normalise(v, dim, `${ctx.dataset} ${ctx.side}`);
      dim ??= n.length;
      cache.set(sideKey(s), n);
    };
    if (batched) {
      const batches: EvalSide[][] = [];
      for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize));
      for (const b of batches) {
        const vs = await batched(b, ctx);
        if (vs.length !== b.length) throw new Error(`${ctx.dataset}: batched ${ctx.side} embedding returned ${vs.length} vectors for ${b.length} inputs`);
        b.forEach((s, i) => put(s, vs[i]!));
      }
    } else {
      await pool(todo, concurrency, async (s) => put(s, await single(s, ctx)));
    }
    return todo.length;
  };

  const datasets = suite.datasets;
  for (let di = 0; di < datasets.length; di++) {
    const ds = datasets[di]!;
    if (opts.cacheScope !== 'suite') {
      qCache.clear();
      tCache.clear();
    }
    const progress = (phase: EvaluateProgress['phase']) =>
      opts.onProgress?.({ dataset: ds.name, datasetIndex: di, datasets: datasets.length, phase, ...stats });
    const base = { dataset: ds.name, metaTask: ds.metaTask };
    stats.queriesEmbedded += await fill(
      ds.rows.map((r) => r.query),
      qCache,
      (s, c) => encoder.embedQuery(s, c),
      encoder.embedQueries?.bind(encoder),
      { ...base, side: 'query' },
    );
    progress('queries');
    stats.targetsEmbedded += await fill(
      ds.rows.flatMap((r) => r.candidates),
      tCache,
      (s, c) => encoder.embedTarget(s, c),
      encoder.embedTargets?.bind(encoder),
      { ...base, side: 'target' },
    );
    progress('targets');
    let hits = 0;
    ds.rows.forEach((row, ri) => {
      const q = qCache.get(sideKey(row.query))!;
      const scores = new Float64Array(row.candidates.length); // float64: no ties made by rounding
      row.candidates.forEach((c, ci) => {
        scores[ci] = dot(q, tCache.get(sideKey(c))!);
      });
      stats.targetLookups += row.candidates.length;
      if (hitAt1(scores)) hits++;
      opts.onRow?.(ds.name, ri, scores);
    });
    const n = ds.rows.length;
    results.push({ name: ds.name, metaTask: ds.metaTask, split: ds.split, n, p1: n === 0 ? Number.NaN : hits / n });
    progress('scored');
  }
  return aggregate(opts.model ?? 'unnamed', results);
}
