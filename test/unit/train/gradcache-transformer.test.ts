// Acceptance: GradCache on the real ONNX transformer encoder. A batch of 256 pairs (+ 32 hard
// negatives) in chunks of 16 through gradCacheStep (no-grad forward per chunk, InfoNCE and
// representation gradients in JS, seeded backward per chunk) must give the gradients of the
// full batch computed in ONE training graph (both sides + InfoNCE in the graph).
// Relative error per parameter = max_i |a_i - b_i| / max_i |a_i| (a = full batch): robust to
// entries that are near zero, and it is what "the same gradient" means for an optimiser step.
import { describe, expect, it } from 'vitest';
import { Transformer } from '../../../main/ml/nn/transformer';
import type { TransformerConfig } from '../../../main/ml/nn/transformer';
import { FullBatchStep, tokenChunkEncoder } from '../../../main/ml/train/encoder';
import { gradCacheStep } from '../../../main/ml/train/grad-cache';
import { candidateRows, chunkRows } from '../../../main/ml/train/token-rows';
import { toySource } from './toy-data';

const cfg: TransformerConfig = { vocab: 32, dim: 16, heads: 2, layers: 2, mlpHidden: 32, maxSeq: 8 };
const BATCH = 256;
const CHUNK = 16;

function relErrors(full: Map<string, Float32Array>, chunked: Map<string, Float32Array>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, a] of full) {
    const b = chunked.get(name);
    if (!b) throw new Error(`no chunked gradient for ${name}`);
    let d = 0;
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
      m = Math.max(m, Math.abs(a[i]));
    }
    expect(m, `${name}: the full-batch gradient is not zero`).toBeGreaterThan(0);
    out.set(name, d / m);
  }
  return out;
}

describe('GradCache on the ONNX transformer encoder (batch 256, chunks of 16)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`equals the full-batch gradient (${dtype})`, async () => {
      const model = new Transformer(cfg, 3);
      const batch = await toySource({ vocab: cfg.vocab, seq: cfg.maxSeq, noise: 0.3, seed: 5, negatives: 32 }).batch(0, BATCH);
      const tau = 0.02;
      const full = await FullBatchStep.create(model, { paramDType: dtype, tau });
      const ref = await full.step(batch, 0);
      const enc = await tokenChunkEncoder(model, { paramDType: dtype });
      const queries = chunkRows(batch.queries, CHUNK);
      const targets = chunkRows(candidateRows(batch), CHUNK);
      expect(queries.length).toBe(16);
      expect(targets.length).toBe(18);
      const gc = await gradCacheStep(enc, { queries, targets }, { queries: queries.map(() => 0), targets: targets.map(() => 0) }, tau);
      await full.release();
      await enc.release();

      expect(Math.abs(gc.loss - ref.loss) / ref.loss).toBeLessThan(dtype === 'float64' ? 1e-6 : 1e-4);
      expect(gc.accuracy).toBe(ref.accuracy);
      expect([...gc.grads.keys()].sort()).toEqual(model.parameters().map((p) => p.name).sort());
      const errs = relErrors(ref.grads, gc.grads);
      const worst = Math.max(...errs.values());
      console.log(`GradCache vs full batch (${dtype}): loss ${ref.loss.toFixed(6)}, worst per-parameter max|a-b|/max|a| = ${worst.toExponential(2)}`);
      for (const [name, e] of errs) expect(e, name).toBeLessThan(1e-5);
    });
  }
});
