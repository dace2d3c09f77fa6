// Visual-token pooling of the vlm2vec graph: NANO_CONFIG 2x2-average-pools the 8x8 trunk map
// to 16 tokens in the graph (training and inference share it); visualPool 1 keeps 64, and a
// config without visualPool (vlm2vec.json version 1) still reads as 64.
import { describe, expect, it } from 'vitest';
import { featureSize, NANO_CONFIG, visualTokenCount, Vlm2vecModel } from '../../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../../main/ml/models/vlm2vec/model';
import { padTokens } from '../../../main/ml/models/vlm2vec/family';
import { vlm2vecChunkEncoder } from '../../../main/ml/models/vlm2vec/train';
import { Rng } from '../../../main/ml/random';

const SMALL: Vlm2vecConfig = { ...NANO_CONFIG, vocab: 300, dim: 16, heads: 2, layers: 1, mlpHidden: 32, maxTextTokens: 12, featureChannels: 6, featureGrid: [8, 8], dropout: 0, seed: 9 };

describe('vlm2vec visual tokens', () => {
  it('nano: 16 visual tokens from the 8x8 map (64 with visualPool 1 or absent); features stay 8x8', () => {
    expect(visualTokenCount(NANO_CONFIG)).toBe(16);
    expect(new Vlm2vecModel({ ...NANO_CONFIG, dim: 16, heads: 2, layers: 1, mlpHidden: 32 }).visualTokens).toBe(16);
    expect(visualTokenCount({ ...NANO_CONFIG, visualPool: 1 })).toBe(64);
    const v1: Vlm2vecConfig = { ...NANO_CONFIG };
    delete v1.visualPool;
    expect(visualTokenCount(v1)).toBe(64);
    expect(featureSize(NANO_CONFIG)).toBe(120 * 64);
    expect(() => visualTokenCount({ ...NANO_CONFIG, visualPool: 3 })).toThrow(/visualPool/);
  });

  it('the graph pools 2x2 cells: equal to a 4x4-grid model fed the averaged map', async () => {
    const pooled = new Vlm2vecModel({ ...SMALL, visualPool: 2 });
    const plain = new Vlm2vecModel({ ...SMALL, featureGrid: [4, 4], visualPool: 1 });
    plain.loadStateDict(pooled.stateDict());
    const n = 3;
    const c = SMALL.featureChannels;
    const rng = new Rng(4);
    const f8 = new Float32Array(n * c * 64).map(() => rng.uniform() * 10 - 2);
    const f4 = new Float32Array(n * c * 16);
    for (let b = 0; b < n; b++)
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < 4; y++)
          for (let x = 0; x < 4; x++) {
            const at = (yy: number, xx: number): number => f8[((b * c + ch) * 8 + yy) * 8 + xx];
            f4[((b * c + ch) * 4 + y) * 4 + x] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
          }
    const { ids, mask, seq } = padTokens([[256, 5, 9], [256, 70], [256, 1, 2, 3, 4]]);
    const hasImage = new Float32Array([1, 1, 0]);
    const a = await vlm2vecChunkEncoder(pooled, { providers: ['cpu'], intraOpNumThreads: 1 });
    const b = await vlm2vecChunkEncoder(plain, { providers: ['cpu'], intraOpNumThreads: 1 });
    try {
      const ea = await a.encode({ ids, mask, seq, features: f8, hasImage }, 1);
      const eb = await b.encode({ ids, mask, seq, features: f4, hasImage }, 1);
      expect(ea.length).toBe(n * 16);
      for (let i = 0; i < ea.length; i++) expect(Math.abs(ea[i] - eb[i])).toBeLessThan(1e-5);
      // the image matters: another map, another vector for the image rows only
      const other = await a.encode({ ids, mask, seq, features: f8.map((v) => v * 0.5), hasImage }, 1);
      expect(Math.max(...ea.subarray(0, 16).map((v, i) => Math.abs(v - other[i])))).toBeGreaterThan(1e-4);
      expect(Math.max(...ea.subarray(32, 48).map((v, i) => Math.abs(v - other[32 + i])))).toBeLessThan(1e-6);
    } finally {
      await a.release();
      await b.release();
    }
  });
});
