// The trainer: learns a toy contrastive task; checkpoints resume exactly (a run that
// "crashes" halfway and resumes ends bit-identical to one that never stopped); cancellation
// (between steps or in the middle of one) leaves a checkpoint that resumes exactly too.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Transformer } from '../../../main/ml/nn/transformer';
import type { TransformerConfig } from '../../../main/ml/nn/transformer';
import { loadCheckpoint } from '../../../main/ml/train/checkpoint';
import { Trainer, train } from '../../../main/ml/train/trainer';
import type { ContrastiveSource, TrainerOptions, TrainerProgressState, TrainProgress } from '../../../main/ml/train/trainer';
import { toySource } from './toy-data';

const dir = mkdtempSync(join(tmpdir(), 'trove-train-'));

function maxDiff(a: Transformer, b: Transformer): number {
  const bs = b.stateDict();
  let d = 0;
  for (const [name, x] of a.stateDict()) {
    const y = bs.get(name)!;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  return d;
}

describe('trainer: toy contrastive task', () => {
  it('learns to match random token sequences to their translations (chance -> > 95% in-batch accuracy)', async () => {
    const cfg: TransformerConfig = { vocab: 64, dim: 64, heads: 2, layers: 1, mlpHidden: 128, maxSeq: 16 };
    const model = new Transformer(cfg, 1);
    const seen: TrainProgress[] = [];
    const t0 = performance.now();
    const r = await train({
      module: model,
      // targets are the queries translated through a fixed random permutation of the vocabulary:
      // an untrained model is at chance (1/32); the model must learn the token correspondences
      source: toySource({ vocab: cfg.vocab, seq: cfg.maxSeq, noise: 0, seed: 9, translate: true }),
      batchSize: 32,
      chunkSize: 16,
      steps: 250,
      lr: 3e-3,
      warmupSteps: 10,
      tau: 0.05,
      onProgress: (p) => seen.push(p),
    });
    const secs = (performance.now() - t0) / 1000;
    // every batch is fresh data and accuracy is measured before the update: the tail is held-out accuracy
    const tail = seen.slice(-20);
    const acc = tail.reduce((s, p) => s + p.accuracy, 0) / tail.length;
    const head = seen.slice(0, 10);
    const headLoss = head.reduce((s, p) => s + p.loss, 0) / head.length;
    const tailLoss = tail.reduce((s, p) => s + p.loss, 0) / tail.length;
    console.log(`toy task: first-10 mean loss ${headLoss.toFixed(3)} acc ${(head.reduce((s, p) => s + p.accuracy, 0) / 10).toFixed(3)}; last-20 mean acc ${acc.toFixed(3)}, loss ${tailLoss.toFixed(3)}; ${secs.toFixed(1)} s, ${seen.at(-1)!.examplesPerSec.toFixed(0)} pairs/s`);
    expect(r).toMatchObject({ step: 250, cancelled: false, resumedFrom: 0 });
    expect(seen.map((p) => p.step)).toEqual(Array.from({ length: 250 }, (_v, i) => i + 1));
    expect(seen[0].accuracy).toBeLessThan(0.2);
    expect(tailLoss).toBeLessThan(headLoss / 10);
    expect(acc).toBeGreaterThan(0.95);
    expect(seen.at(-1)!.etaSec).toBe(0);
    expect(seen[5].etaSec).toBeGreaterThan(0);
    expect(seen[0].lr).toBeCloseTo(3e-4, 10); // warm-up: (step + 1) / 10 of the peak
    expect(seen.at(-1)!.lr).toBeLessThan(1e-3); // cosine decay towards 0.1 x peak
  }, 90_000);
});

const cfg: TransformerConfig = { vocab: 24, dim: 16, heads: 2, layers: 2, mlpHidden: 24, maxSeq: 6, dropout: 0.1 };
const STEPS = 6;

function options(model: Transformer, extra: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    module: model,
    source: toySource({ vocab: cfg.vocab, seq: cfg.maxSeq, noise: 0.3, seed: 2, negatives: 4 }),
    batchSize: 8,
    chunkSize: 4,
    steps: STEPS,
    lr: 1e-2,
    warmupSteps: 2,
    clip: 0.5,
    seed: 77,
    ...extra,
  };
}

