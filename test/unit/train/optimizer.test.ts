import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adamWStep, clipGradNorm, createAdamWState } from '../../../main/ml/train/adamw';
import { loadCheckpoint, saveCheckpoint } from '../../../main/ml/train/checkpoint';
import { learningRate } from '../../../main/ml/train/schedule';

describe('AdamW', () => {
  it('takes the textbook first step: lr * sign(g) plus decoupled decay', () => {
    const params = new Map([['w', new Float32Array([1, -2])]]);
    const grads = new Map([['w', new Float32Array([0.5, -3])]]);
    const state = createAdamWState(params);
    adamWStep(params, grads, state, 0.1, { weightDecay: 0.01, noDecay: () => false });
    // bias-corrected m/sqrt(v) = sign(g) on step 1 (up to eps)
    expect(params.get('w')![0]).toBeCloseTo(1 - 0.1 * (1 + 0.01 * 1), 5);
    expect(params.get('w')![1]).toBeCloseTo(-2 - 0.1 * (-1 + 0.01 * -2), 5);
    expect(state.step).toBe(1);
  });

  it('minimises a quadratic', () => {
    const params = new Map([['x', new Float32Array([3, -4])]]);
    const state = createAdamWState(params);
    for (let i = 0; i < 500; i++) {
      const x = params.get('x')!;
      adamWStep(params, new Map([['x', new Float32Array([2 * x[0], 2 * x[1]])]]), state, 0.05, { weightDecay: 0 });
    }
    expect(Math.hypot(...params.get('x')!)).toBeLessThan(0.05);
  });

  it('clips by global norm', () => {
    const grads = new Map([['a', new Float32Array([3])], ['b', new Float32Array([4])]]);
    expect(clipGradNorm(grads, 1)).toBeCloseTo(5);
    expect(grads.get('a')![0]).toBeCloseTo(0.6);
    expect(grads.get('b')![0]).toBeCloseTo(0.8);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, peaks, and decays to the floor', () => {
    const o = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1 };
    expect(learningRate(0, o)).toBeCloseTo(1e-4);
    expect(learningRate(9, o)).toBeCloseTo(1e-3);
    expect(learningRate(60, o)).toBeCloseTo(1e-3 * (0.1 + 0.9 * 0.5));
    expect(learningRate(110, o)).toBeCloseTo(1e-4);
  });
});

describe('checkpoints', () => {
  it('round-trip parameters, optimiser state and progress exactly', () => {
    const params = new Map([['w', new Float32Array([1.5, -2.25, 3e-8])], ['b', new Float32Array([7])]]);
    const state = createAdamWState(params);
    adamWStep(params, new Map([['w', new Float32Array([0.1, 0.2, 0.3])]]), state, 0.01);
    const file = join(mkdtempSync(join(tmpdir(), 'trove-ck-')), 'run.ckpt');
    saveCheckpoint(file, { params, optimizer: state, extra: { step: 1, rng: [1, 2, 3] } });
    const back = loadCheckpoint<{ step: number }>(file);
    expect([...back.params.get('w')!]).toEqual([...params.get('w')!]);
    expect([...back.optimizer.v.get('w')!]).toEqual([...state.v.get('w')!]);
    expect(back.optimizer.step).toBe(1);
    expect(back.extra.step).toBe(1);
  });

  it('refuses a file that is not a checkpoint, and a truncated one, with advice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-ck-'));
    writeFileSync(join(dir, 'bad'), 'hello');
    expect(() => loadCheckpoint(join(dir, 'bad'))).toThrow(/not a Trove checkpoint.*delete/);
    const params = new Map([['w', new Float32Array(100)]]);
    saveCheckpoint(join(dir, 'ok'), { params, optimizer: createAdamWState(params), extra: null });
    const bytes = readFileSync(join(dir, 'ok'));
    writeFileSync(join(dir, 'cut'), bytes.subarray(0, bytes.length - 50));
    expect(() => loadCheckpoint(join(dir, 'cut'))).toThrow(/truncated/);
  });
});
