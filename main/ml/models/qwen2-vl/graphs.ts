// Qwen2-VL-shaped ONNX graphs built by main/ml, with the export's interface (README.md here):
//   vision_encoder  pixel_values [N, 1176], grid_thw int64 [1, 3] -> image_features [N/4, H]
//   embed_tokens    input_ids int64 [B, S] -> inputs_embeds [B, S, H]
//   text_model      inputs_embeds [B, S, H], attention_mask int64 [B, S], position_ids int64
//                   [3, B, S] -> last_hidden_state [B, S, H] (after the final norm)
// The text model is Qwen2's decoder as transformers writes it (Qwen2VLDecoderLayer): RMSNorm,
// q/k/v with bias, o without, grouped-query attention, multimodal rotary embedding (the
// mrope_section chunks of cos/sin taken from the t, h, w position rows in turn), causal +
// padding mask, SwiGLU MLP, final RMSNorm. The vision side has Qwen2-VL's sizes and order
// of work (patch embedding, pre-norm blocks with QuickGELU MLPs, the 2x2 PatchMerger) but
// leaves out its 2-D rotary embedding (element-wise, no weights) and adds `grid_proj`, a
// [3, H] projection of grid_thw / 16 added to every feature, so a test notices a wrong
// grid_thw. Used for the tests' tiny model and the 2B-shaped benchmark; not a converter
// of real weights (export-qwen2vl.py exports those).
import type { Tensor } from '../../graph/graph';
import { attr, Graph } from '../../graph/graph';
import type { OnnxModel } from '../../graph/onnx-writer';
import { toOnnx } from '../../graph/onnx-writer';
import * as o from '../../autodiff/ops';
import { Rng } from '../../random';

export interface Qwen2VlDims {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
  ropeTheta: number;
  /** t, h, w rotary channels; sums to head_dim / 2 */
  mropeSection: [number, number, number];
  rmsEps: number;
  vision: { embed: number; depth: number; heads: number; mlpRatio: number; merge: number; patchRow: number };
}

/** Qwen2-VL-2B-Instruct's config.json sizes (shared/reference/qwen2-vl.md). */
export const QWEN2_VL_2B: Qwen2VlDims = {
  hidden: 1536,
  layers: 28,
  heads: 12,
  kvHeads: 2,
  intermediate: 8960,
  vocab: 151936,
  ropeTheta: 1_000_000,
  mropeSection: [16, 24, 24],
  rmsEps: 1e-6,
  vision: { embed: 1280, depth: 32, heads: 16, mlpRatio: 4, merge: 2, patchRow: 1176 },
};

/** hf-internal-testing's tiny Qwen2-VL sizes: H 16, 2 layers, 2 heads / 1 KV head, head_dim 8, mrope [1,1,2]; the real vocabulary size. */
export const QWEN2_VL_TINY: Qwen2VlDims = {
  hidden: 16,
  layers: 2,
  heads: 2,
  kvHeads: 1,
  intermediate: 32,
  vocab: 151936,
  ropeTheta: 10_000,
  mropeSection: [1, 1, 2],
  rmsEps: 1e-6,
  vision: { embed: 8, depth: 1, heads: 2, mlpRatio: 4, merge: 2, patchRow: 1176 },
};

export type Weights = Map<string, Float32Array>;

