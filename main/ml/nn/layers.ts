// Basic layers. Weight layout is ONNX-friendly: Linear keeps W as [in, out] (y = x W + b).
import type { Tensor } from '../graph/graph';
import * as o from '../autodiff/ops';
import type { Ctx } from './context';
import { Module } from './module';
import type { Rng } from '../random';

export interface LinearOptions {
  bias?: boolean;
  /** init std of W (default 0.02) */
  std?: number;
}

/**
 * y = x W + b, optionally with a LoRA adapter (`enableLora`): W and b frozen, trainable
 * A [in, r] and B [r, out] (B starts at zero), y += (x A) B * alpha / r.
 */
export class Linear extends Module {
  private lora: { rank: number; alpha: number; dropout: number } | undefined;

  constructor(
    name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    opts: LinearOptions = {},
  ) {
    super(name);
    this.addParam('weight', [inFeatures, outFeatures], rng.normals(inFeatures * outFeatures, opts.std ?? 0.02));
    if (opts.bias ?? true) this.addParam('bias', [outFeatures], new Float32Array(outFeatures));
  }

  enableLora(rank: number, alpha: number, rng: Rng, opts: { dropout?: number } = {}): void {
    this.ownParam('weight').trainable = false;
    if (this.hasParam('bias')) this.ownParam('bias').trainable = false;
    // A ~ kaiming-uniform-like, B = 0: the adapter starts as the identity change.
    const bound = 1 / Math.sqrt(this.inFeatures);
    const a = new Float32Array(this.inFeatures * rank).map(() => (2 * rng.uniform() - 1) * bound);
    this.addParam('lora_A', [this.inFeatures, rank], a);
    this.addParam('lora_B', [rank, this.outFeatures], new Float32Array(rank * this.outFeatures));
    this.lora = { rank, alpha, dropout: opts.dropout ?? 0 };
  }

  get hasLora(): boolean {
    return this.lora !== undefined;
  }

  /** Folds the adapter into W (W += A B alpha / r), removes A and B, and unfreezes W and b. */
  mergeLora(): void {
    const l = this.lora;
    if (!l) return;
    const w = this.ownParam('weight').data;
    const a = this.ownParam('lora_A').data;
    const b = this.ownParam('lora_B').data;
    const s = l.alpha / l.rank;
    const { inFeatures: I, outFeatures: O } = this;
    for (let i = 0; i < I; i++)
      for (let k = 0; k < l.rank; k++) {
        const aik = a[i * l.rank + k] * s;
        if (aik === 0) continue;
        for (let j = 0; j < O; j++) w[i * O + j] += aik * b[k * O + j];
      }
    this.removeParam('lora_A');
    this.removeParam('lora_B');
    this.ownParam('weight').trainable = true;
    if (this.hasParam('bias')) this.ownParam('bias').trainable = true;
    this.lora = undefined;
  }

  forward(ctx: Ctx, x: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'linear', () => {
      let y = o.matmul(x, this.p(ctx.g, 'weight'));
      if (this.hasParam('bias')) y = o.add(y, this.p(ctx.g, 'bias'));
      if (this.lora) {
        const l = this.lora;
        ctx.g.scope('lora', () => {
          const xa = o.matmul(ctx.dropout(x, l.dropout), this.p(ctx.g, 'lora_A'));
          y = o.add(y, o.mul(o.matmul(xa, this.p(ctx.g, 'lora_B')), l.alpha / l.rank));
        });
      }
      return y;
    });
  }
}

export class Embedding extends Module {
  constructor(
    name: string,
    readonly vocab: number,
    readonly dim: number,
    rng: Rng,
    std = 0.02,
  ) {
    super(name);
    this.addParam('weight', [vocab, dim], rng.normals(vocab * dim, std));
  }

  /** ids: int64 [...] -> [..., dim] */
  forward(ctx: Ctx, ids: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'embedding', () => o.gather(this.p(ctx.g, 'weight'), ids, 0));
  }
}

export class LayerNorm extends Module {
  constructor(
    name: string,
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super(name);
    this.addParam('weight', [dim], new Float32Array(dim).fill(1));
    this.addParam('bias', [dim], new Float32Array(dim));
  }

  forward(ctx: Ctx, x: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'ln', () => {
      const mean = o.reduceMean(x, [-1], true);
      const xc = o.sub(x, mean);
      const variance = o.reduceMean(o.mul(xc, xc), [-1], true);
      const xn = o.div(xc, o.sqrt(o.add(variance, this.eps)));
      return o.add(o.mul(xn, this.p(ctx.g, 'weight')), this.p(ctx.g, 'bias'));
    });
  }
}

export class RMSNorm extends Module {
  constructor(
    name: string,
    readonly dim: number,
    readonly eps = 1e-6,
  ) {
    super(name);
    this.addParam('weight', [dim], new Float32Array(dim).fill(1));
  }

  forward(ctx: Ctx, x: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'rms', () => {
      const ms = o.reduceMean(o.mul(x, x), [-1], true);
      return o.mul(o.div(x, o.sqrt(o.add(ms, this.eps))), this.p(ctx.g, 'weight'));
    });
  }
}

export type MlpKind = 'swiglu' | 'gelu';

/** swiglu: down(silu(gate(x)) * up(x)); gelu: down(gelu(up(x))) (exact erf GELU). */
export class MLP extends Module {
  readonly up: Linear;
  readonly gate: Linear | undefined;
  readonly down: Linear;

  constructor(
    name: string,
    dim: number,
    hidden: number,
    rng: Rng,
    readonly kind: MlpKind = 'swiglu',
    bias = false,
  ) {
    super(name);
    this.gate = kind === 'swiglu' ? this.addChild(new Linear(`${name}/gate`, dim, hidden, rng, { bias })) : undefined;
    this.up = this.addChild(new Linear(`${name}/up`, dim, hidden, rng, { bias }));
    this.down = this.addChild(new Linear(`${name}/down`, hidden, dim, rng, { bias }));
  }

  forward(ctx: Ctx, x: Tensor): Tensor {
    return ctx.g.scope(this.name.split('/').pop() ?? 'mlp', () => {
      const h = this.gate ? o.mul(o.silu(this.gate.forward(ctx, x)), this.up.forward(ctx, x)) : o.gelu(this.up.forward(ctx, x));
      return this.down.forward(ctx, h);
    });
  }
}
