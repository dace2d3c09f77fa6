// Forward and "backward from fed output gradients" sessions for one model, with the
// parameter feeding and dropout replay done for you. Shaped for GradCache
// (main/ml/train/grad-cache.ts ChunkedEncoder): encode(chunk, seed) / backward(chunk, seed, repGrads).
import type { Shape, Tensor } from '../graph/graph';
import { Graph, resolveDim } from '../graph/graph';
import { toOnnx } from '../graph/onnx-writer';
import type { OnnxModel } from '../graph/onnx-writer';
import { addGradients } from '../autodiff/training';
import type { TrainingOutputs } from '../autodiff/training';
import { Ctx } from '../nn/context';
import type { Module } from '../nn/module';
import { createSession } from './session';
import type { HostTensor, Session, SessionOptions } from './session';

export type Feeds = Record<string, HostTensor>;

export interface GradSessionsOptions {
  /** the model whose trainable parameters get gradients (their current arrays are fed every run) */
  module: Module;
  /**
   * Builds the graph's data inputs and the output to differentiate, e.g. the L2-normalised
   * representations [batch, dim]. Called twice (forward graph, backward graph); use symbolic
   * dims ('batch') so that one session serves every chunk size.
   */
  build: (ctx: Ctx) => Tensor;
  session?: SessionOptions;
  /** graph dtype (default float32) */
  paramDType?: 'float32' | 'float64';
}

function symbolDims(inputs: readonly { name: string; shape: Shape }[], feeds: Feeds): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const i of inputs) {
    const f = feeds[i.name];
    if (!f) continue;
    i.shape.forEach((d, k) => {
      if (typeof d === 'string') dims[d] = f.dims[k];
    });
  }
  return dims;
}

export class GradSessions {
  private constructor(
    private readonly module: Module,
    private readonly fwd: { ctx: Ctx; onnx: OnnxModel; session: Session; inputs: { name: string; shape: Shape }[] },
    private readonly bwd: { ctx: Ctx; onnx: OnnxModel; session: Session; inputs: { name: string; shape: Shape }[]; tr: TrainingOutputs },
    readonly outputShape: Shape,
  ) {}

  /** Frozen (non-trainable) parameters are baked into the graphs when this is called. */
  static async create(o: GradSessionsOptions): Promise<GradSessions> {
    const make = (): { g: Graph; ctx: Ctx; out: Tensor } => {
      const g = new Graph({ paramDType: o.paramDType ?? 'float32' });
      const ctx = new Ctx(g, { train: true });
      return { g, ctx, out: o.build(ctx) };
    };
    const f = make();
    const fOnnx = toOnnx(f.g, { outputs: { output: f.out }, paramsAsInputs: 'trainable' });
    const b = make();
    const tr = addGradients(b.g, { seedOutputs: { output: b.out } });
    const bOnnx = toOnnx(b.g, { outputs: tr.outputs, paramsAsInputs: 'trainable' });
    const opts = o.session ?? { providers: ['cpu'] };
    const [fs, bs] = await Promise.all([createSession(fOnnx.model, opts), createSession(bOnnx.model, opts)]);
    return new GradSessions(
      o.module,
      { ctx: f.ctx, onnx: fOnnx, session: fs, inputs: f.g.inputs },
      { ctx: b.ctx, onnx: bOnnx, session: bs, inputs: b.g.inputs, tr },
      f.out.shape,
    );
  }

  /** The providers the sessions run on. */
  get report(): Session['report'] {
    return this.fwd.session.report;
  }

  private paramFeeds(names: readonly string[]): Feeds {
    const want = new Set(names);
    const dtype = this.fwd.ctx.dtype;
    const out: Feeds = {};
    for (const p of this.module.parameters()) if (want.has(p.name)) out[p.name] = { dtype, data: dtype === 'float64' ? Float64Array.from(p.data) : p.data, dims: [...p.shape] };
    for (const n of names) if (!out[n]) throw new Error(`GradSessions: parameter ${n} is not in the module`);
    return out;
  }

  /** Forward only; dropout masks drawn from `seed`. Returns the output's data. */
  async encode(feeds: Feeds, seed: number): Promise<Float32Array> {
    const dims = symbolDims(this.fwd.inputs, feeds);
    const r = await this.fwd.session.run({ ...feeds, ...this.fwd.ctx.dropoutFeeds(seed, dims), ...this.paramFeeds(this.fwd.onnx.paramInputs) });
    return r.output.data as Float32Array;
  }

  /**
   * Recomputes the forward with the same `seed` (same dropout masks) and back-propagates
   * `outputGrads` (d loss / d output, the output's shape): parameter gradients by name.
   */
  async backward(feeds: Feeds, seed: number, outputGrads: Float32Array | Float64Array): Promise<Map<string, Float32Array>> {
    const dims = symbolDims(this.bwd.inputs, feeds);
    const shape = this.outputShape.map((d) => resolveDim(d, dims));
    const seedName = this.bwd.tr.seedInputs.get('output') as string;
    const r = await this.bwd.session.run({
      ...feeds,
      ...this.bwd.ctx.dropoutFeeds(seed, dims),
      ...this.paramFeeds(this.bwd.onnx.paramInputs),
      [seedName]: { dtype: this.bwd.ctx.dtype, data: outputGrads, dims: shape },
    });
    const grads = new Map<string, Float32Array>();
    for (const [p, out] of this.bwd.tr.gradOutputs) {
      const d = r[out].data as Float32Array | Float64Array;
      grads.set(p, d instanceof Float32Array ? d : Float32Array.from(d));
    }
    return grads;
  }

  async release(): Promise<void> {
    await Promise.all([this.fwd.session.release(), this.bwd.session.release()]);
  }
}