/** Weight shapes by name (Linear weights [in, out]). */
export function weightShapes(d: Qwen2VlDims): Map<string, number[]> {
  const s = new Map<string, number[]>();
  const hd = d.hidden / d.heads;
  const kv = d.kvHeads * hd;
  s.set('embed_tokens', [d.vocab, d.hidden]);
  for (let i = 0; i < d.layers; i++) {
    const p = `layers.${i}.`;
    s.set(`${p}input_layernorm`, [d.hidden]);
    s.set(`${p}q_proj.weight`, [d.hidden, d.hidden]);
    s.set(`${p}q_proj.bias`, [d.hidden]);
    s.set(`${p}k_proj.weight`, [d.hidden, kv]);
    s.set(`${p}k_proj.bias`, [kv]);
    s.set(`${p}v_proj.weight`, [d.hidden, kv]);
    s.set(`${p}v_proj.bias`, [kv]);
    s.set(`${p}o_proj.weight`, [d.hidden, d.hidden]);
    s.set(`${p}post_attention_layernorm`, [d.hidden]);
    s.set(`${p}gate_proj.weight`, [d.hidden, d.intermediate]);
    s.set(`${p}up_proj.weight`, [d.hidden, d.intermediate]);
    s.set(`${p}down_proj.weight`, [d.intermediate, d.hidden]);
  }
  s.set('norm', [d.hidden]);
  const v = d.vision;
  const e = v.embed;
  const m = e * v.merge * v.merge;
  s.set('visual.patch_embed', [v.patchRow, e]);
  for (let i = 0; i < v.depth; i++) {
    const p = `visual.blocks.${i}.`;
    for (const n of ['norm1', 'norm2']) {
      s.set(`${p}${n}.weight`, [e]);
      s.set(`${p}${n}.bias`, [e]);
    }
    s.set(`${p}qkv.weight`, [e, 3 * e]);
    s.set(`${p}qkv.bias`, [3 * e]);
    s.set(`${p}proj.weight`, [e, e]);
    s.set(`${p}proj.bias`, [e]);
    s.set(`${p}fc1.weight`, [e, e * v.mlpRatio]);
    s.set(`${p}fc1.bias`, [e * v.mlpRatio]);
    s.set(`${p}fc2.weight`, [e * v.mlpRatio, e]);
    s.set(`${p}fc2.bias`, [e]);
  }
  s.set('visual.merger.ln_q.weight', [e]);
  s.set('visual.merger.ln_q.bias', [e]);
  s.set('visual.merger.fc1.weight', [m, m]);
  s.set('visual.merger.fc1.bias', [m]);
  s.set('visual.merger.fc2.weight', [m, d.hidden]);
  s.set('visual.merger.fc2.bias', [d.hidden]);
  s.set('visual.grid_proj', [3, d.hidden]);
  return s;
}

/**
 * Seeded random weights. Norm scales are 1 + noise, the rest normal with `std` (large in
 * the tiny model, so attention is far from uniform and positions change the result).
 */
export function randomWeights(d: Qwen2VlDims, seed: number, std: number, only?: (name: string) => boolean): Weights {
  const rng = new Rng(seed);
  const w: Weights = new Map();
  for (const [name, shape] of weightShapes(d)) {
    if (only && !only(name)) continue;
    const n = shape.reduce((a, b) => a * b, 1);
    const isNorm = /layernorm|norm1\.weight|norm2\.weight|ln_q\.weight|^norm$/.test(name);
    const scale = name === 'embed_tokens' ? 1 : name.endsWith('fc2.weight') || name.endsWith('down_proj.weight') ? std / 2 : std;
    w.set(name, isNorm ? rng.normals(n, 0.1).map((x) => 1 + x) : rng.normals(n, scale));
  }
  return w;
}

function param(g: Graph, w: Weights, name: string, shape: readonly number[]): Tensor {
  const data = w.get(name);
  if (!data) throw new Error(`no weight ${name}`);
  return g.param(name, shape, data, { trainable: false });
}

const linear = (g: Graph, w: Weights, x: Tensor, name: string, shape: readonly number[], bias: boolean): Tensor => {
  const y = o.matmul(x, param(g, w, `${name}.weight`, shape));
  return bias ? o.add(y, param(g, w, `${name}.bias`, [shape[1]!])) : y;
};

function rmsNorm(g: Graph, w: Weights, x: Tensor, name: string, dim: number, eps: number): Tensor {
  const ms = o.reduceMean(o.mul(x, x), [-1], true);
  return o.mul(o.div(x, o.sqrt(o.add(ms, eps))), param(g, w, name, [dim]));
}

function layerNorm(g: Graph, w: Weights, x: Tensor, name: string, dim: number): Tensor {
  const mean = o.reduceMean(x, [-1], true);
  const xc = o.sub(x, mean);
  const v = o.reduceMean(o.mul(xc, xc), [-1], true);
  return o.add(o.mul(o.div(xc, o.sqrt(o.add(v, 1e-6))), param(g, w, `${name}.weight`, [dim])), param(g, w, `${name}.bias`, [dim]));
}

