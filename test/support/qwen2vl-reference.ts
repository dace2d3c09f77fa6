// An independent reference for the tiny Qwen2-VL model: the same computation as
// main/ml/models/qwen2-vl/graphs.ts, written out in float64 loops from the transformers
// definitions (Qwen2VLDecoderLayer, apply_multimodal_rotary_pos_emb, repeat_kv,
// PatchMerger), sharing nothing with the graph builder but the weights. With the prompt
// built by hand here too (ids, the expanded image slot, positions from the rule in
// shared/reference/qwen2-vl.md), it checks the family end to end.
import type { Qwen2VlDims, Weights } from '../../main/ml/models/qwen2-vl/graphs';

type Mat = Float64Array; // row-major

function W(w: Weights, name: string): Float32Array {
  const x = w.get(name);
  if (!x) throw new Error(`no weight ${name}`);
  return x;
}

/** x [n, i] @ w [i, o] (+ b) */
function mm(x: Mat, n: number, i: number, w: Float32Array, o: number, b?: Float32Array): Mat {
  const y = new Float64Array(n * o);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < o; c++) {
      let s = b ? b[c]! : 0;
      for (let k = 0; k < i; k++) s += x[r * i + k]! * w[k * o + c]!;
      y[r * o + c] = s;
    }
  }
  return y;
}

function layerNorm(x: Mat, n: number, d: number, g: Float32Array, b: Float32Array): Mat {
  const y = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let m = 0;
    for (let k = 0; k < d; k++) m += x[r * d + k]!;
    m /= d;
    let v = 0;
    for (let k = 0; k < d; k++) v += (x[r * d + k]! - m) ** 2;
    v /= d;
    for (let k = 0; k < d; k++) y[r * d + k] = ((x[r * d + k]! - m) / Math.sqrt(v + 1e-6)) * g[k]! + b[k]!;
  }
  return y;
}

function rmsNorm(x: Mat, n: number, d: number, g: Float32Array, eps: number): Mat {
  const y = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[r * d + k]! ** 2;
    const inv = 1 / Math.sqrt(s / d + eps);
    for (let k = 0; k < d; k++) y[r * d + k] = x[r * d + k]! * inv * g[k]!;
  }
  return y;
}

const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is not precise enough; use the series / continued fraction split
  const t = Math.abs(x);
  if (t < 3) {
    let sum = 0;
    let term = t;
    for (let k = 0; k < 200; k++) {
      sum += term / (2 * k + 1);
      term *= (-t * t) / (k + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction for large |x|
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}

/** The vision encoder on pixel_values [n, 1176] of one image with grid [t, h, w]: features [n/4, H]. */
export function referenceVision(d: Qwen2VlDims, w: Weights, pixels: Float32Array, n: number, grid: readonly number[]): Mat {
  const v = d.vision;
  const e = v.embed;
  const hd = e / v.heads;
  let x = mm(Float64Array.from(pixels), n, v.patchRow, W(w, 'visual.patch_embed'), e);
  for (let b = 0; b < v.depth; b++) {
    const p = `visual.blocks.${b}.`;
    const qkv = mm(layerNorm(x, n, e, W(w, `${p}norm1.weight`), W(w, `${p}norm1.bias`)), n, e, W(w, `${p}qkv.weight`), 3 * e, W(w, `${p}qkv.bias`));
    const ctx = new Float64Array(n * e);
    for (let h = 0; h < v.heads; h++) {
      for (let i = 0; i < n; i++) {
        const scores = new Float64Array(n);
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < hd; k++) s += qkv[i * 3 * e + h * hd + k]! * qkv[j * 3 * e + e + h * hd + k]!;
          scores[j] = s / Math.sqrt(hd);
          max = Math.max(max, scores[j]!);
        }
        let z = 0;
        for (let j = 0; j < n; j++) z += scores[j] = Math.exp(scores[j]! - max);
        for (let k = 0; k < hd; k++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += (scores[j]! / z) * qkv[j * 3 * e + 2 * e + h * hd + k]!;
          ctx[i * e + h * hd + k] = s;
        }
      }
    }
    const proj = mm(ctx, n, e, W(w, `${p}proj.weight`), e, W(w, `${p}proj.bias`));
    const h1 = x.map((a, i) => a + proj[i]!);
    const f = mm(layerNorm(h1, n, e, W(w, `${p}norm2.weight`), W(w, `${p}norm2.bias`)), n, e, W(w, `${p}fc1.weight`), e * v.mlpRatio, W(w, `${p}fc1.bias`));
    const act = f.map((a) => a / (1 + Math.exp(-1.702 * a)));
    const f2 = mm(act, n, e * v.mlpRatio, W(w, `${p}fc2.weight`), e, W(w, `${p}fc2.bias`));
    x = h1.map((a, i) => a + f2[i]!);
  }
  const m = e * v.merge * v.merge;
  const rows = n / (v.merge * v.merge);
  const ln = layerNorm(x, n, e, W(w, 'visual.merger.ln_q.weight'), W(w, 'visual.merger.ln_q.bias')); // [n, e] = [rows, m] row-major
  const hmid = mm(ln, rows, m, W(w, 'visual.merger.fc1.weight'), m, W(w, 'visual.merger.fc1.bias')).map(gelu);
  const out = mm(hmid, rows, m, W(w, 'visual.merger.fc2.weight'), d.hidden, W(w, 'visual.merger.fc2.bias'));
  const gp = W(w, 'visual.grid_proj');
  for (let r = 0; r < rows; r++) for (let c = 0; c < d.hidden; c++) for (let k = 0; k < 3; k++) out[r * d.hidden + c] += (grid[k]! / 16) * gp[k * d.hidden + c]!;
  return out;
}

