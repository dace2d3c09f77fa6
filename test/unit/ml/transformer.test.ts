// A 2-block transformer (RMSNorm, rotary causal attention with padding mask, SwiGLU, LoRA,
// replayable dropout): parameter gradients from our autodiff + ORT vs tfjs (cpu backend) as
// an independent oracle; and the forward-only inference graph (symbolic batch and sequence)
// against the training graph's forward.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Graph } from '../../../main/ml/graph/graph';
import type { Tensor } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { grad } from '../../../main/ml/autodiff/grad';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';
import type { HostTensor } from '../../../main/ml/runtime/session';
import { Ctx } from '../../../main/ml/nn/context';
import { Rng } from '../../../main/ml/random';
import { Transformer, l2Normalize, lastTokenPool } from '../../../main/ml/nn/transformer';
import type { TransformerConfig } from '../../../main/ml/nn/transformer';
import { MASK_VALUE, rotaryTables } from '../../../main/ml/nn/attention';

const cfg: TransformerConfig = { vocab: 13, dim: 8, heads: 2, layers: 2, mlpHidden: 12, maxSeq: 8, dropout: 0.2, attnDropout: 0.1 };
const B = 3;
const T = 5;
const ids = BigInt64Array.from([1, 4, 7, 2, 9, 3, 3, 12, 0, 0, 5, 6, 0, 0, 0].map(BigInt));
const mask = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0]);

function makeModel(): Transformer {
  const m = new Transformer(cfg, 7);
  const rng = new Rng(99);
  m.blocks[0].attn.q.enableLora(2, 4, rng);
  m.blocks[1].mlp.down.enableLora(2, 4, rng);
  // Randomise everything (LoRA B starts at zero; norms at one) so every gradient is non-trivial.
  for (const p of m.parameters()) for (let i = 0; i < p.data.length; i++) p.data[i] = rng.normal() * (p.name.endsWith('norm1/weight') || p.name.endsWith('norm2/weight') || p.name === 'norm/weight' ? 0.3 : 0.4) + (p.name.includes('norm') ? 1 : 0);
  return m;
}

function buildGraph(model: Transformer, train: boolean, symbolic: boolean): { g: Graph; ctx: Ctx; out: Tensor; rTensor?: Tensor } {
  const g = new Graph({ name: train ? 'train' : 'embed' });
  const ctx = new Ctx(g, { train });
  const idsT = g.input('input_ids', 'int64', symbolic ? ['batch', 'seq'] : [B, T]);
  const maskT = g.input('attention_mask', 'float32', symbolic ? ['batch', 'seq'] : [B, T]);
  const h = model.forward(ctx, idsT, maskT);
  const out = l2Normalize(lastTokenPool(h, maskT));
  return { g, ctx, out };
}

const R = new Rng(5).normals(B * cfg.dim, 1);

