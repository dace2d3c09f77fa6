// Every registry op's VJP against central finite differences, run through onnxruntime-node.
// float64 throughout (max relative error < 1e-6), except where ORT's CPU EP has no double
// kernel for the op: those cases run in float32 with the looser tolerance stated on them.
import { describe, expect, it } from 'vitest';
import * as o from '../../../main/ml/autodiff/ops';
import { registeredOps, opDef } from '../../../main/ml/autodiff/registry';
import { grad } from '../../../main/ml/autodiff/grad';
import { Graph } from '../../../main/ml/graph/graph';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';
import { forwardOpsOf, gradCheck, mulberry32, randn } from './support';
import type { GradCheckCase } from './support';

const positive = (r: () => number, n: number): number[] => Array.from({ length: n }, () => 0.5 + 1.5 * r());
const awayFromZero = (r: () => number, n: number): number[] => randn(r, n).map((v) => Math.sign(v || 1) * (0.2 + Math.abs(v)));
const distinct = (r: () => number, n: number): number[] => {
  // well-separated values so ReduceMax has no ties within 1e-5
  const base = Array.from({ length: n }, (_v, i) => i * 0.37 - n * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [base[i], base[j]] = [base[j], base[i]];
  }
  return base;
};

const cases: GradCheckCase[] = [
  // elementwise binary, with broadcasting
  { name: 'Add broadcast [2,3,4]+[3,1]', inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [3, 1] }], build: (_g, [a, b]) => o.add(a, b) },
  { name: 'Add scalar-like [2,3]+[1]', inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [1] }], build: (_g, [a, b]) => o.add(a, b) },
  { name: 'Sub both broadcast [2,1,4]-[3,4]', inputs: [{ name: 'a', shape: [2, 1, 4] }, { name: 'b', shape: [3, 4] }], build: (_g, [a, b]) => o.sub(a, b) },
  { name: 'Mul broadcast [2,3]*[2,1]', inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [2, 1] }], build: (_g, [a, b]) => o.mul(a, b) },
  { name: 'Div broadcast [2,3]/[3]', inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3], values: positive }], build: (_g, [a, b]) => o.div(a, b) },
  { name: 'Neg', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.neg(x) },
  { name: 'Pow 3', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.pow(x, 3) },
  { name: 'Pow 2', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.pow(x, 2) },
  { name: 'Pow -0.5', inputs: [{ name: 'x', shape: [2, 3], values: positive }], build: (_g, [x]) => o.pow(x, -0.5) },
  { name: 'Sqrt', inputs: [{ name: 'x', shape: [2, 3], values: positive }], build: (_g, [x]) => o.sqrt(x) },
  { name: 'Exp', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.exp(x) },
  { name: 'Log', inputs: [{ name: 'x', shape: [2, 3], values: positive }], build: (_g, [x]) => o.log(x) },
  { name: 'Tanh', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.tanh(x) },
  { name: 'Sigmoid', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.sigmoid(x) },
  { name: 'Relu', inputs: [{ name: 'x', shape: [2, 3], values: awayFromZero }], build: (_g, [x]) => o.relu(x) },
  { name: 'Sin', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.sin(x) },
  { name: 'Cos', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.cos(x) },
  { name: 'Identity', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.identity(x) },
  { name: 'SiLU (composite)', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.silu(x) },
  { name: 'fan-out accumulation x*x+exp(x)-x', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.sub(o.add(o.mul(x, x), o.exp(x)), x) },
  // softmax family
  { name: 'Softmax axis -1', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.softmax(x, -1) },
  { name: 'Softmax axis 1', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.softmax(x, 1) },
  { name: 'LogSoftmax axis -1', inputs: [{ name: 'x', shape: [2, 5] }], build: (_g, [x]) => o.logSoftmax(x, -1) },
  { name: 'LogSoftmax axis 0', inputs: [{ name: 'x', shape: [3, 4] }], build: (_g, [x]) => o.logSoftmax(x, 0) },
  // reductions
  { name: 'ReduceSum [1]', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.reduceSum(x, [1]) },
  { name: 'ReduceSum [0,2] keepdims', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.reduceSum(x, [0, 2], true) },
  { name: 'ReduceMean [-1] keepdims', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.reduceMean(x, [-1], true) },
  { name: 'ReduceMean all', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.reduceMean(x) },
  { name: 'ReduceMax [1]', inputs: [{ name: 'x', shape: [2, 4, 3], values: distinct }], build: (_g, [x]) => o.reduceMax(x, [1]) },
  { name: 'ReduceMax [-1] keepdims', inputs: [{ name: 'x', shape: [3, 4], values: distinct }], build: (_g, [x]) => o.reduceMax(x, [-1], true) },
  // matrix products
  { name: 'MatMul 2-D', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [4, 2] }], build: (_g, [a, b]) => o.matmul(a, b) },
  { name: 'MatMul [2,3,4]@[4,5] (shared weight)', inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [4, 5] }], build: (_g, [a, b]) => o.matmul(a, b) },
  { name: 'MatMul batch broadcast [2,1,3,4]@[3,4,2]', inputs: [{ name: 'a', shape: [2, 1, 3, 4] }, { name: 'b', shape: [3, 4, 2] }], build: (_g, [a, b]) => o.matmul(a, b) },
  { name: 'MatMul [3,4]@[2,4,5]', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [2, 4, 5] }], build: (_g, [a, b]) => o.matmul(a, b) },
  { name: 'Gemm + bias[N]', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [4, 2] }, { name: 'c', shape: [2] }], build: (_g, [a, b, c]) => o.gemm(a, b, c) },
  { name: 'Gemm transA alpha beta bias[M,1]', inputs: [{ name: 'a', shape: [4, 3] }, { name: 'b', shape: [4, 2] }, { name: 'c', shape: [3, 1] }], build: (_g, [a, b, c]) => o.gemm(a, b, c, { transA: true, alpha: 0.7, beta: -1.3 }) },
  { name: 'Gemm transB', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [2, 4] }], build: (_g, [a, b]) => o.gemm(a, b, undefined, { transB: true, alpha: 1.5 }) },
  { name: 'Gemm transA transB', inputs: [{ name: 'a', shape: [4, 3] }, { name: 'b', shape: [2, 4] }, { name: 'c', shape: [3, 2] }], build: (_g, [a, b, c]) => o.gemm(a, b, c, { transA: true, transB: true }) },
  // shape ops
  { name: 'Reshape', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.mul(o.reshape(x, [0, -1]), o.reshape(x, [2, 12])) },
  { name: 'Transpose', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (_g, [x]) => o.transpose(x, [2, 0, 1]) },
  { name: 'Unsqueeze/Squeeze', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.squeeze(o.mul(o.unsqueeze(x, [1]), o.unsqueeze(x, [1])), [1]) },
  { name: 'Expand', inputs: [{ name: 'x', shape: [3, 1] }], build: (_g, [x]) => o.expand(x, [2, 3, 4]) },
  { name: 'Concat axis 1', inputs: [{ name: 'a', shape: [2, 1, 3] }, { name: 'b', shape: [2, 2, 3] }, { name: 'c', shape: [2, 3, 3] }], build: (_g, [a, b, c]) => o.concat([a, b, c], 1) },
  { name: 'Slice (negative start)', inputs: [{ name: 'x', shape: [3, 6] }], build: (_g, [x]) => o.slice(x, [1, -4], [3, 5], [0, 1]) },
  { name: 'Pad', inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.pad(x, [1, 0, 0, 2]) },
  { name: 'Gather axis 0 (repeated indices)', inputs: [{ name: 'w', shape: [5, 3] }], build: (g, [w]) => o.gather(w, g.constant(BigInt64Array.from([1n, 3n, 1n, 0n, 1n, 4n]), [2, 3], 'int64', 'idx'), 0) },
  { name: 'Gather axis 1', inputs: [{ name: 'x', shape: [2, 4, 3] }], build: (g, [x]) => o.gather(x, g.constant(BigInt64Array.from([3n, 0n, 3n]), [3], 'int64', 'idx'), 1) },
  {
    name: 'Where (broadcast cond)',
    inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3] }],
    build: (g, [a, b]) => o.where(g.constant(Uint8Array.from([1, 0, 1]), [3], 'bool', 'cond'), a, b),
  },
  // values on a 2^-12 grid and h = 2^-10 keep x, x±h exact in float32, so the cast does not quantise the differences
  { name: 'Cast float64 -> float32 -> float64 (x^2)', inputs: [{ name: 'x', shape: [2, 3], values: (r, n) => randn(r, n).map((v) => Math.round(v * 4096) / 4096) }], h: 2 ** -10, build: (_g, [x]) => o.cast(o.mul(o.cast(o.cast(x, 'float32'), 'float64'), x), 'float64') },
  { name: 'Softmax over scores from MatMul (composite)', inputs: [{ name: 'q', shape: [2, 3, 4] }, { name: 'k', shape: [2, 3, 4] }], build: (_g, [q, k]) => o.softmax(o.matmul(q, o.transpose(k, [0, 2, 1]))) },
];

