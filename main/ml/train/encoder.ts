// The two ways the trainer runs a token encoder (one model embeds both sides, as in VLM2Vec):
//  - `tokenChunkEncoder`: GradSessions (no-grad forward + seeded backward, symbolic batch and
//    sequence) behind the ChunkedEncoder interface that gradCacheStep drives;
//  - `FullBatchStep`: no GradCache; one graph holds both sides of the whole batch, InfoNCE
//    in the graph, and returns the loss and every parameter gradient in one run.
import type { Tensor } from '../graph/graph';
import { Graph } from '../graph/graph';
import * as o from '../autodiff/ops';
import { addGradients } from '../autodiff/training';
import type { TrainingOutputs } from '../autodiff/training';
import { toOnnx } from '../graph/onnx-writer';
import type { OnnxModel } from '../graph/onnx-writer';
import { Ctx } from '../nn/context';
import type { Module } from '../nn/module';
import { l2Normalize, lastTokenPool } from '../nn/transformer';
import { GradSessions } from '../runtime/grad-sessions';
import { createSession } from '../runtime/session';
import type { HostTensor, Session, SessionOptions } from '../runtime/session';
import type { Tensors } from './adamw';
import type { ChunkedEncoder } from './grad-cache';
import { VLM2VEC_TAU } from './info-nce';
import type { StepResult } from './step';
import type { ContrastiveTokens, TokenRows } from './token-rows';
import { candidateRows, rowCount, tokenFeeds } from './token-rows';

/** A module that maps token ids [B, T] + mask [B, T] to hidden states [B, T, D] (nn Transformer). */
export interface TokenModule extends Module {
  forward(ctx: Ctx, ids: Tensor, padMask: Tensor): Tensor;
}

/** VLM2Vec's representation: last real token of the last layer, L2-normalised. [B, D] */
export function embedTokens(model: TokenModule, ctx: Ctx, ids: Tensor, mask: Tensor): Tensor {
  return l2Normalize(lastTokenPool(model.forward(ctx, ids, mask), mask));
}

export interface EncoderOptions {
  session?: SessionOptions;
  /** graph dtype (default float32; float64 runs with graphOptimizationLevel 'basic') */
  paramDType?: 'float32' | 'float64';
}

export const DEFAULT_SESSION: SessionOptions = { providers: ['cpu'], intraOpNumThreads: 2 };

function sessionOptions(o: EncoderOptions): SessionOptions {
  const base = o.session ?? DEFAULT_SESSION;
  return o.paramDType === 'float64' ? { ...base, graphOptimizationLevel: 'basic' } : base;
}

export interface TokenChunkEncoder extends ChunkedEncoder<TokenRows> {
  readonly sessions: GradSessions;
  release(): Promise<void>;
}

/** GradCache's encoder for a token model: chunks are TokenRows; seeds replay dropout. */
export async function tokenChunkEncoder(model: TokenModule, opts: EncoderOptions = {}): Promise<TokenChunkEncoder> {
  const dtype = opts.paramDType ?? 'float32';
  const sessions = await GradSessions.create({
    module: model,
    paramDType: dtype,
    session: sessionOptions(opts),
    build: (ctx) => {
      const ids = ctx.g.input('input_ids', 'int64', ['batch', 'seq']);
      const mask = ctx.g.input('attention_mask', ctx.dtype, ['batch', 'seq']);
      return embedTokens(model, ctx, ids, mask);
    },
  });
  return sessionsChunkEncoder(sessions, (chunk: TokenRows) => tokenFeeds(chunk, dtype), dtype);
}

/** GradSessions behind the ChunkedEncoder interface, given how a chunk becomes session feeds. */
export function sessionsChunkEncoder<Chunk>(
  sessions: GradSessions,
  feeds: (chunk: Chunk) => Record<string, HostTensor>,
  dtype: 'float32' | 'float64' = 'float32',
): ChunkedEncoder<Chunk> & { readonly sessions: GradSessions; release(): Promise<void> } {
  const dim = sessions.outputShape[1];
  if (typeof dim !== 'number') throw new Error('chunk encoder: the representation width must be static');
  return {
    dim,
    sessions,
    encode: async (chunk, seed) => {
      const r = await sessions.encode(feeds(chunk), seed);
      return r instanceof Float32Array ? r : Float32Array.from(r);
    },
    backward: (chunk, seed, repGrads) => sessions.backward(feeds(chunk), seed, dtype === 'float64' ? Float64Array.from(repGrads) : repGrads),
    release: () => sessions.release(),
  };
}