// ---------------------------------------------------------------------------------------
// tfjs oracle: the same model written by hand.
function tfLoss(P: Record<string, tf.Tensor>, drop: Record<string, Float32Array>, sites: string[]): tf.Scalar {
  const { dim: D, heads: H } = cfg;
  const hd = D / H;
  let site = 0;
  const nextMask = (shape: number[]): tf.Tensor => tf.tensor(drop[sites[site++]], shape);
  const rms = (x: tf.Tensor, w: string): tf.Tensor => tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), 1e-6))), P[w]);
  // tfjs 4.22 mis-shapes the gradient of a broadcast 3-D x 2-D matMul, so fold to 2-D.
  const mm = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => {
    const s = x.shape;
    return tf.reshape(tf.matMul(tf.reshape(x, [-1, s[s.length - 1]]) as tf.Tensor2D, w as tf.Tensor2D), [...s.slice(0, -1), w.shape[1] as number]);
  };
  const linear = (x: tf.Tensor, n: string): tf.Tensor => {
    let y = mm(x, P[`${n}/weight`]);
    if (P[`${n}/bias`]) y = tf.add(y, P[`${n}/bias`]);
    if (P[`${n}/lora_A`]) y = tf.add(y, tf.mul(mm(mm(x, P[`${n}/lora_A`]), P[`${n}/lora_B`]), 4 / 2));
    return y;
  };
  const { cos, sin } = rotaryTables(cfg.maxSeq, hd);
  const cosT = tf.tensor(cos.slice(0, T * hd), [T, hd]);
  const sinT = tf.tensor(sin.slice(0, T * hd), [T, hd]);
  const rope = (x: tf.Tensor): tf.Tensor => {
    const [x1, x2] = tf.split(x, 2, 3);
    return tf.add(tf.mul(x, cosT), tf.mul(tf.concat([tf.neg(x2), x1], 3), sinT));
  };
  const causal: number[] = [];
  for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) causal.push(k > q ? MASK_VALUE : 0);
  const m = tf.tensor(mask, [B, T]);
  const bias = tf.add(tf.reshape(tf.mul(tf.sub(1, m), MASK_VALUE), [B, 1, 1, T]), tf.tensor(causal, [T, T]));
  const split = (x: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]);

  let x: tf.Tensor = tf.gather(P['embed/weight'], tf.tensor(Array.from(ids, Number), [B, T], 'int32'));
  for (let i = 0; i < cfg.layers; i++) {
    const pre = `block${i}`;
    const h = rms(x, `${pre}/norm1/weight`);
    const q = rope(split(linear(h, `${pre}/attn/q`)));
    const k = rope(split(linear(h, `${pre}/attn/k`)));
    const v = split(linear(h, `${pre}/attn/v`));
    const scores = tf.add(tf.mul(tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true), 1 / Math.sqrt(hd)), bias);
    const probs = tf.mul(tf.softmax(scores), nextMask([B, H, T, T]));
    const att = linear(tf.reshape(tf.transpose(tf.matMul(probs as tf.Tensor4D, v as tf.Tensor4D), [0, 2, 1, 3]), [B, T, D]), `${pre}/attn/o`);
    x = tf.add(x, tf.mul(att, nextMask([B, T, D])));
    const h2 = rms(x, `${pre}/norm2/weight`);
    const gate = linear(h2, `${pre}/mlp/gate`);
    const mlp = linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), linear(h2, `${pre}/mlp/up`)), `${pre}/mlp/down`);
    x = tf.add(x, tf.mul(mlp, nextMask([B, T, D])));
  }
  x = rms(x, 'norm/weight');
  const next = tf.concat([tf.slice(m, [0, 1], [B, T - 1]), tf.zeros([B, 1])], 1);
  const w = tf.mul(m, tf.sub(1, next));
  const pooled = tf.sum(tf.mul(x, tf.reshape(w, [B, T, 1])), 1);
  const normed = tf.div(pooled, tf.sqrt(tf.add(tf.sum(tf.mul(pooled, pooled), -1, true), 1e-12)));
  return tf.sum(tf.mul(normed, tf.tensor(R, [B, cfg.dim]))) as tf.Scalar;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return m === 0 ? d : d / m;
}