/** The last axis split in halves, rotated: concat(-x2, x1). */
function rotateHalf(x: Tensor): Tensor {
  const axis = x.shape.length - 1;
  const hd = x.shape[axis] as number;
  return o.concat([o.neg(o.slice(x, [hd / 2], [hd], [axis])), o.slice(x, [0], [hd / 2], [axis])], axis);
}

export interface BuildOptions {
  /** keep weights in `<file>_data` (the layout of big exports) */
  externalData?: string;
  float16Params?: boolean;
}

const write = (g: Graph, outputs: Record<string, Tensor>, b: BuildOptions): OnnxModel =>
  toOnnx(g, { outputs, ...(b.externalData ? { externalData: { location: b.externalData } } : {}), ...(b.float16Params ? { float16Params: true } : {}) });

export function embedTokensGraph(d: Qwen2VlDims, w: Weights, b: BuildOptions = {}): OnnxModel {
  const g = new Graph({ name: 'embed_tokens' });
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  return write(g, { inputs_embeds: o.gather(param(g, w, 'embed_tokens', [d.vocab, d.hidden]), ids, 0) }, b);
}

export function visionEncoderGraph(d: Qwen2VlDims, w: Weights, b: BuildOptions = {}): OnnxModel {
  const v = d.vision;
  const e = v.embed;
  const m = e * v.merge * v.merge;
  const hd = e / v.heads;
  const g = new Graph({ name: 'vision_encoder' });
  const px = g.input('pixel_values', 'float32', ['patches', v.patchRow]);
  const grid = g.input('grid_thw', 'int64', [1, 3]);
  let x = o.matmul(px, param(g, w, 'visual.patch_embed', [v.patchRow, e]));
  for (let i = 0; i < v.depth; i++) {
    const p = `visual.blocks.${i}.`;
    x = g.scope(`block${i}`, () => {
      const qkv = linear(g, w, layerNorm(g, w, x, `${p}norm1`, e), `${p}qkv`, [e, 3 * e], true);
      const heads = o.transpose(o.reshape(qkv, [-1, 3, v.heads, hd]), [1, 2, 0, 3]); // [3, heads, N, hd]
      const q = o.squeeze(o.slice(heads, [0], [1], [0]), [0]);
      const k = o.squeeze(o.slice(heads, [1], [2], [0]), [0]);
      const val = o.squeeze(o.slice(heads, [2], [3], [0]), [0]);
      const att = o.softmax(o.mul(o.matmul(q, o.transpose(k, [0, 2, 1])), 1 / Math.sqrt(hd)), -1);
      const ctx = o.reshape(o.transpose(o.matmul(att, val), [1, 0, 2]), [-1, e]);
      const h = o.add(x, linear(g, w, ctx, `${p}proj`, [e, e], true));
      const f = linear(g, w, layerNorm(g, w, h, `${p}norm2`, e), `${p}fc1`, [e, e * v.mlpRatio], true);
      const quickGelu = o.mul(f, o.sigmoid(o.mul(f, 1.702)));
      return o.add(h, linear(g, w, quickGelu, `${p}fc2`, [e * v.mlpRatio, e], true));
    });
  }
  const merged = g.scope('merger', () => {
    const rows = o.reshape(layerNorm(g, w, x, 'visual.merger.ln_q', e), [-1, m]);
    return linear(g, w, o.gelu(linear(g, w, rows, 'visual.merger.fc1', [m, m], true)), 'visual.merger.fc2', [m, d.hidden], true);
  });
  const gridTerm = o.matmul(o.div(o.cast(grid, 'float32'), 16), param(g, w, 'visual.grid_proj', [3, d.hidden]));
  return write(g, { image_features: o.add(merged, gridTerm) }, b);
}