describe('trainer: checkpoints', () => {
  for (const gradCache of [true, false]) {
    it(`resume exactly: ${STEPS} steps straight = ${STEPS / 2}, crash, load, ${STEPS / 2} more (${gradCache ? 'GradCache' : 'full batch'})`, async () => {
      const straight = new Transformer(cfg, 4);
      await train(options(straight, { gradCache }));

      const path = join(dir, `resume-${gradCache}.ckpt`);
      const first = new Transformer(cfg, 4);
      const a = await Trainer.create(options(first, { gradCache, checkpoint: { path, every: STEPS / 2 } }));
      expect((await a.run(STEPS / 2)).step).toBe(STEPS / 2);
      await a.release(); // the process "dies" here; `first` is gone

      const ck = loadCheckpoint<TrainerProgressState>(path);
      expect(ck.extra).toMatchObject({ step: STEPS / 2, cursor: STEPS / 2 });
      expect(ck.optimizer.step).toBe(STEPS / 2);

      const resumed = new Transformer(cfg, 99); // different init: everything must come from the checkpoint
      const b = await Trainer.create(options(resumed, { gradCache, checkpoint: { path, every: STEPS / 2 } }));
      const r = await b.run();
      await b.release();
      expect(r).toMatchObject({ step: STEPS, resumedFrom: STEPS / 2, cancelled: false });
      expect(maxDiff(straight, new Transformer(cfg, 4))).toBeGreaterThan(1e-3); // training moved the weights
      expect(maxDiff(straight, resumed)).toBe(0); // bitwise
    }, 60_000);
  }

  it('refuses a checkpoint from a run with another batch size', async () => {
    const path = join(dir, 'other.ckpt');
    const t = await Trainer.create(options(new Transformer(cfg, 4), { steps: 1, checkpoint: { path } }));
    await t.run();
    await t.release();
    await expect(Trainer.create(options(new Transformer(cfg, 4), { batchSize: 4, checkpoint: { path } }))).rejects.toThrow(/batch 8/);
  });
});

describe('trainer: cancellation', () => {
  it('between steps and mid-step: stops, leaves a checkpoint that resumes to the uninterrupted result', async () => {
    const straight = new Transformer(cfg, 4);
    await train(options(straight));

    const path = join(dir, 'cancel.ckpt');
    // 1. abort from the progress callback after step 2: stops before step 3
    const c1 = new AbortController();
    const m1 = new Transformer(cfg, 4);
    const r1 = await train(options(m1, { signal: c1.signal, checkpoint: { path, every: 100 }, onProgress: (p) => p.step === 2 && c1.abort() }));
    expect(r1).toMatchObject({ step: 2, cancelled: true });
    expect(existsSync(path)).toBe(true);
    expect(loadCheckpoint<TrainerProgressState>(path).extra.step).toBe(2);

    // 2. resume, and abort in the middle of step 5 (while its batch is being encoded)
    const c2 = new AbortController();
    const base = options(new Transformer(cfg, 4)).source;
    const aborting: ContrastiveSource = {
      batch: (i, n) => {
        if (i === 4) c2.abort();
        return base.batch(i, n);
      },
    };
    const m2 = new Transformer(cfg, 50);
    const r2 = await train(options(m2, { source: aborting, signal: c2.signal, checkpoint: { path, every: 100 } }));
    expect(r2).toMatchObject({ step: 4, cancelled: true, resumedFrom: 2 });
    expect(loadCheckpoint<TrainerProgressState>(path).extra).toMatchObject({ step: 4, cursor: 4 });

    // 3. resume to the end: identical to the run that was never interrupted
    const m3 = new Transformer(cfg, 51);
    const r3 = await train(options(m3, { checkpoint: { path, every: 100 } }));
    expect(r3).toMatchObject({ step: STEPS, cancelled: false, resumedFrom: 4 });
    expect(maxDiff(straight, m3)).toBe(0);
  }, 60_000);
});
