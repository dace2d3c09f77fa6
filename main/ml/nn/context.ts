// The forward-pass context: the graph, train/eval mode, and the dropout masks the graph reads.
//
// Dropout randomness is NOT generated inside the graph: each dropout site becomes a graph
// input ('<scope>/dropout_mask', values 0 or 1/(1-p)) filled from a seeded PRNG in JS by
// `dropoutFeeds(seed, dims)`. Feeding the same seed replays the same masks exactly, which is
// what GradCache's second (recompute) forward needs.
import type { DType, Graph, Shape, Tensor } from '../graph/graph';
import { resolveDim } from '../graph/graph';
import * as o from '../autodiff/ops';
import { Rng } from '../random';

export interface DropoutSite {
  name: string;
  shape: Shape;
  p: number;
  dtype: DType;
}

export class Ctx {
  readonly dropoutSites: DropoutSite[] = [];
  constructor(
    readonly g: Graph,
    readonly opts: { train?: boolean } = {},
  ) {}

  get train(): boolean {
    return this.opts.train ?? false;
  }

  /** The float dtype of this graph's parameters and activations. */
  get dtype(): 'float32' | 'float64' {
    return this.g.paramDType;
  }

  /** Inverted dropout with a fed mask; identity in eval mode or when p = 0. */
  dropout(x: Tensor, p: number): Tensor {
    if (!this.train || p <= 0) return x;
    const name = this.g.uniqueName('dropout_mask', false);
    const mask = this.g.input(name, x.dtype, x.shape);
    this.dropoutSites.push({ name, shape: x.shape, p, dtype: x.dtype });
    return o.mul(x, mask);
  }

  /**
   * Masks for every dropout site, drawn from `seed` in site order. `dims` resolves symbolic
   * dimensions (e.g. { batch: 8, seq: 32 }).
   */
  dropoutFeeds(seed: number, dims: Record<string, number> = {}): Record<string, { dtype: DType; data: Float32Array | Float64Array; dims: number[] }> {
    const rng = new Rng(seed);
    const out: Record<string, { dtype: DType; data: Float32Array | Float64Array; dims: number[] }> = {};
    for (const s of this.dropoutSites) {
      const shape = s.shape.map((d) => resolveDim(d, dims));
      const n = shape.reduce((a, b) => a * b, 1);
      const data = s.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
      fillDropoutMask(data, s.p, rng);
      out[s.name] = { dtype: s.dtype, data, dims: shape };
    }
    return out;
  }
}

/**
 * Inverted-dropout mask: 0 with probability p, else 1/(1-p). Two 16-bit draws per uint32
 * (p resolved to 1/65536): mask generation is a noticeable part of a training step in JS.
 */
export function fillDropoutMask(data: Float32Array | Float64Array, p: number, rng: Rng): void {
  const keep = 1 / (1 - p);
  const threshold = Math.round(p * 65536);
  const n = data.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const u = rng.nextU32();
    data[i] = (u & 0xffff) < threshold ? 0 : keep;
    data[i + 1] = u >>> 16 < threshold ? 0 : keep;
  }
  if (i < n) data[i] = (rng.nextU32() & 0xffff) < threshold ? 0 : keep;
}
