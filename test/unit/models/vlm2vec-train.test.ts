// The vlm2vec trainer glue: GradCache chunks that carry trunk features, driven by the shared
// Trainer (checkpoints resume exactly), and train-nano's family-mixing batch sampler.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { padTokens } from '../../../main/ml/models/vlm2vec/family';
import { NANO_CONFIG, Vlm2vecModel } from '../../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../../main/ml/models/vlm2vec/model';
import type { Vlm2vecBatch, Vlm2vecRows } from '../../../main/ml/models/vlm2vec/train';
import { concatVlm2vecRows, createVlm2vecTrainer, sliceVlm2vecRows } from '../../../main/ml/models/vlm2vec/train';
import { Rng } from '../../../main/ml/random';
import { EQUAL_MIX, FAMILIES, parseBatchMix, sampleBatch } from '../../../native-models/recipes/train-nano-data';
import type { Family, Pair, TrainData } from '../../../native-models/recipes/train-nano-data';

const TINY: Vlm2vecConfig = { ...NANO_CONFIG, dim: 16, heads: 2, layers: 1, mlpHidden: 32, maxTextTokens: 12, featureChannels: 8, featureGrid: [2, 2], dropout: 0.1, seed: 5 };

/** Synthetic batches: row i's target shares its features / tokens with its query. Deterministic in the index. */
function synthBatch(index: number, size: number): Vlm2vecBatch {
  const rng = new Rng(1000 + index);
  const fsize = TINY.featureChannels * 4;
  const rows = (withImage: (i: number) => boolean, shift: number): Vlm2vecRows => {
    const toks = Array.from({ length: size }, (_v, i) => [256, ...Array.from({ length: 1 + ((i + index) % 5) }, (_w, j) => (i * 7 + j * 3 + shift) % 256)]);
    const { ids, mask, seq } = padTokens(toks);
    const features = new Float32Array(size * fsize).map(() => rng.uniform() * 4);
    const hasImage = new Float32Array(size).map((_v, i) => (withImage(i) ? 1 : 0));
    return { ids, mask, seq, features, hasImage };
  };
  return { queries: rows((i) => i % 2 === 0, 0), targets: rows((i) => i % 3 === 0, 1) };
}

async function trainSteps(ckpt: string, stopAfter: number[]): Promise<Map<string, Float32Array>> {
  const model = new Vlm2vecModel(TINY);
  for (const k of stopAfter) {
    const trainer = await createVlm2vecTrainer({
      model,
      source: { batch: synthBatch },
      batchSize: 8,
      chunkSize: 3,
      steps: 3,
      lr: 1e-3,
      seed: 11,
      checkpoint: { path: ckpt, every: 1 },
      session: { providers: ['cpu'], intraOpNumThreads: 1 },
    });
    try {
      await trainer.run(k);
    } finally {
      await trainer.release();
    }
  }
  return new Map([...model.stateDict()].map(([n, v]) => [n, Float32Array.from(v)]));
}

describe('vlm2vec training', () => {
  it('trains with GradCache chunks carrying features, and a killed run resumes bit-identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-vlm2vec-train-'));
    const straight = await trainSteps(join(dir, 'a.ckpt'), [Infinity]);
    const resumed = await trainSteps(join(dir, 'b.ckpt'), [1, Infinity]);
    const init = new Vlm2vecModel(TINY).stateDict();
    let moved = 0;
    for (const [name, v] of straight) {
      expect(resumed.get(name)).toEqual(v);
      moved += v.reduce((s, x, i) => s + Math.abs(x - (init.get(name) as Float32Array)[i]), 0);
    }
    expect(moved).toBeGreaterThan(0);
    // the projector and the visual position embeddings learn too
    expect(straight.get('projector/weight')).not.toEqual(init.get('projector/weight'));
    expect(straight.get('visual_pos')).not.toEqual(init.get('visual_pos'));
  });
});

describe('vlm2vec rows', () => {
  it('concatenates rows of different lengths (right padding) with their features, and slices them back', () => {
    const a = synthBatch(0, 3).queries;
    const b = synthBatch(1, 2).targets;
    const c = concatVlm2vecRows([a, b]);
    const seq = Math.max(a.seq, b.seq);
    expect(c.seq).toBe(seq);
    expect(c.hasImage).toEqual(Float32Array.from([...a.hasImage, ...b.hasImage]));
    expect(c.features).toEqual(Float32Array.from([...a.features, ...b.features]));
    const back = sliceVlm2vecRows(c, 3, 5);
    for (let r = 0; r < 2; r++) {
      expect(Array.from(back.mask.subarray(r * seq, r * seq + b.seq))).toEqual(Array.from(b.mask.subarray(r * b.seq, (r + 1) * b.seq)));
      expect(Array.from(back.mask.subarray(r * seq + b.seq, (r + 1) * seq)).every((m) => m === 0)).toBe(true);
      expect(Array.from(back.ids.subarray(r * seq, r * seq + b.seq))).toEqual(Array.from(b.ids.subarray(r * b.seq, (r + 1) * b.seq)));
    }
  });

  it('trains with hard negatives among the candidates', async () => {
    const model = new Vlm2vecModel(TINY);
    const trainer = await createVlm2vecTrainer({
      model,
      source: { batch: (i, size) => ({ ...synthBatch(i, size), negatives: synthBatch(i + 50, 3).targets }) },
      batchSize: 6,
      chunkSize: 4,
      steps: 1,
      lr: 1e-3,
      session: { providers: ['cpu'], intraOpNumThreads: 1 },
    });
    try {
      const r = await trainer.run();
      expect(r.step).toBe(1);
      expect(Number.isFinite(r.loss)).toBe(true);
    } finally {
      await trainer.release();
    }
  });
});

