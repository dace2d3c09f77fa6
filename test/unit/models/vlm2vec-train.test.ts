// The vlm2vec trainer glue: GradCache chunks that carry trunk features, driven by the shared
// Trainer (a run killed mid-way resumes from its checkpoint file, in a new process, to the
// bits of a run never interrupted), and train-nano's family-mixing batch sampler.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vlm2vecModel } from '../../../main/ml/models/vlm2vec/model';
import { concatVlm2vecRows, createVlm2vecTrainer, sliceVlm2vecRows } from '../../../main/ml/models/vlm2vec/train';
import { loadCheckpoint } from '../../../main/ml/train/checkpoint';
import type { Checkpoint } from '../../../main/ml/train/checkpoint';
import type { TrainerProgressState } from '../../../main/ml/train/trainer';
import { EQUAL_MIX, FAMILIES, parseBatchMix, sampleBatch } from '../../../native-models/recipes/train-nano-data';
import type { Family, Pair, TrainData } from '../../../native-models/recipes/train-nano-data';
import { repoRoot, startScript } from '../../support/spawn-cli';
import { tempDir } from '../../support/tmp';
import { synthVlm2vecBatch as synthBatch, TINY_VLM2VEC as TINY } from '../../support/vlm2vec-synthetic';

const TRAIN_PROCESS = join(repoRoot, 'test', 'support', 'vlm2vec-train-process.ts');
const STEPS = 12;

/** Runs the training process to its end (or until `killAfterCheckpoint`'s checkpoint is on disk, then kill -9). */
async function trainInProcess(ckpt: string, killAfterCheckpoint?: number): Promise<{ killed: boolean; result?: { step: number; resumedFrom: number } }> {
  const run = startScript(TRAIN_PROCESS, [ckpt, String(STEPS)]);
  if (killAfterCheckpoint !== undefined) {
    await run.waitForLine(new RegExp(`^checkpoint ${killAfterCheckpoint}$`));
    run.child.kill('SIGKILL');
  }
  const { code, signal } = await run.exit;
  if (signal === 'SIGKILL') return { killed: true };
  expect(code, run.stderr()).toBe(0);
  return { killed: false, result: JSON.parse(run.stdout().trim().split('\n').at(-1)!) as { step: number; resumedFrom: number } };
}

const bits = (t: Float32Array): string => Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('hex');

describe('vlm2vec training', () => {
  it('a run killed (kill -9) mid-way resumes in a new process, from the checkpoint file, to exactly the uninterrupted run', async () => {
    const dir = tempDir('trove-vlm2vec-train-');
    try {
      const straightFile = join(dir.path, 'straight.ckpt');
      const resumedFile = join(dir.path, 'resumed.ckpt');
      const [straight, killed] = await Promise.all([trainInProcess(straightFile), trainInProcess(resumedFile, 3)]);
      expect(straight.result).toEqual({ step: STEPS, resumedFrom: 0 });
      expect(killed.killed, 'the run finished before the kill: nothing was interrupted').toBe(true);
      const interrupted = loadCheckpoint<TrainerProgressState>(resumedFile);
      expect(interrupted.extra.step).toBeGreaterThanOrEqual(3);
      expect(interrupted.extra.step).toBeLessThan(STEPS);
      const resumed = await trainInProcess(resumedFile);
      expect(resumed.result).toEqual({ step: STEPS, resumedFrom: interrupted.extra.step });

      const a = loadCheckpoint<TrainerProgressState>(straightFile);
      const b = loadCheckpoint<TrainerProgressState>(resumedFile);
      const tensors = (c: Checkpoint): [string, Float32Array][] => [
        ...[...c.params].map(([n, t]): [string, Float32Array] => [`param ${n}`, t]),
        ...[...c.optimizer.m].map(([n, t]): [string, Float32Array] => [`adam m ${n}`, t]),
        ...[...c.optimizer.v].map(([n, t]): [string, Float32Array] => [`adam v ${n}`, t]),
      ];
      const bTensors = new Map(tensors(b));
      expect([...bTensors.keys()].sort()).toEqual(tensors(a).map(([n]) => n).sort());
      for (const [name, t] of tensors(a)) expect(bits(bTensors.get(name)!), name).toBe(bits(t)); // bit for bit
      expect(b.optimizer.step).toBe(a.optimizer.step);
      expect(b.extra).toEqual(a.extra); // step, RNG state, data cursor

      // it trained: the parameters moved, the projector and the visual position embeddings too
      const init = new Vlm2vecModel(TINY).stateDict();
      for (const name of ['projector/weight', 'visual_pos']) expect(bits(a.params.get(name)!), name).not.toBe(bits(init.get(name)!));
    } finally {
      dir.cleanup();
    }
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
