// Module bookkeeping: parameter names, checkpoints (state dicts), LoRA freezing, dropout replay.
import { describe, expect, it } from 'vitest';
import { Graph } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { Ctx } from '../../../main/ml/nn/context';
import { Rng } from '../../../main/ml/random';
import { Linear } from '../../../main/ml/nn/layers';
import { Transformer } from '../../../main/ml/nn/transformer';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';
import { fillDropoutMask } from '../../../main/ml/nn/context';

const cfg = { vocab: 10, dim: 8, heads: 2, layers: 2, mlpHidden: 12, maxSeq: 8 };

describe('nn modules', () => {
  it('names parameters by layer and round-trips a state dict', () => {
    const a = new Transformer(cfg, 1);
    const names = [...a.stateDict().keys()];
    expect(names).toContain('embed/weight');
    expect(names).toContain('block0/attn/q/weight');
    expect(names).toContain('block1/mlp/gate/weight');
    expect(names).toContain('norm/weight');
    expect(new Set(names).size).toBe(names.length);
    const b = new Transformer(cfg, 2);
    expect(b.stateDict().get('block0/attn/q/weight')).not.toEqual(a.stateDict().get('block0/attn/q/weight'));
    // copies, as a checkpoint would hold them
    b.loadStateDict(new Map([...a.stateDict()].map(([k, v]) => [k, v.slice()])));
    for (const [k, v] of a.stateDict()) expect(b.stateDict().get(k)).toEqual(v);
    expect(() => b.loadStateDict(new Map([['embed/weight', new Float32Array(3)]]), false)).toThrow(/values/);
    expect(() => b.loadStateDict(new Map())).toThrow(/missing/);
  });

  it('LoRA freezes the base weight and adds trainable A, B (B = 0, so outputs are unchanged)', () => {
    const lin = new Linear('proj', 4, 3, new Rng(1));
    lin.enableLora(2, 4, new Rng(2));
    const ps = lin.parameters();
    expect(ps.map((p) => [p.name, p.trainable])).toEqual([
      ['proj/weight', false],
      ['proj/bias', false],
      ['proj/lora_A', true],
      ['proj/lora_B', true],
    ]);
    expect(Array.from(ps[3].data).every((v) => v === 0)).toBe(true);
    const g = new Graph();
    const ctx = new Ctx(g);
    lin.forward(ctx, g.input('x', 'float32', ['batch', 4]));
    expect(g.trainableParams().map((p) => p.name)).toEqual(['proj/lora_A', 'proj/lora_B']);
    expect(g.nodes.map((n) => n.name)).toContain('proj/lora/MatMul');
  });

  it('creates dropout masks only in training graphs, replayable from a seed', () => {
    const m = new Transformer({ ...cfg, dropout: 0.5 }, 1);
    const build = (train: boolean): Ctx => {
      const g = new Graph();
      const ctx = new Ctx(g, { train });
      m.forward(ctx, g.input('ids', 'int64', ['batch', 'seq']), g.input('mask', 'float32', ['batch', 'seq']));
      return ctx;
    };
    expect(build(false).dropoutSites).toEqual([]);
    const ctx = build(true);
    expect(ctx.dropoutSites.map((s) => s.name)).toEqual(['block0/dropout_mask', 'block0/dropout_mask_1', 'block1/dropout_mask', 'block1/dropout_mask_1']);
    const f1 = ctx.dropoutFeeds(7, { batch: 2, seq: 3 });
    const f2 = ctx.dropoutFeeds(7, { batch: 2, seq: 3 });
    const f3 = ctx.dropoutFeeds(8, { batch: 2, seq: 3 });
    expect(f1['block0/dropout_mask'].dims).toEqual([2, 3, 8]);
    expect(f1['block0/dropout_mask'].data).toEqual(f2['block0/dropout_mask'].data);
    expect(f1['block0/dropout_mask'].data).not.toEqual(f3['block0/dropout_mask'].data);
    expect(new Set(Array.from(f1['block1/dropout_mask'].data))).toEqual(new Set([0, 2]));
    expect(() => ctx.dropoutFeeds(7, { batch: 2 })).toThrow(/seq/);
  });
});

describe('LoRA merge', () => {
  it('folding A B alpha/r into W leaves the outputs unchanged', async () => {
    const lin = new Linear('proj', 6, 5, new Rng(1));
    lin.enableLora(3, 6, new Rng(2));
    for (const p of lin.parameters()) if (p.name === 'proj/lora_B') p.data.set(new Rng(3).normals(p.data.length, 0.5));
    const x = new Rng(4).normals(2 * 6, 1);
    const run = async (): Promise<Float32Array> => {
      const g = new Graph();
      const y = lin.forward(new Ctx(g), g.input('x', 'float32', ['batch', 6]));
      const s = await createSession(toOnnx(g, { outputs: { y } }).model, { providers: ['cpu'] });
      const out = (await s.run({ x: { dtype: 'float32', data: x, dims: [2, 6] } })).y.data as Float32Array;
      await s.release();
      return out;
    };
    const before = await run();
    lin.mergeLora();
    expect(lin.hasLora).toBe(false);
    expect(lin.parameters().map((p) => [p.name, p.trainable])).toEqual([
      ['proj/weight', true],
      ['proj/bias', true],
    ]);
    const after = await run();
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i], 5);
  });
});

describe('symbolic dim expressions', () => {
  it('dropout masks on concatenated / sliced symbolic sequences get concrete sizes', () => {
    const g = new Graph();
    const ctx = new Ctx(g, { train: true });
    const x = g.input('x', 'float32', ['batch', 'seq', 8]);
    const visual = g.input('visual', 'float32', ['batch', 3, 8]);
    const h = o.concat([visual, x], 1);
    expect(h.shape).toEqual(['batch', '3+seq', 8]);
    ctx.dropout(h, 0.5);
    ctx.dropout(o.slice(h, [1], [-2], [1]), 0.5);
    const f = ctx.dropoutFeeds(1, { batch: 2, seq: 4 });
    expect(Object.values(f).map((v) => v.dims)).toEqual([
      [2, 7, 8],
      [2, 4, 8],
    ]);
  });
});

describe('named stacks', () => {
  it('a Transformer with a name prefixes both parameter and node names', () => {
    const m = new Transformer(cfg, 1, 'text');
    const g = new Graph();
    m.forward(new Ctx(g), g.input('ids', 'int64', ['batch', 'seq']), g.input('mask', 'float32', ['batch', 'seq']));
    expect([...m.stateDict().keys()]).toContain('text/block0/attn/q/weight');
    const names = g.nodes.map((n) => n.name);
    expect(names).toContain('text/block0/attn/q/MatMul');
    expect(names).toContain('text/embed/Gather');
  });
});

describe('fillDropoutMask', () => {
  it('drops about p of the values, scales the rest by 1/(1-p), and fills odd lengths', () => {
    const data = new Float32Array(100_001);
    fillDropoutMask(data, 0.25, new Rng(3));
    const zeros = data.filter((v) => v === 0).length;
    expect(zeros / data.length).toBeGreaterThan(0.24);
    expect(zeros / data.length).toBeLessThan(0.26);
    expect(new Set(data)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    const again = new Float32Array(100_001);
    fillDropoutMask(again, 0.25, new Rng(3));
    expect(again).toEqual(data);
  });
});

