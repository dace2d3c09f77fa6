// Training glue for the vlm2vec family: rows that carry the (cached) trunk feature maps next
// to the token ids (main/ml/train/token-rows slices and joins such per-row columns), their
// session feeds, a ChunkedEncoder over GradSessions, and the shared trainer
// (main/ml/train/trainer.ts: AdamW, warm-up + cosine, clipping, progress, cancellation,
// exact-resume checkpoints) driving the shared GradCache step over them (Trainer.withStep).
import { GradSessions } from '../../runtime/grad-sessions';
import type { HostTensor, SessionOptions } from '../../runtime/session';
import { DEFAULT_SESSION, sessionsChunkEncoder } from '../../train/encoder';
import type { ChunkedEncoder } from '../../train/grad-cache';
import { gradCacheSteps, pacedEncoder } from '../../train/grad-cache';
import { VLM2VEC_TAU } from '../../train/info-nce';
import { chunkRowsPerStep } from '../../train/step';
import type { StepFunction } from '../../train/step';
import type { ContrastiveRows, TokenRows } from '../../train/token-rows';
import { concatRows, rowCount, sliceRows } from '../../train/token-rows';
import { Trainer } from '../../train/trainer';
import type { TrainerOptions } from '../../train/trainer';
import { EMBED_INPUTS, featureSize, perceptionSlotCount } from './model';
import { SLOT_FEATURES } from './perception';
import type { Vlm2vecModel } from './model';
import { PAD_ID } from './tokenizer';

/**
 * TokenRows plus, per row, the trunk feature map [C*H*W] (zeros without an image) and
 * has_image (1/0); for a model with perception tokens also the slots (perception.ts: ids [P],
 * features [P * SLOT_FEATURES], mask [P]).
 */
export interface Vlm2vecRows extends TokenRows {
  features: Float32Array;
  hasImage: Float32Array;
  perceptionIds?: BigInt64Array;
  perceptionFeatures?: Float32Array;
  perceptionMask?: Float32Array;
}

/** Query i pairs with target i; hard negatives (any number of rows) join every query's candidates. */
export type Vlm2vecBatch = ContrastiveRows<Vlm2vecRows>;

/** Row-wise concatenation with the features, right-padding ids with PAD_ID. */
export function concatVlm2vecRows(parts: readonly Vlm2vecRows[]): Vlm2vecRows {
  return concatRows(parts, PAD_ID);
}

/** Rows [from, to) with their features (views, not copies). */
export { sliceRows as sliceVlm2vecRows };

/** Session feeds of the embedding graph (model.ts EMBED_INPUTS) for some rows. */
export function vlm2vecFeeds(model: Vlm2vecModel, t: Vlm2vecRows): Record<string, HostTensor> {
  const n = rowCount(t);
  const [h, w] = model.cfg.featureGrid;
  if (t.features.length !== n * featureSize(model.cfg)) throw new Error(`vlm2vec rows: ${t.features.length} feature values for ${n} rows`);
  const feeds: Record<string, HostTensor> = {
    [EMBED_INPUTS.features]: { dtype: 'float32', data: t.features, dims: [n, model.cfg.featureChannels, h, w] },
    [EMBED_INPUTS.hasImage]: { dtype: 'float32', data: t.hasImage, dims: [n] },
    [EMBED_INPUTS.ids]: { dtype: 'int64', data: t.ids, dims: [n, t.seq] },
    [EMBED_INPUTS.mask]: { dtype: 'float32', data: t.mask, dims: [n, t.seq] },
  };
  if (!model.cfg.perception) return feeds;
  const p = perceptionSlotCount(model.cfg);
  if (!t.perceptionIds || !t.perceptionFeatures || !t.perceptionMask || t.perceptionMask.length !== n * p) throw new Error(`vlm2vec rows: this model reads ${p} perception slots per row; the rows must carry perceptionIds, perceptionFeatures and perceptionMask`);
  feeds[EMBED_INPUTS.perceptionIds] = { dtype: 'int64', data: t.perceptionIds, dims: [n, p] };
  feeds[EMBED_INPUTS.perceptionFeatures] = { dtype: 'float32', data: t.perceptionFeatures, dims: [n, p, SLOT_FEATURES] };
  feeds[EMBED_INPUTS.perceptionMask] = { dtype: 'float32', data: t.perceptionMask, dims: [n, p] };
  return feeds;
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
  /** awaited before each GradCache chunk (forward and backward) */
  beforeChunk?: () => Promise<void>;
};

/** The shared Trainer (GradCache always) over the vlm2vec encoder; `run()`, `release()` as usual. */
export async function createVlm2vecTrainer(o: Vlm2vecTrainerOptions): Promise<Trainer> {
  const enc = await vlm2vecChunkEncoder(o.model, o.session ?? DEFAULT_SESSION);
  const steps = gradCacheSteps(o.beforeChunk ? pacedEncoder(enc, o.beforeChunk) : enc, { chunk: chunkRowsPerStep(o.batchSize, o.chunkSize), tau: o.tau ?? VLM2VEC_TAU, padId: PAD_ID });
  const step: StepFunction = (batch, rng, signal) => {
    const b = batch as Vlm2vecBatch;
    if (!b.queries.features || !b.targets.features) throw new Error('vlm2vec trainer: the source must return Vlm2vecRows (features + hasImage)');
    return steps(b, rng, signal);
  };
  const options: TrainerOptions = { ...o, module: o.model, source: o.source, gradCache: true };
  return Trainer.withStep(options, step, () => enc.release());
}