/** No GradCache: both sides of the whole batch and InfoNCE (logits = cos / tau) in one training graph. */
export class FullBatchStep {
  private constructor(
    private readonly model: TokenModule,
    private readonly ctx: Ctx,
    private readonly onnx: OnnxModel,
    private readonly session: Session,
    private readonly tr: TrainingOutputs,
  ) {}

  static async create(model: TokenModule, opts: EncoderOptions & { tau?: number } = {}): Promise<FullBatchStep> {
    const g = new Graph({ paramDType: opts.paramDType ?? 'float32' });
    const ctx = new Ctx(g, { train: true });
    const qIds = g.input('query_ids', 'int64', ['qbatch', 'qseq']);
    const qMask = g.input('query_mask', ctx.dtype, ['qbatch', 'qseq']);
    const tIds = g.input('target_ids', 'int64', ['tbatch', 'tseq']);
    const tMask = g.input('target_mask', ctx.dtype, ['tbatch', 'tseq']);
    const labels = g.input('labels', ctx.dtype, ['qbatch', 'tbatch']); // one-hot: query i -> candidate i
    const q = embedTokens(model, ctx, qIds, qMask);
    const t = embedTokens(model, ctx, tIds, tMask);
    const logits = o.mul(o.matmul(q, o.transpose(t, [1, 0])), 1 / (opts.tau ?? VLM2VEC_TAU));
    const loss = o.neg(o.reduceMean(o.reduceSum(o.mul(o.logSoftmax(logits, 1), labels), [1])));
    const tr = addGradients(g, { loss, extraOutputs: { logits } });
    const onnx = toOnnx(g, { outputs: tr.outputs, paramsAsInputs: 'trainable' });
    const session = await createSession(onnx.model, sessionOptions(opts));
    return new FullBatchStep(model, ctx, onnx, session, tr);
  }

  async step(batch: ContrastiveTokens, seed: number): Promise<StepResult> {
    const dtype = this.ctx.dtype;
    const cands = candidateRows(batch);
    const B = rowCount(batch.queries);
    const C = rowCount(cands);
    const labels = dtype === 'float64' ? new Float64Array(B * C) : new Float32Array(B * C);
    for (let i = 0; i < B; i++) labels[i * C + i] = 1;
    const q = tokenFeeds(batch.queries, dtype, { ids: 'query_ids', mask: 'query_mask' });
    const t = tokenFeeds(cands, dtype, { ids: 'target_ids', mask: 'target_mask' });
    const params: Record<string, HostTensor> = {};
    const want = new Set(this.onnx.paramInputs);
    for (const p of this.model.parameters()) if (want.has(p.name)) params[p.name] = { dtype, data: dtype === 'float64' ? Float64Array.from(p.data) : p.data, dims: [...p.shape] };
    const dims = { qbatch: B, qseq: batch.queries.seq, tbatch: C, tseq: cands.seq };
    const r = await this.session.run({ ...q, ...t, labels: { dtype, data: labels, dims: [B, C] }, ...this.ctx.dropoutFeeds(seed, dims), ...params });
    const logits = r.logits.data as Float32Array | Float64Array;
    let hits = 0;
    for (let i = 0; i < B; i++) {
      let best = true;
      for (let j = 0; j < C; j++) if (j !== i && logits[i * C + j] >= logits[i * C + i]) best = false;
      if (best) hits++;
    }
    const grads: Tensors = new Map();
    for (const [p, out] of this.tr.gradOutputs) {
      const d = r[out].data as Float32Array | Float64Array;
      grads.set(p, d instanceof Float32Array ? d : Float32Array.from(d));
    }
    return { loss: Number(r.loss.data[0]), accuracy: hits / B, grads };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
