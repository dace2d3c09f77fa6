// Causal multi-head self-attention with rotary positions and a padding mask.
import type { Dim, Tensor } from '../graph/graph';
import { typedArrayOf } from '../graph/graph';
import * as o from '../autodiff/ops';
import type { Ctx } from './context';
import { Linear } from './layers';
import { Module } from './module';
import type { Rng } from '../random';

/** Additive value for masked attention logits (finite, so fully-masked rows stay NaN-free). */
export const MASK_VALUE = -1e9;

/** A [rows, cols] table as a constant of the context dtype, sliced to the sequence length when it is symbolic. */
function table(ctx: Ctx, values: number[], rows: number, cols: number, seq: Dim, seqLen: () => Tensor, base: string, sliceBoth: boolean): Tensor {
  if (typeof seq === 'number') {
    if (seq > rows) throw new Error(`sequence length ${seq} exceeds maxSeq ${rows}`);
    // Static length: bake exactly the needed rows (and columns for square tables).
    const c = sliceBoth ? seq : cols;
    const out: number[] = [];
    for (let r = 0; r < seq; r++) for (let k = 0; k < c; k++) out.push(values[r * cols + k]);
    return ctx.g.constant(typedArrayOf(ctx.dtype, out), [seq, c], ctx.dtype, base);
  }
  const full = ctx.g.constant(typedArrayOf(ctx.dtype, values), [rows, cols], ctx.dtype, base);
  return o.sliceTo(full, seqLen(), sliceBoth ? [0, 1] : [0], sliceBoth ? [seq, seq] : [seq, cols]);
}

/**
 * The additive attention bias [batch, 1, seq, seq]: causal (key > query masked) plus padding
 * (keys where `padMask` is 0 masked). `padMask`: [batch, seq], 1 = real token, 0 = padding,
 * in the context dtype.
 */
export function attentionBias(ctx: Ctx, padMask: Tensor, maxSeq: number): Tensor {
  return ctx.g.scope('attention_bias', () => {
    const seq = padMask.shape[1];
    const causal: number[] = [];
    for (let q = 0; q < maxSeq; q++) for (let k = 0; k < maxSeq; k++) causal.push(k > q ? MASK_VALUE : 0);
    const c = table(ctx, causal, maxSeq, maxSeq, seq, () => o.dimOf(padMask, 1), 'causal', true);
    const pad = o.mul(o.sub(1, o.unsqueeze(padMask, [1, 2])), MASK_VALUE); // [B,1,1,T]
    return o.add(pad, c); // [B,1,T,T]
  });
}

/** Rotary tables (HF layout: the two halves share frequencies): cos, sin [maxSeq, headDim]. */
export function rotaryTables(maxSeq: number, headDim: number, base = 10000): { cos: number[]; sin: number[] } {
  const half = headDim / 2;
  const cos: number[] = [];
  const sin: number[] = [];
  for (let t = 0; t < maxSeq; t++) {
    for (let i = 0; i < headDim; i++) {
      const f = Math.pow(base, -(2 * (i % half)) / headDim);
      cos.push(Math.cos(t * f));
      sin.push(Math.sin(t * f));
    }
  }
  return { cos, sin };
}

/** x * cos + rotate_half(x) * sin, with rotate_half(x) = concat(-x2, x1); x: [B, H, T, hd]. */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const hd = x.shape[3] as number;
  const half = hd / 2;
  const x1 = o.slice(x, [0], [half], [3]);
  const x2 = o.slice(x, [half], [hd], [3]);
  return o.add(o.mul(x, cos), o.mul(o.concat([o.neg(x2), x1], 3), sin));
}

export interface AttentionOptions {
  maxSeq: number;
  ropeBase?: number;
  bias?: boolean;
  /** dropout on the attention probabilities */
  attnDropout?: number;
}

export class MultiHeadAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  readonly headDim: number;
  private readonly rope: { cos: number[]; sin: number[] };

  constructor(
    name: string,
    readonly dim: number,
    readonly heads: number,
    rng: Rng,
    readonly opts: AttentionOptions,
  ) {
    super(name);
    if (dim % heads) throw new Error(`dim ${dim} is not divisible by heads ${heads}`);
    this.headDim = dim / heads;
    if (this.headDim % 2) throw new Error('rotary positions need an even head dimension');
    const bias = opts.bias ?? false;
    this.q = this.addChild(new Linear(`${name}/q`, dim, dim, rng, { bias }));
    this.k = this.addChild(new Linear(`${name}/k`, dim, dim, rng, { bias }));
    this.v = this.addChild(new Linear(`${name}/v`, dim, dim, rng, { bias }));
    this.o = this.addChild(new Linear(`${name}/o`, dim, dim, rng, { bias }));
    this.rope = rotaryTables(opts.maxSeq, this.headDim, opts.ropeBase ?? 10000);
  }

  /** x: [B, T, D]; bias: attentionBias(...) [B, 1, T, T]. */
  forward(ctx: Ctx, x: Tensor, bias: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'attn', () => {
      const { heads: H, headDim: hd } = this;
      const seq = x.shape[1];
      const split = (t: Tensor): Tensor => o.transpose(o.reshape(t, [0, 0, H, hd]), [0, 2, 1, 3]); // [B,H,T,hd]
      const seqLen = (): Tensor => o.dimOf(x, 1);
      const cos = ctx.g.scope('rope', () => table(ctx, this.rope.cos, this.opts.maxSeq, hd, seq, seqLen, 'cos', false));
      const sin = ctx.g.scope('rope', () => table(ctx, this.rope.sin, this.opts.maxSeq, hd, seq, seqLen, 'sin', false));
      const qh = split(this.q.forward(ctx, x));
      const kh = split(this.k.forward(ctx, x));
      const q = ctx.g.scope('rope_q', () => applyRotary(qh, cos, sin));
      const k = ctx.g.scope('rope_k', () => applyRotary(kh, cos, sin));
      const v = split(this.v.forward(ctx, x));
      const scores = o.add(o.mul(o.matmul(q, o.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd)), bias);
      const probs = ctx.dropout(o.softmax(scores, -1), this.opts.attnDropout ?? 0);
      const ctxv = o.reshape(o.transpose(o.matmul(probs, v), [0, 2, 1, 3]), [0, 0, this.dim]);
      return this.o.forward(ctx, ctxv);
    });
  }
}
