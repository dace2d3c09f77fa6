// GradCache through the public API: the no-grad forward graph (symbolic batch) for every
// chunk, the loss gradient w.r.t. the gathered representations, then a per-chunk graph that
// back-propagates fed representation gradients ('seed:<output>' inputs) -- the accumulated
// parameter gradients must equal the full-batch gradient. Also a float64 finite-difference
// check of a LayerNorm/LoRA transformer block's parameter gradients.
import { describe, expect, it } from 'vitest';
import { Graph } from '../../../main/ml/graph/graph';
import type { Tensor } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { grad } from '../../../main/ml/autodiff/grad';
import { addGradients } from '../../../main/ml/autodiff/training';
import { GradSessions } from '../../../main/ml/runtime/grad-sessions';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';
import type { HostTensor } from '../../../main/ml/runtime/session';
import { Ctx } from '../../../main/ml/nn/context';
import { Rng } from '../../../main/ml/random';
import { Transformer, l2Normalize, lastTokenPool } from '../../../main/ml/nn/transformer';
import type { TransformerConfig } from '../../../main/ml/nn/transformer';

const cfg: TransformerConfig = { vocab: 11, dim: 8, heads: 2, layers: 2, mlpHidden: 16, maxSeq: 6, dropout: 0.1 };
const N = 4;
const T = 4;
const ids = BigInt64Array.from([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 0, 10, 1, 2, 3].map(BigInt));
const mask = Float32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
const Q = new Rng(3).normals(N * cfg.dim, 1);

function embedGraph(model: Transformer, batch: number | string, train: boolean): { g: Graph; ctx: Ctx; reps: Tensor } {
  const g = new Graph();
  const ctx = new Ctx(g, { train });
  const idsT = g.input('input_ids', 'int64', [batch, T]);
  const maskT = g.input('attention_mask', 'float32', [batch, T]);
  const reps = l2Normalize(lastTokenPool(model.forward(ctx, idsT, maskT), maskT));
  return { g, ctx, reps };
}

/** loss(reps) = -sum_i log_softmax(reps Q^T / 0.05)[i, i] (an InfoNCE stand-in). */
function lossOf(reps: Tensor): Tensor {
  const q = reps.graph.constant(Q, [N, cfg.dim], 'float32', 'Q');
  const logits = o.mul(o.matmul(reps, o.transpose(q, [1, 0])), 1 / 0.05);
  const eye = reps.graph.constant(Float32Array.from({ length: N * N }, (_v, i) => (i % (N + 1) === 0 ? 1 : 0)), [N, N], 'float32', 'eye');
  return o.neg(o.reduceSum(o.mul(o.logSoftmax(logits, 1), eye)));
}

const rows = <A extends { slice(s: number, e: number): A }>(a: A, from: number, to: number, width: number): A => a.slice(from * width, to * width);

