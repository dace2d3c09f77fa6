// GradCache's orchestration against a closed-form encoder (a test double: a linear map
// followed by L2 normalisation, differentiated by hand). The ONNX-graph encoder has its
// own equivalence test; this one pins the chunking, slicing and accumulation logic.
import { describe, expect, it } from 'vitest';
import type { ChunkedEncoder } from '../../../main/ml/train/grad-cache';
import { gradCacheStep } from '../../../main/ml/train/grad-cache';

type Chunk = Float32Array; // rows of inputs [n, inDim]

function linearNormEncoder(inDim: number, dim: number, w: Float32Array): ChunkedEncoder<Chunk> {
  const forward = (x: Chunk) => {
    const n = x.length / inDim;
    const y = new Float64Array(n * dim);
    for (let r = 0; r < n; r++) for (let o = 0; o < dim; o++) for (let i = 0; i < inDim; i++) y[r * dim + o] += x[r * inDim + i] * w[i * dim + o];
    return y;
  };
  return {
    dim,
    async encode(x) {
      const y = forward(x);
      const n = x.length / inDim;
      const out = new Float32Array(n * dim);
      for (let r = 0; r < n; r++) {
        const norm = Math.hypot(...y.subarray(r * dim, (r + 1) * dim));
        for (let o = 0; o < dim; o++) out[r * dim + o] = y[r * dim + o] / norm;
      }
      return out;
    },
    async backward(x, _seed, g) {
      const y = forward(x);
      const n = x.length / inDim;
      const gw = new Float32Array(inDim * dim);
      for (let r = 0; r < n; r++) {
        const row = y.subarray(r * dim, (r + 1) * dim);
        const norm = Math.hypot(...row);
        let dot = 0;
        for (let o = 0; o < dim; o++) dot += (row[o] / norm) * g[r * dim + o];
        for (let o = 0; o < dim; o++) {
          const gy = (g[r * dim + o] - (row[o] / norm) * dot) / norm; // d(y/|y|)^T g
          for (let i = 0; i < inDim; i++) gw[i * dim + o] += x[r * inDim + i] * gy;
        }
      }
      return new Map([['w', gw]]);
    },
  };
}

function randomRows(n: number, d: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * d }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

const split = (x: Float32Array, rowsPerChunk: number, d: number) =>
  Array.from({ length: x.length / (rowsPerChunk * d) }, (_, i) => x.subarray(i * rowsPerChunk * d, (i + 1) * rowsPerChunk * d));

describe('gradCacheStep', () => {
  it('gives the full-batch gradient whatever the chunk size', async () => {
    const inDim = 6, dim = 4, batch = 32;
    const encoder = linearNormEncoder(inDim, dim, randomRows(inDim, dim, 7));
    const q = randomRows(batch, inDim, 11);
    const t = randomRows(batch, inDim, 13);
    const run = (chunk: number) =>
      gradCacheStep(encoder, { queries: split(q, chunk, inDim), targets: split(t, chunk, inDim) },
        { queries: Array(batch / chunk).fill(0), targets: Array(batch / chunk).fill(0) }, 0.1);
    const full = await run(batch);
    const chunked = await run(4);
    expect(chunked.loss).toBeCloseTo(full.loss, 6);
    const a = full.grads.get('w')!, b = chunked.grads.get('w')!;
    const maxRel = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / (Math.abs(v) + 1e-6)));
    expect(maxRel).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(a, Math.abs))).toBeGreaterThan(1e-3); // the gradient is not trivially zero
  });

  it('passes each chunk the same seed in its forward and its backward', async () => {
    const seen: string[] = [];
    const encoder: ChunkedEncoder<number> = {
      dim: 2,
      async encode(c, seed) { seen.push(`f${c}:${seed}`); return new Float32Array([1, c]); },
      async backward(c, seed) { seen.push(`b${c}:${seed}`); return new Map(); },
    };
    await gradCacheStep(encoder, { queries: [1, 2], targets: [3, 4] }, { queries: [10, 20], targets: [30, 40] });
    for (const [c, s] of [[1, 10], [2, 20], [3, 30], [4, 40]]) {
      expect(seen).toContain(`f${c}:${s}`);
      expect(seen).toContain(`b${c}:${s}`);
    }
  });
});
