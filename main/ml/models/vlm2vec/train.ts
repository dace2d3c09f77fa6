// Training glue for the vlm2vec family: GradCache chunks that carry the (cached) trunk
// feature maps next to the token ids, a ChunkedEncoder over GradSessions, and the shared
// trainer (main/ml/train/trainer.ts: AdamW, warm-up + cosine, clipping, progress,
// cancellation, exact-resume checkpoints) driving it.
// `createVlm2vecTrainer` hands the trainer a step that chunks Vlm2vecRows (Trainer.withStep).
import { GradSessions } from '../../runtime/grad-sessions';
import type { HostTensor, SessionOptions } from '../../runtime/session';
import { DEFAULT_SESSION, sessionsChunkEncoder } from '../../train/encoder';
import type { ChunkedEncoder } from '../../train/grad-cache';
import { gradCacheStep } from '../../train/grad-cache';
import { VLM2VEC_TAU } from '../../train/info-nce';
import type { ContrastiveTokens, TokenRows } from '../../train/token-rows';
import { rowCount } from '../../train/token-rows';
import { Trainer } from '../../train/trainer';
import type { StepFunction, TrainerOptions } from '../../train/trainer';
import { EMBED_INPUTS, featureSize } from './model';
import type { Vlm2vecModel } from './model';
import { PAD_ID } from './tokenizer';

/** TokenRows plus, per row, the trunk feature map [C*H*W] (zeros without an image) and has_image (1/0). */
export interface Vlm2vecRows extends TokenRows {
  features: Float32Array;
  hasImage: Float32Array;
}

/** Query i pairs with target i; hard negatives (any number of rows) join every query's candidates. */
export interface Vlm2vecBatch extends ContrastiveTokens {
  queries: Vlm2vecRows;
  targets: Vlm2vecRows;
  negatives?: Vlm2vecRows;
}

export function sliceVlm2vecRows(t: Vlm2vecRows, from: number, to: number): Vlm2vecRows {
  const f = t.features.length / rowCount(t);
  return {
    ids: t.ids.subarray(from * t.seq, to * t.seq),
    mask: t.mask.subarray(from * t.seq, to * t.seq),
    seq: t.seq,
    features: t.features.subarray(from * f, to * f),
    hasImage: t.hasImage.subarray(from, to),
  };
}

/** Row-wise concatenation, right-padding the shorter parts to the longest sequence. */
export function concatVlm2vecRows(parts: readonly Vlm2vecRows[]): Vlm2vecRows {
  const seq = Math.max(...parts.map((p) => p.seq));
  const rows = parts.reduce((n, p) => n + rowCount(p), 0);
  const f = parts[0].features.length / Math.max(1, rowCount(parts[0]));
  const out: Vlm2vecRows = { ids: new BigInt64Array(rows * seq), mask: new Float32Array(rows * seq), seq, features: new Float32Array(rows * f), hasImage: new Float32Array(rows) };
  let row = 0;
  for (const p of parts) {
    for (let r = 0; r < rowCount(p); r++, row++) {
      out.ids.set(p.ids.subarray(r * p.seq, (r + 1) * p.seq), row * seq);
      out.mask.set(p.mask.subarray(r * p.seq, (r + 1) * p.seq), row * seq);
      out.ids.fill(BigInt(PAD_ID), row * seq + p.seq, (row + 1) * seq);
    }
    out.features.set(p.features, (row - rowCount(p)) * f);
    out.hasImage.set(p.hasImage, row - rowCount(p));
  }
  return out;
}

export function chunkVlm2vecRows(t: Vlm2vecRows, size: number): Vlm2vecRows[] {
  const n = rowCount(t);
  const out: Vlm2vecRows[] = [];
  for (let r = 0; r < n; r += size) out.push(sliceVlm2vecRows(t, r, Math.min(n, r + size)));
  return out;
}

/** Session feeds of the embedding graph (model.ts EMBED_INPUTS) for some rows. */
export function vlm2vecFeeds(model: Vlm2vecModel, t: Vlm2vecRows): Record<string, HostTensor> {
  const n = rowCount(t);
  const [h, w] = model.cfg.featureGrid;
  if (t.features.length !== n * featureSize(model.cfg)) throw new Error(`vlm2vec rows: ${t.features.length} feature values for ${n} rows`);
  return {
    [EMBED_INPUTS.features]: { dtype: 'float32', data: t.features, dims: [n, model.cfg.featureChannels, h, w] },
    [EMBED_INPUTS.hasImage]: { dtype: 'float32', data: t.hasImage, dims: [n] },
    [EMBED_INPUTS.ids]: { dtype: 'int64', data: t.ids, dims: [n, t.seq] },
    [EMBED_INPUTS.mask]: { dtype: 'float32', data: t.mask, dims: [n, t.seq] },
  };
}

export interface Vlm2vecChunkEncoder extends ChunkedEncoder<Vlm2vecRows> {
  readonly sessions: GradSessions;
  release(): Promise<void>;
}

/** GradCache's encoder for the vlm2vec model (float32): no-grad forward + seeded backward. */
export async function vlm2vecChunkEncoder(model: Vlm2vecModel, session: SessionOptions = DEFAULT_SESSION): Promise<Vlm2vecChunkEncoder> {
  const sessions = await GradSessions.create({ module: model, session, build: (ctx) => model.buildEmbedGraph(ctx) });
  return sessionsChunkEncoder(sessions, (chunk: Vlm2vecRows) => vlm2vecFeeds(model, chunk));
}

export interface Vlm2vecSource {
  /** must be deterministic in `index` (the trainer resumes from its cursor) */
  batch(index: number, size: number): Vlm2vecBatch | Promise<Vlm2vecBatch>;
}

export type Vlm2vecTrainerOptions = Omit<TrainerOptions, 'module' | 'source' | 'gradCache' | 'paramDType'> & {
  model: Vlm2vecModel;
  source: Vlm2vecSource;
};

/** The shared Trainer (GradCache always) over the vlm2vec encoder; `run()`, `release()` as usual. */
export async function createVlm2vecTrainer(o: Vlm2vecTrainerOptions): Promise<Trainer> {
  const tau = o.tau ?? VLM2VEC_TAU;
  const chunk = Math.max(1, Math.min(o.chunkSize || o.batchSize, o.batchSize));
  const enc = await vlm2vecChunkEncoder(o.model, o.session ?? DEFAULT_SESSION);
  const step: StepFunction = (batch, rng, signal) => {
    const b = batch as Vlm2vecBatch;
    if (!b.queries.features || !b.targets.features) throw new Error('vlm2vec trainer: the source must return Vlm2vecRows (features + hasImage)');
    const queries = chunkVlm2vecRows(b.queries, chunk);
    const targets = chunkVlm2vecRows(b.negatives && rowCount(b.negatives) ? concatVlm2vecRows([b.targets, b.negatives]) : b.targets, chunk);
    const seeds = { queries: queries.map(() => rng.nextU32()), targets: targets.map(() => rng.nextU32()) };
    return gradCacheStep(enc, { queries, targets }, seeds, tau, signal);
  };
  const options: TrainerOptions = { ...o, module: o.model, source: o.source, gradCache: true };
  return Trainer.withStep(options, step, () => enc.release());
}