describe('GradCache with seeded backward graphs', () => {
  it('chunked gradients (chunks of 2, symbolic batch, replayed dropout) equal the full-batch gradient', async () => {
    const model = new Transformer(cfg, 11);
    model.blocks[1].attn.v.enableLora(2, 2, new Rng(1));
    for (const p of model.parameters()) if (p.name.endsWith('lora_B')) p.data.set(new Rng(2).normals(p.data.length, 0.3));
    const paramFeeds = (names: string[]): Record<string, HostTensor> =>
      Object.fromEntries(model.parameters().filter((p) => names.includes(p.name)).map((p) => [p.name, { dtype: 'float32', data: p.data, dims: [...p.shape] }]));
    const dropSeed = (chunk: number): number => 1000 + chunk;

    // Full batch: loss and gradients in one graph (dropout masks = the chunks' masks, concatenated).
    const full = embedGraph(model, N, true);
    const fullLoss = lossOf(full.reps);
    const tr = addGradients(full.g, { loss: fullLoss });
    const fullOnnx = toOnnx(full.g, { outputs: tr.outputs, paramsAsInputs: 'trainable' });
    const fullSess = await createSession(fullOnnx.model, { providers: ['cpu'] });

    // Per-chunk graphs with symbolic batch: no-grad forward and seeded backward.
    const fwd = embedGraph(model, 'batch', true);
    const fwdOnnx = toOnnx(fwd.g, { outputs: { reps: fwd.reps }, paramsAsInputs: 'trainable' });
    const bwd = embedGraph(model, 'batch', true);
    const btr = addGradients(bwd.g, { seedOutputs: { reps: bwd.reps } });
    const bwdOnnx = toOnnx(bwd.g, { outputs: btr.outputs, paramsAsInputs: 'trainable' });
    const fwdSess = await createSession(fwdOnnx.model, { providers: ['cpu'] });
    const bwdSess = await createSession(bwdOnnx.model, { providers: ['cpu'] });

    const chunkFeeds = (c: number, ctx: Ctx): Record<string, HostTensor> => ({
      input_ids: { dtype: 'int64', data: rows(ids, 2 * c, 2 * c + 2, T), dims: [2, T] },
      attention_mask: { dtype: 'float32', data: rows(mask, 2 * c, 2 * c + 2, T), dims: [2, T] },
      ...ctx.dropoutFeeds(dropSeed(c), { batch: 2 }),
    });

    // 1. forward every chunk without gradients
    const reps = new Float32Array(N * cfg.dim);
    for (let c = 0; c < 2; c++) {
      const r = await fwdSess.run({ ...chunkFeeds(c, fwd.ctx), ...paramFeeds(fwdOnnx.paramInputs) });
      reps.set(r.reps.data as Float32Array, c * 2 * cfg.dim);
    }
    // 2. loss gradient w.r.t. the gathered representations
    const lg = new Graph();
    const repsIn = lg.input('reps', 'float32', [N, cfg.dim]);
    const l = lossOf(repsIn);
    const [dReps] = grad(l, [repsIn]);
    const lSess = await createSession(toOnnx(lg, { outputs: { loss: l, d_reps: dReps } }).model, { providers: ['cpu'] });
    const lr = await lSess.run({ reps: { dtype: 'float32', data: reps, dims: [N, cfg.dim] } });
    const dRepsData = lr.d_reps.data as Float32Array;
    // 3. per chunk: recompute with the same dropout seed, back-propagate the cached gradients, accumulate
    const acc = new Map<string, Float32Array>();
    for (let c = 0; c < 2; c++) {
      const r = await bwdSess.run({
        ...chunkFeeds(c, bwd.ctx),
        ...paramFeeds(bwdOnnx.paramInputs),
        [btr.seedInputs.get('reps')!]: { dtype: 'float32', data: dRepsData.slice(c * 2 * cfg.dim, (c + 1) * 2 * cfg.dim), dims: [2, cfg.dim] },
      });
      for (const [p, out] of btr.gradOutputs) {
        const gdat = r[out].data as Float32Array;
        const a = acc.get(p) ?? new Float32Array(gdat.length);
        for (let i = 0; i < gdat.length; i++) a[i] += gdat[i];
        acc.set(p, a);
      }
    }

    // Full-batch run with the chunk masks laid side by side along the batch axis.
    const fullDrop: Record<string, HostTensor> = {};
    const d0 = bwd.ctx.dropoutFeeds(dropSeed(0), { batch: 2 });
    const d1 = bwd.ctx.dropoutFeeds(dropSeed(1), { batch: 2 });
    bwd.ctx.dropoutSites.forEach((s, i) => {
      const a = d0[s.name].data as Float32Array;
      const b = d1[s.name].data as Float32Array;
      const data = new Float32Array(a.length + b.length);
      data.set(a);
      data.set(b, a.length);
      fullDrop[full.ctx.dropoutSites[i].name] = { dtype: 'float32', data, dims: [N, ...(s.shape.slice(1) as number[])] };
    });
    const fr = await fullSess.run({
      input_ids: { dtype: 'int64', data: ids, dims: [N, T] },
      attention_mask: { dtype: 'float32', data: mask, dims: [N, T] },
      ...fullDrop,
      ...paramFeeds(fullOnnx.paramInputs),
    });
    expect(Math.abs(Number(fr.loss.data[0]) - Number(lr.loss.data[0]))).toBeLessThan(1e-4);
    expect(btr.gradOutputs.size).toBe(model.parameters().filter((p) => p.trainable).length);
    for (const [p, out] of tr.gradOutputs) {
      const ref = fr[out].data as Float32Array;
      const got = acc.get(p)!;
      let d = 0;
      let m = 0;
      for (let i = 0; i < ref.length; i++) {
        d = Math.max(d, Math.abs(ref[i] - got[i]));
        m = Math.max(m, Math.abs(ref[i]));
      }
      expect(d / m, p).toBeLessThan(1e-4);
    }
    for (const s of [fullSess, fwdSess, bwdSess, lSess]) await s.release();
  });
});