export function textModelGraph(d: Qwen2VlDims, w: Weights, b: BuildOptions = {}): OnnxModel {
  const H = d.hidden;
  const hd = H / d.heads;
  const kv = d.kvHeads;
  const rep = d.heads / kv;
  if (2 * d.mropeSection.reduce((a, c) => a + c, 0) !== hd) throw new Error(`mrope_section ${d.mropeSection.join(',')} must sum to head_dim/2 = ${hd / 2}`);
  const g = new Graph({ name: 'text_model' });
  const x0 = g.input('inputs_embeds', 'float32', ['batch', 'seq', H]);
  const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  const pos = g.input('position_ids', 'int64', [3, 'batch', 'seq']);
  const bias = g.scope('mask', () => {
    const s = o.dimOf(x0, 1);
    const [ones] = g.addNode('Expand', [g.scalar(1, 'float32'), o.concat([s, s], 0)], {}, [{ dtype: 'float32', shape: ['seq', 'seq'] }]);
    const [tril] = g.addNode('Trilu', [ones!], { upper: attr.i(0) }, [{ dtype: 'float32', shape: ['seq', 'seq'] }]);
    const pad = o.unsqueeze(o.cast(mask, 'float32'), [1, 2, 3]); // [B,1,1,1,S]
    const keep = o.mul(pad, tril!); // [B,1,1,S,S]
    return o.mul(o.sub(1, keep), -1e9);
  });
  const [cos, sin] = g.scope('mrope', () => {
    const inv = Float32Array.from({ length: hd / 2 }, (_v, i) => 1 / Math.pow(d.ropeTheta, (2 * i) / hd));
    const freqs = o.mul(o.unsqueeze(o.cast(pos, 'float32'), [3]), g.constant(inv, [hd / 2], 'float32', 'inv_freq')); // [3,B,S,hd/2]
    const emb = o.concat([freqs, freqs], 3);
    const pick = (t: Tensor): Tensor => {
      const parts: Tensor[] = [];
      let c = 0;
      [...d.mropeSection, ...d.mropeSection].forEach((len, i) => {
        parts.push(o.slice(t, [i % 3, c], [(i % 3) + 1, c + len], [0, 3]));
        c += len;
      });
      return o.unsqueeze(o.squeeze(o.concat(parts, 3), [0]), [1, 2]); // [B,1,1,S,hd]
    };
    return [pick(o.cos(emb)), pick(o.sin(emb))];
  });
  const rope = (t: Tensor): Tensor => o.add(o.mul(t, cos!), o.mul(rotateHalf(t), sin!));
  let x = x0;
  for (let i = 0; i < d.layers; i++) {
    const p = `layers.${i}.`;
    x = g.scope(`layer${i}`, () => {
      const hIn = rmsNorm(g, w, x, `${p}input_layernorm`, H, d.rmsEps);
      const q = o.transpose(o.reshape(linear(g, w, hIn, `${p}q_proj`, [H, H], true), [0, 0, kv, rep, hd]), [0, 2, 3, 1, 4]); // [B,kv,rep,S,hd]
      const k = o.transpose(o.reshape(linear(g, w, hIn, `${p}k_proj`, [H, kv * hd], true), [0, 0, kv, 1, hd]), [0, 2, 3, 1, 4]); // [B,kv,1,S,hd]
      const v = o.transpose(o.reshape(linear(g, w, hIn, `${p}v_proj`, [H, kv * hd], true), [0, 0, kv, 1, hd]), [0, 2, 3, 1, 4]);
      const scores = o.add(o.mul(o.matmul(rope(q), o.transpose(rope(k), [0, 1, 2, 4, 3])), 1 / Math.sqrt(hd)), bias);
      const ctx = o.reshape(o.transpose(o.matmul(o.softmax(scores, -1), v), [0, 3, 1, 2, 4]), [0, 0, H]);
      const h = o.add(x, linear(g, w, ctx, `${p}o_proj`, [H, H], false));
      const hn = rmsNorm(g, w, h, `${p}post_attention_layernorm`, H, d.rmsEps);
      const mlp = o.mul(o.silu(linear(g, w, hn, `${p}gate_proj`, [H, d.intermediate], false)), linear(g, w, hn, `${p}up_proj`, [H, d.intermediate], false));
      return o.add(h, linear(g, w, mlp, `${p}down_proj`, [d.intermediate, H], false));
    });
  }
  return write(g, { last_hidden_state: rmsNorm(g, w, x, 'norm', H, d.rmsEps) }, b);
}
