// Pre-norm transformer blocks and a token-embedding + blocks + final-norm stack.
import type { Tensor } from '../graph/graph';
import * as o from '../autodiff/ops';
import { attentionBias, MultiHeadAttention } from './attention';
import type { Ctx } from './context';
import { Embedding, LayerNorm, MLP, RMSNorm } from './layers';
import type { MlpKind } from './layers';
import { Module } from './module';
import { Rng } from '../random';

export interface TransformerConfig {
  vocab: number;
  dim: number;
  heads: number;
  layers: number;
  mlpHidden: number;
  maxSeq: number;
  norm?: 'rms' | 'layer';
  mlp?: MlpKind;
  /** residual dropout (after attention and MLP) */
  dropout?: number;
  attnDropout?: number;
  ropeBase?: number;
  /** attention/MLP projections with bias (default false) */
  bias?: boolean;
  normEps?: number;
}

const makeNorm = (name: string, cfg: TransformerConfig): RMSNorm | LayerNorm =>
  cfg.norm === 'layer' ? new LayerNorm(name, cfg.dim, cfg.normEps ?? 1e-5) : new RMSNorm(name, cfg.dim, cfg.normEps ?? 1e-6);

/** x + drop(attn(norm1(x))); then x + drop(mlp(norm2(x))). */
export class TransformerBlock extends Module {
  readonly norm1: RMSNorm | LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: RMSNorm | LayerNorm;
  readonly mlp: MLP;

  constructor(
    name: string,
    readonly cfg: TransformerConfig,
    rng: Rng,
  ) {
    super(name);
    this.norm1 = this.addChild(makeNorm(`${name}/norm1`, cfg));
    this.attn = this.addChild(
      new MultiHeadAttention(`${name}/attn`, cfg.dim, cfg.heads, rng, { maxSeq: cfg.maxSeq, bias: cfg.bias ?? false, attnDropout: cfg.attnDropout ?? 0, ropeBase: cfg.ropeBase ?? 10000 }),
    );
    this.norm2 = this.addChild(makeNorm(`${name}/norm2`, cfg));
    this.mlp = this.addChild(new MLP(`${name}/mlp`, cfg.dim, cfg.mlpHidden, rng, cfg.mlp ?? 'swiglu', cfg.bias ?? false));
  }

  forward(ctx: Ctx, x: Tensor, bias: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'block', () => {
      const p = this.cfg.dropout ?? 0;
      const h = o.add(x, ctx.dropout(this.attn.forward(ctx, this.norm1.forward(ctx, x), bias), p));
      return o.add(h, ctx.dropout(this.mlp.forward(ctx, this.norm2.forward(ctx, h)), p));
    });
  }
}

/** Token embedding -> blocks -> final norm. Parameter names: 'embed/weight', 'block0/attn/q/weight', ..., 'norm/weight'. */
export class Transformer extends Module {
  readonly embed: Embedding;
  readonly blocks: TransformerBlock[];
  readonly norm: RMSNorm | LayerNorm;

  constructor(
    readonly cfg: TransformerConfig,
    seed = 0,
    name = '',
  ) {
    super(name);
    const rng = new Rng(seed);
    const pre = name ? `${name}/` : '';
    this.embed = this.addChild(new Embedding(`${pre}embed`, cfg.vocab, cfg.dim, rng));
    this.blocks = Array.from({ length: cfg.layers }, (_v, i) => this.addChild(new TransformerBlock(`${pre}block${i}`, cfg, rng)));
    this.norm = this.addChild(makeNorm(`${pre}norm`, cfg));
  }

  /** Hidden states [B, T, D] from embeddings [B, T, D] (e.g. visual tokens already prepended). */
  forwardEmbeddings(ctx: Ctx, x: Tensor, padMask: Tensor): Tensor {
    return this.scoped(ctx, () => {
      const bias = attentionBias(ctx, padMask, this.cfg.maxSeq);
      let h = x;
      for (const b of this.blocks) h = b.forward(ctx, h, bias);
      return this.norm.forward(ctx, h);
    });
  }

  /** Node names follow parameter names: under `name/` when the stack has a name. */
  private scoped<R>(ctx: Ctx, fn: () => R): R {
    return this.name ? ctx.g.scope(this.name, fn) : fn();
  }

  /** ids: int64 [B, T]; padMask: [B, T] (1 real, 0 pad) in the context dtype. */
  forward(ctx: Ctx, ids: Tensor, padMask: Tensor): Tensor {
    const x = this.scoped(ctx, () => this.embed.forward(ctx, ids));
    return this.forwardEmbeddings(ctx, x, padMask);
  }
}

/** The hidden state of each row's last real token (right padding): [B, T, D] -> [B, D]. */
export function lastTokenPool(h: Tensor, padMask: Tensor): Tensor {
  return h.graph.scope('last_token', () => {
    // w[t] = mask[t] * (1 - mask[t+1]) selects the last 1 of each row.
    const next = o.pad(o.slice(padMask, [1], [2 ** 31 - 1], [1]), [0, 0, 0, 1]);
    const w = o.mul(padMask, o.sub(1, next));
    return o.reduceSum(o.mul(h, o.unsqueeze(w, [2])), [1]);
  });
}

/** x / sqrt(sum(x^2, axis) + eps). */
export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  return x.graph.scope('l2norm', () => o.div(x, o.sqrt(o.add(o.reduceSum(o.mul(x, x), [axis], true), eps))));
}