/**
 * The L2-normalised last-token embedding of one unpadded input: token ids, the image's
 * features for its <|image_pad|> rows (or null), positions [3][seq].
 */
export function referenceEmbedding(d: Qwen2VlDims, w: Weights, ids: readonly number[], imageTokenId: number, features: Mat | null, positions: readonly (readonly number[])[]): Float64Array {
  const H = d.hidden;
  const S = ids.length;
  const hd = H / d.heads;
  const rep = d.heads / d.kvHeads;
  const emb = W(w, 'embed_tokens');
  let x = new Float64Array(S * H);
  let f = 0;
  ids.forEach((t, s) => {
    for (let c = 0; c < H; c++) x[s * H + c] = t === imageTokenId && features ? features[f * H + c]! : emb[t * H + c]!;
    if (t === imageTokenId && features) f++;
  });
  // multimodal rotary: channel c of the rotary half-pair uses the position row of its mrope chunk
  const sections = [...d.mropeSection, ...d.mropeSection];
  const rowOf: number[] = [];
  sections.forEach((len, i) => {
    for (let k = 0; k < len; k++) rowOf.push(i % 3);
  });
  const angle = (s: number, c: number): number => positions[rowOf[c]!]![s]! * Math.pow(d.ropeTheta, -(2 * (c % (hd / 2))) / hd);
  const rope = (v: Float64Array, s: number, base: number): void => {
    const tmp = Array.from({ length: hd }, (_x, c) => v[base + c]!);
    for (let c = 0; c < hd; c++) {
      const rot = c < hd / 2 ? -tmp[c + hd / 2]! : tmp[c - hd / 2]!;
      v[base + c] = tmp[c]! * Math.cos(angle(s, c)) + rot * Math.sin(angle(s, c));
    }
  };
  for (let l = 0; l < d.layers; l++) {
    const p = `layers.${l}.`;
    const hn = rmsNorm(x, S, H, W(w, `${p}input_layernorm`), d.rmsEps);
    const q = mm(hn, S, H, W(w, `${p}q_proj.weight`), H, W(w, `${p}q_proj.bias`));
    const k = mm(hn, S, H, W(w, `${p}k_proj.weight`), d.kvHeads * hd, W(w, `${p}k_proj.bias`));
    const v = mm(hn, S, H, W(w, `${p}v_proj.weight`), d.kvHeads * hd, W(w, `${p}v_proj.bias`));
    for (let s = 0; s < S; s++) {
      for (let h = 0; h < d.heads; h++) rope(q, s, s * H + h * hd);
      for (let h = 0; h < d.kvHeads; h++) rope(k, s, s * d.kvHeads * hd + h * hd);
    }
    const ctx = new Float64Array(S * H);
    for (let h = 0; h < d.heads; h++) {
      const kvh = Math.floor(h / rep); // repeat_kv: head h reads KV head h // rep
      for (let i = 0; i < S; i++) {
        const sc: number[] = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let c = 0; c < hd; c++) s += q[i * H + h * hd + c]! * k[j * d.kvHeads * hd + kvh * hd + c]!;
          sc.push(s / Math.sqrt(hd));
        }
        const max = Math.max(...sc);
        const ex = sc.map((a) => Math.exp(a - max));
        const z = ex.reduce((a, b) => a + b, 0);
        for (let c = 0; c < hd; c++) {
          let s = 0;
          for (let j = 0; j <= i; j++) s += (ex[j]! / z) * v[j * d.kvHeads * hd + kvh * hd + c]!;
          ctx[i * H + h * hd + c] = s;
        }
      }
    }
    const o = mm(ctx, S, H, W(w, `${p}o_proj.weight`), H);
    const h1 = x.map((a, i) => a + o[i]!);
    const hn2 = rmsNorm(h1, S, H, W(w, `${p}post_attention_layernorm`), d.rmsEps);
    const g = mm(hn2, S, H, W(w, `${p}gate_proj.weight`), d.intermediate);
    const u = mm(hn2, S, H, W(w, `${p}up_proj.weight`), d.intermediate);
    const act = g.map((a, i) => (a / (1 + Math.exp(-a))) * u[i]!);
    const dn = mm(act, S, d.intermediate, W(w, `${p}down_proj.weight`), H);
    x = h1.map((a, i) => a + dn[i]!);
  }
  const last = rmsNorm(x.subarray((S - 1) * H, S * H), 1, H, W(w, 'norm'), d.rmsEps);
  const norm = Math.sqrt(last.reduce((a, b) => a + b * b, 0));
  return last.map((a) => a / norm);
}