describe('nn block in float64 vs finite differences', () => {
  it('LayerNorm + SwiGLU + LoRA transformer: parameter gradients (< 1e-6 relative)', async () => {
    const c: TransformerConfig = { vocab: 7, dim: 4, heads: 2, layers: 1, mlpHidden: 6, maxSeq: 4, norm: 'layer' };
    const model = new Transformer(c, 5);
    model.blocks[0].attn.o.enableLora(2, 2, new Rng(4));
    const rng = new Rng(8);
    for (const p of model.parameters()) for (let i = 0; i < p.data.length; i++) p.data[i] += rng.normal() * 0.3;
    const g = new Graph({ paramDType: 'float64' });
    const ctx = new Ctx(g);
    const idsT = g.constant(BigInt64Array.from([1, 2, 3, 4, 5, 6].map(BigInt)), [2, 3], 'int64', 'ids');
    const maskT = g.constant(Float64Array.from([1, 1, 1, 1, 1, 0]), [2, 3], 'float64', 'mask');
    const h = model.forward(ctx, idsT, maskT);
    const r = g.constant(Float64Array.from(new Rng(9).normals(2 * 3 * 4, 1)), [2, 3, 4], 'float64', 'R');
    const loss = o.reduceSum(o.mul(h, r));
    // every parameter, the frozen LoRA base weight included
    const tr = addGradients(g, { loss, params: [...g.params.values()] });
    const onnx = toOnnx(g, { outputs: tr.outputs, paramsAsInputs: 'all' });
    const fwdOnnx = toOnnx(g, { outputs: { loss }, paramsAsInputs: 'all' });
    // 'basic': ORT's extended fusions (QuickGelu for x*sigmoid(x)) have float-only kernels.
    const s = await createSession(onnx.model, { providers: ['cpu'], graphOptimizationLevel: 'basic' });
    const sf = await createSession(fwdOnnx.model, { providers: ['cpu'], graphOptimizationLevel: 'basic' });
    const vals = new Map(model.parameters().map((p) => [p.name, Float64Array.from(p.data)]));
    const feeds = (): Record<string, HostTensor> => Object.fromEntries(model.parameters().map((p) => [p.name, { dtype: 'float64', data: vals.get(p.name)!, dims: [...p.shape] }]));
    const res = await s.run(feeds());
    const hstep = 1e-5;
    for (const p of model.parameters()) {
      const an = res[tr.gradOutputs.get(p.name)!].data as Float64Array;
      const v = vals.get(p.name)!;
      let d = 0;
      let m = 0;
      for (let i = 0; i < v.length; i++) {
        const x0 = v[i];
        v[i] = x0 + hstep;
        const lp = Number((await sf.run(feeds())).loss.data[0]);
        v[i] = x0 - hstep;
        const lm = Number((await sf.run(feeds())).loss.data[0]);
        v[i] = x0;
        const fd = (lp - lm) / (2 * hstep);
        d = Math.max(d, Math.abs(fd - an[i]));
        m = Math.max(m, Math.abs(fd));
      }
      expect(m, `${p.name} gradient is non-zero`).toBeGreaterThan(0);
      expect(d / m, p.name).toBeLessThan(1e-6);
    }
    await s.release();
    await sf.release();
  });
});

describe('GradSessions (forward + seeded backward sessions for a module)', () => {
  it('chunked backward sums to the whole-batch backward; the same seed replays dropout', async () => {
    const mk = async (dropout: number): Promise<{ gs: GradSessions; model: Transformer }> => {
      const model = new Transformer({ ...cfg, dropout }, 21);
      const gs = await GradSessions.create({
        module: model,
        build: (ctx) => {
          const idsT = ctx.g.input('input_ids', 'int64', ['batch', T]);
          const maskT = ctx.g.input('attention_mask', 'float32', ['batch', T]);
          return l2Normalize(lastTokenPool(model.forward(ctx, idsT, maskT), maskT));
        },
      });
      return { gs, model };
    };
    const feeds = (from: number, to: number): Record<string, HostTensor> => ({
      input_ids: { dtype: 'int64', data: rows(ids, from, to, T), dims: [to - from, T] },
      attention_mask: { dtype: 'float32', data: rows(mask, from, to, T), dims: [to - from, T] },
    });
    const { gs, model } = await mk(0);
    expect(gs.report.provider).toBe('cpu');
    const reps = await gs.encode(feeds(0, N), 1);
    expect(reps.length).toBe(N * cfg.dim);
    const whole = await gs.backward(feeds(0, N), 1, Q);
    const a = await gs.backward(feeds(0, 1), 1, Q.slice(0, cfg.dim));
    const b = await gs.backward(feeds(1, N), 1, Q.slice(cfg.dim));
    expect([...whole.keys()].sort()).toEqual(model.parameters().map((p) => p.name).sort());
    for (const [name, w] of whole) {
      const s = Float32Array.from(w, (_v, i) => a.get(name)![i] + b.get(name)![i]);
      let d = 0;
      let m = 0;
      for (let i = 0; i < w.length; i++) {
        d = Math.max(d, Math.abs(w[i] - s[i]));
        m = Math.max(m, Math.abs(w[i]));
      }
      expect(d / Math.max(m, 1e-12), name).toBeLessThan(1e-4);
    }
    await gs.release();

    const { gs: gd } = await mk(0.3);
    const r1 = await gd.encode(feeds(0, 2), 5);
    const r2 = await gd.encode(feeds(0, 2), 5);
    const r3 = await gd.encode(feeds(0, 2), 6);
    expect(Array.from(r2)).toEqual(Array.from(r1));
    expect(Array.from(r3)).not.toEqual(Array.from(r1));
    await gd.release();
  });
});