describe('2-block transformer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('parameter gradients match tfjs (< 1e-4 relative, float32)', async () => {
    const model = makeModel();
    const { g, ctx, out } = buildGraph(model, true, false);
    const loss = o.reduceSum(o.mul(out, g.constant(R, [B, cfg.dim], 'float32', 'R')));
    const params = [...g.params.values()];
    expect(params.length).toBe(model.parameters().length);
    const grads = grad(loss, params.map((p) => p.tensor));
    const outputs: Record<string, Tensor> = { loss };
    params.forEach((p, i) => (outputs[`grad:${p.name}`] = grads[i]));
    const onnx = toOnnx(g, { outputs, paramsAsInputs: 'all' });
    expect(g.nodes.some((n) => n.name === 'block0/attn/q/MatMul')).toBe(true);
    expect(g.nodes.some((n) => n.name.startsWith('grad/block1/mlp/down/'))).toBe(true);

    const sess = await createSession(onnx.model, { providers: ['cpu'], intraOpNumThreads: 1 });
    const drop = ctx.dropoutFeeds(1234);
    expect(ctx.dropoutSites.length).toBe(3 * cfg.layers);
    const feeds: Record<string, HostTensor> = { input_ids: { dtype: 'int64', data: ids, dims: [B, T] }, attention_mask: { dtype: 'float32', data: mask, dims: [B, T] }, ...drop };
    for (const p of model.parameters()) feeds[p.name] = { dtype: 'float32', data: p.data, dims: [...p.shape] };
    const res = await sess.run(feeds);

    // Replaying the seed gives identical masks (what GradCache's recompute relies on).
    const again = ctx.dropoutFeeds(1234);
    for (const k of Object.keys(drop)) expect(again[k].data).toEqual(drop[k].data);

    const names = model.parameters().map((p) => p.name);
    const dropData = Object.fromEntries(Object.entries(drop).map(([k, v]) => [k, v.data as Float32Array]));
    const sites = ctx.dropoutSites.map((s) => s.name);
    const tfParams = model.parameters().map((p) => tf.tensor(p.data, [...p.shape]));
    const { value, grads: tfGrads } = tf.tidy(() => {
      const f = (...ps: tf.Tensor[]): tf.Scalar => tfLoss(Object.fromEntries(names.map((n, i) => [n, ps[i]])), dropData, sites);
      const gfn = tf.valueAndGrads(f);
      const r = gfn(tfParams);
      return { value: r.value.dataSync()[0], grads: r.grads.map((t) => t.dataSync().slice()) };
    });
    expect(Math.abs(Number(res.loss.data[0]) - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
    const worst: [string, number][] = [];
    names.forEach((n, i) => {
      const ours = res[`grad:${n}`].data as Float32Array;
      const err = relErr(ours, tfGrads[i] as Float32Array);
      worst.push([n, err]);
      expect(err, n).toBeLessThan(1e-4);
      expect(Math.max(...Array.from(tfGrads[i] as Float32Array, Math.abs)), `${n} has a non-zero gradient`).toBeGreaterThan(0);
    });
    worst.sort((a, b) => b[1] - a[1]);
    console.log(`transformer grads vs tfjs: ${names.length} params, worst ${worst[0][0]} ${worst[0][1].toExponential(2)}`);
    await sess.release();
  });

  it('the inference graph (symbolic batch/seq) loads and matches the training forward (< 1e-5)', async () => {
    const model = makeModel();
    // Training graph forward with all dropout masks = 1 (identity) ...
    const tr = buildGraph(model, true, false);
    const trOnnx = toOnnx(tr.g, { outputs: { embedding: tr.out }, paramsAsInputs: 'trainable' });
    const trSess = await createSession(trOnnx.model, { providers: ['cpu'] });
    const feeds: Record<string, HostTensor> = { input_ids: { dtype: 'int64', data: ids, dims: [B, T] }, attention_mask: { dtype: 'float32', data: mask, dims: [B, T] } };
    for (const s of tr.ctx.dropoutSites) feeds[s.name] = { dtype: 'float32', data: new Float32Array((s.shape as number[]).reduce((a, b) => a * b, 1)).fill(1), dims: s.shape as number[] };
    for (const p of model.parameters()) if (trOnnx.paramInputs.includes(p.name)) feeds[p.name] = { dtype: 'float32', data: p.data, dims: [...p.shape] };
    const trOut = (await trSess.run(feeds)).embedding.data as Float32Array;

    // ... vs the inference graph: weights baked in, no dropout, symbolic dims.
    const inf = buildGraph(model, false, true);
    expect(inf.ctx.dropoutSites.length).toBe(0);
    const infOnnx = toOnnx(inf.g, { outputs: { embedding: inf.out } });
    expect(infOnnx.inputNames).toEqual(['input_ids', 'attention_mask']);
    const infSess = await createSession(infOnnx.model, { providers: ['cpu'] });
    const infOut = (await infSess.run({ input_ids: feeds.input_ids, attention_mask: feeds.attention_mask })).embedding;
    expect(infOut.dims).toEqual([B, cfg.dim]);
    expect(relErr(infOut.data as Float32Array, trOut)).toBeLessThan(1e-5);

    // Other batch sizes and lengths through the same session: rows 0 and 2, first 4 tokens.
    const ids2 = BigInt64Array.from([1, 4, 7, 2, 5, 6, 0, 0].map(BigInt));
    const mask2 = Float32Array.from([1, 1, 1, 1, 1, 1, 0, 0]);
    const out2 = (await infSess.run({ input_ids: { dtype: 'int64', data: ids2, dims: [2, 4] }, attention_mask: { dtype: 'float32', data: mask2, dims: [2, 4] } })).embedding.data as Float32Array;
    // Row 2 of the original batch had length 2 as well: causal attention makes the padding length irrelevant.
    expect(relErr(out2.slice(cfg.dim), trOut.slice(2 * cfg.dim))).toBeLessThan(1e-5);
    await trSess.release();
    await infSess.release();
  });
});
