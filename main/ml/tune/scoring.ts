// Before and after a fine-tune: Precision@1 (MMEB's rule: the correct candidate must score
// strictly highest) on
//   - the held-out pairs: each held-out positive against distractors (held-out items that
//     answer another query, held-out negatives, and any the caller adds), never against another
//     positive of its own query; plus R-precision per held-out query (of its top R among its
//     held-out positives and the distractors, how many are its own; R = how many it has),
//     which is what Find shows a person;
//   - the anchor set's probe slice of mini-MMEB (forgetting).
import { aggregate, precisionAt1 } from '../eval/score';
import type { DatasetScore, MetaTask, Split, SuiteScores } from '../eval/types';
import type { Vlm2vecModel } from '../models/vlm2vec/model';
import { embedGraphOnnx } from '../models/vlm2vec/package';
import { vlm2vecFeeds } from '../models/vlm2vec/train';
import { createSession } from '../runtime/session';
import type { Session, SessionOptions } from '../runtime/session';
import type { TaskName } from '../models/embedding-model';
import type { EncodedPair, EncodedSide, FeatureBank } from './encoded';
import { rowsOf } from './encoded';

export interface ScoreRow {
  query: EncodedSide;
  /** candidate 0 is the correct one */
  candidates: EncodedSide[];
}

export interface ScoreSet {
  name: string;
  metaTask: MetaTask;
  split: Split;
  rows: ScoreRow[];
}

/** Embeds encoded sides with the model's current weights (one inference session), each distinct side once. */
export class SideEmbedder {
  private readonly cache = new Map<string, Float32Array>();
  private constructor(
    private readonly model: Vlm2vecModel,
    private readonly session: Session,
    private readonly bank: FeatureBank,
    private readonly pace?: () => Promise<void>,
  ) {}

  /** `pace` is awaited before each batch (a host holds the work while its user searches) */
  static async create(model: Vlm2vecModel, bank: FeatureBank, session: SessionOptions, pace?: () => Promise<void>): Promise<SideEmbedder> {
    return new SideEmbedder(model, await createSession(embedGraphOnnx(model), session), bank, pace);
  }

  async embed(sides: readonly EncodedSide[], batch = 32): Promise<Float32Array[]> {
    const todo = [...new Map(sides.filter((s) => !this.cache.has(s.key)).map((s) => [s.key, s])).values()];
    // alike rows together: less padding
    todo.sort((a, b) => a.image - b.image || a.tokens.length - b.tokens.length);
    const dim = this.model.cfg.dim;
    for (let s = 0; s < todo.length; s += batch) {
      const part = todo.slice(s, s + batch);
      await this.pace?.();
      const r = await this.session.run(vlm2vecFeeds(this.model, rowsOf(part, this.bank)));
      const e = r.embedding.data as Float32Array;
      part.forEach((side, i) => this.cache.set(side.key, e.slice(i * dim, (i + 1) * dim)));
    }
    return sides.map((s) => this.cache.get(s.key)!);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

async function rowScores(e: SideEmbedder, rows: readonly ScoreRow[]): Promise<Float64Array[]> {
  const q = await e.embed(rows.map((r) => r.query));
  const c = await e.embed(rows.flatMap((r) => r.candidates));
  let k = 0;
  return rows.map((r, i) => Float64Array.from(r.candidates, () => dot(q[i]!, c[k++]!)));
}

/** P@1 per set and MMEB-style aggregates (fractions in [0, 1]). */
export async function scoreSets(e: SideEmbedder, sets: readonly ScoreSet[], model = 'model'): Promise<SuiteScores> {
  const datasets: DatasetScore[] = [];
  for (const s of sets) {
    const { n, p1 } = precisionAt1(await rowScores(e, s.rows));
    datasets.push({ name: s.name, metaTask: s.metaTask, split: s.split, n, p1 });
  }
  return aggregate(model, datasets);
}

export interface HeldOutScores {
  /** held-out positives scored */
  n: number;
  /** share whose positive outranks every distractor */
  p1: number;
  /** mean over held-out queries of R-precision */
  rPrecision: number;
  /** distractors each positive competed with */
  distractors: number;
}

/** An item any held-out query of `task` must outrank unless it is one of its positives. */
export interface Distractor {
  task: TaskName | null;
  side: EncodedSide;
}

/**
 * The held-out rows: each held-out positive against the distractors: the held-out pairs'
 * items of the same task (and the caller's `extra`) that are not a positive of the same
 * query in `all`. Trained items are never distractors (training saw them).
 */
export function heldOutRows(heldOut: readonly EncodedPair[], all: readonly EncodedPair[], extra: readonly Distractor[] = []): { rows: ScoreRow[]; pools: Map<string, { positives: EncodedSide[]; distractors: EncodedSide[] }> } {
  const positivesOf = new Map<string, Set<string>>();
  for (const p of all) positivesOf.set(p.query.key, (positivesOf.get(p.query.key) ?? new Set()).add(p.target.key));
  // only what training never saw: held-out items and the caller's extras
  const candidates = [...heldOut.flatMap((p) => [p.target, ...p.negatives].map((side) => ({ task: p.task, side }))), ...extra];
  const pools = new Map<string, { positives: EncodedSide[]; distractors: EncodedSide[] }>();
  const rows: ScoreRow[] = [];
  for (const h of heldOut) {
    let pool = pools.get(h.query.key);
    if (!pool) {
      const own = positivesOf.get(h.query.key) ?? new Set<string>();
      const distractors = new Map(candidates.filter((c) => c.task === h.task && !own.has(c.side.key)).map((c) => [c.side.key, c.side]));
      pool = { positives: [], distractors: [...distractors.values()] };
      pools.set(h.query.key, pool);
    }
    pool.positives.push(h.target);
    rows.push({ query: h.query, candidates: [h.target, ...pool.distractors] });
  }
  return { rows, pools };
}

export async function scoreHeldOut(e: SideEmbedder, heldOut: readonly EncodedPair[], all: readonly EncodedPair[], extra: readonly Distractor[] = []): Promise<HeldOutScores> {
  const { rows, pools } = heldOutRows(heldOut, all, extra);
  const { n, p1 } = precisionAt1(await rowScores(e, rows));
  let rp = 0;
  for (const [qKey, pool] of pools) {
    const query = heldOut.find((h) => h.query.key === qKey)!.query;
    const [qv] = await e.embed([query]);
    const pos = await e.embed(pool.positives);
    const dis = await e.embed(pool.distractors);
    const ranked = [...pos.map((v) => ({ own: true, s: dot(qv!, v) })), ...dis.map((v) => ({ own: false, s: dot(qv!, v) }))].sort((a, b) => b.s - a.s);
    const r = pool.positives.length;
    rp += ranked.slice(0, r).filter((x) => x.own).length / r;
  }
  return { n, p1: n ? p1 : Number.NaN, rPrecision: pools.size ? rp / pools.size : Number.NaN, distractors: rows.length ? rows[0]!.candidates.length - 1 : 0 };
}