// ORT's CPU EP has no double kernel for Erf ('Could not find an implementation for Erf(13)'): Erf's own VJP is checked in float64 below
// ("Erf in float64"); these float32 cases add the forward-through-ORT check and exact GELU
// (float32 central differences with h = 1e-2 carry ~1e-4 relative error; we allow 2e-3).
const float32Cases: GradCheckCase[] = [
  { name: 'Erf (float32)', dtype: 'float32', tol: 2e-3, h: 1e-2, inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.erf(x) },
  { name: 'GELU exact via Erf (float32)', dtype: 'float32', tol: 2e-3, h: 1e-2, inputs: [{ name: 'x', shape: [2, 3] }], build: (_g, [x]) => o.gelu(x) },
];

describe('autodiff: VJP of every registry op vs central differences (ORT)', () => {
  for (const c of [...cases, ...float32Cases]) {
    it(c.name, async () => {
      const { errors } = await gradCheck(c);
      for (const [name, err] of Object.entries(errors)) expect(err, `${c.name}: d/d${name}`).toBeLessThan(c.tol ?? 1e-6);
    });
  }

  it('covers every differentiable op in the registry', () => {
    // from the cases' own graphs, so the check holds whatever ran before it (or did not)
    const covered = new Set([...cases, ...float32Cases].flatMap((c) => [...forwardOpsOf(c)]));
    const differentiable = registeredOps().filter((t) => opDef(t).vjp);
    const missing = differentiable.filter((t) => !covered.has(t));
    expect(missing).toEqual([]);
  });
});