describe("train-nano's batch sampler", () => {
  const pair = (set: string, q: string, t: string): Pair => ({ set, query: { tokens: [256], image: -1, key: q }, target: { tokens: [256], image: -1, key: t } });
  const data = (): TrainData => {
    const pairs: Pair[] = [];
    const byFamily = new Map<Family, number[][]>(FAMILIES.map((f) => [f, []]));
    const add = (family: Family, set: string, n: number, targets: number) => {
      const idx: number[] = [];
      for (let i = 0; i < n; i++) {
        idx.push(pairs.length);
        pairs.push(pair(set, `${set}-q${i}`, `${set}-t${i % targets}`));
      }
      byFamily.get(family)?.push(idx);
    };
    add('classification', 'cls-a', 100, 5); // only 5 distinct labels
    add('vqa', 'vqa-a', 100, 100);
    add('retrieval', 'ret-a', 100, 100);
    add('retrieval', 'ret-b', 100, 100);
    add('grounding', 'grounding-a', 100, 100);
    return { pairs, byFamily, images: [], sets: [] };
  };

  it('is deterministic per index, mixes the families, and keeps queries and targets distinct', () => {
    const d = data();
    const a = sampleBatch(d, 7, 3, 40);
    expect(sampleBatch(d, 7, 3, 40)).toEqual(a);
    expect(sampleBatch(d, 7, 4, 40)).not.toEqual(a);
    expect(new Set(a.map((i) => d.pairs[i].target.key)).size).toBe(40);
    expect(new Set(a.map((i) => d.pairs[i].query.key)).size).toBe(40);
    const fam = (i: number): string => d.pairs[i].set.split('-')[0];
    const counts = a.reduce<Record<string, number>>((c, i) => ({ ...c, [fam(i)]: (c[fam(i)] ?? 0) + 1 }), {});
    expect(counts.cls).toBe(5); // exhausted: its other slots went to the other families
    for (const f of ['vqa', 'ret', 'grounding']) expect(counts[f]).toBeGreaterThanOrEqual(10);
  });

  it('gives each family its share of the slots and, with sets=sqrt, favours big sets within a family', () => {
    const d = data();
    d.byFamily.get('retrieval')![1] = d.byFamily.get('retrieval')![1].slice(0, 4); // ret-b: 4 rows against ret-a's 100
    const fam = (i: number): string => d.pairs[i].set;
    const count = (ids: number[]) => ids.reduce<Record<string, number>>((c, i) => ({ ...c, [fam(i)]: (c[fam(i)] ?? 0) + 1 }), {});
    const mix = parseBatchMix('ret=3,sets=sqrt');
    expect(mix).toEqual({ familyWeights: { classification: 1, vqa: 1, retrieval: 3, grounding: 1 }, sets: 'sqrt' });
    const c = count(sampleBatch(d, 7, 0, 30, mix));
    expect(c['vqa-a']).toBe(5);
    expect((c['ret-a'] ?? 0) + (c['ret-b'] ?? 0)).toBe(15);
    expect(c['ret-a']).toBeGreaterThan(c['ret-b'] ?? 0); // sqrt(100) : sqrt(4) = 5 : 1
    const uniform = count(sampleBatch(d, 7, 0, 30, parseBatchMix('ret=3')));
    expect(uniform['ret-b']).toBe(4); // uniform draws exhaust the small set
    expect(parseBatchMix('')).toEqual(EQUAL_MIX);
    expect(sampleBatch(d, 7, 2, 20, EQUAL_MIX)).toEqual(sampleBatch(d, 7, 2, 20));
    for (const bad of ['ret=two', 'sets=big', 'colour=1', 'cls=0,vqa=0,ret=0,grd=0']) expect(() => parseBatchMix(bad)).toThrow(/--mix/);
  });

  it('says so when the data cannot fill a batch', () => {
    expect(() => sampleBatch(data(), 7, 0, 10_000)).toThrow(/cannot draw 10000 distinct pairs/);
  });
});