describe('autodiff with symbolic dims', () => {
  it('gradients of a graph with symbolic batch/seq (mean over seq, concat onto a symbolic part, open and negative-ended slices) equal the static graph', async () => {
    const rand = mulberry32(3);
    const xv = Float64Array.from(randn(rand, 2 * 3 * 4));
    const wv = Float64Array.from(randn(rand, 16));
    const pv = Float64Array.from(randn(rand, 8));
    const sv = Float64Array.from(randn(rand, 8));
    const run = async (symbolic: boolean): Promise<Record<string, Float64Array>> => {
      const g = new Graph({ paramDType: 'float64' });
      const x = g.input('x', 'float64', symbolic ? ['batch', 'seq', 4] : [2, 3, 4]);
      const w = g.input('w', 'float64', [4, 4]);
      const p = g.input('p', 'float64', [1, 2, 4]);
      const seed = g.input('s', 'float64', symbolic ? ['batch', 4] : [2, 4]);
      const prefix = o.mul(o.reduceMean(x, [1], true), p);
      const h = o.concat([prefix, x], 1);
      const y = o.add(o.reduceMean(o.tanh(o.matmul(h, w)), [1]), o.reduceSum(o.mul(o.slice(h, [1], [-2], [1]), o.slice(h, [3], [2 ** 31 - 1], [1])), [1]));
      const [gx, gw, gp] = grad([y], [x, w, p], { seeds: [seed] });
      const s = await createSession(toOnnx(g, { outputs: { y, gx, gw, gp } }).model, { providers: ['cpu'] });
      const r = await s.run({
        x: { dtype: 'float64', data: xv, dims: [2, 3, 4] },
        w: { dtype: 'float64', data: wv, dims: [4, 4] },
        p: { dtype: 'float64', data: pv, dims: [1, 2, 4] },
        s: { dtype: 'float64', data: sv, dims: [2, 4] },
      });
      await s.release();
      return Object.fromEntries(Object.keys(r).map((k) => [k, r[k].data as Float64Array]));
    };
    const a = await run(false);
    const b = await run(true);
    for (const k of ['y', 'gx', 'gw', 'gp']) for (let i = 0; i < a[k].length; i++) expect(Math.abs(a[k][i] - b[k][i]), k).toBeLessThan(1e-12);
  });
});

describe('Erf in float64', () => {
  // ORT cannot run Erf in double, but Erf's VJP (2/sqrt(pi) exp(-x^2) gy) needs no Erf node,
  // so the gradient graph runs in float64; the forward for the central differences is a
  // float64 Maclaurin series of erf (exact to ~1e-15 on |x| <= 2) in JS.
  const erf64 = (x: number): number => {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };

  it('its VJP matches central differences (max relative error < 1e-6)', async () => {
    const rand = mulberry32(11);
    const xv = Float64Array.from(randn(rand, 6), (v) => Math.max(-2, Math.min(2, v)));
    const rv = randn(rand, 6);
    const g = new Graph({ paramDType: 'float64' });
    const x = g.input('x', 'float64', [2, 3]);
    const loss = o.reduceSum(o.mul(o.erf(x), o.constantLike(x, rv, [2, 3], 'R')));
    const [gx] = grad(loss, [x]);
    const model = toOnnx(g, { outputs: { gx } });
    expect(g.nodes.some((n) => n.opType === 'Erf')).toBe(true);
    const session = await createSession(model.model, { providers: ['cpu'], graphOptimizationLevel: 'basic' });
    const analytic = (await session.run({ x: { dtype: 'float64', data: xv, dims: [2, 3] } })).gx.data as Float64Array;
    await session.release();
    const lossAt = (v: Float64Array) => v.reduce((s, xi, i) => s + erf64(xi) * rv[i], 0);
    const h = 1e-5;
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < xv.length; i++) {
      const plus = Float64Array.from(xv);
      const minus = Float64Array.from(xv);
      plus[i] += h;
      minus[i] -= h;
      const fd = (lossAt(plus) - lossAt(minus)) / (2 * h);
      maxDiff = Math.max(maxDiff, Math.abs(analytic[i] - fd));
      maxRef = Math.max(maxRef, Math.abs(fd));
    }
    expect(maxDiff / maxRef).toBeLessThan(1e-6);
  });
});
