// Shared helpers for the ml tests: a seeded PRNG, ORT runs, finite-difference checks.
import { Graph } from '../../../main/ml/graph/graph';
import type { DType, Shape, Tensor } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { grad } from '../../../main/ml/autodiff/grad';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';
import type { HostTensor } from '../../../main/ml/runtime/session';
import { uniformSource } from '../../../main/ml/random';

export const mulberry32 = uniformSource;

export function randn(rand: () => number, n: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    out.push(scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

export interface CheckInput {
  name: string;
  shape: number[];
  /** value generator; default standard normal */
  values?: (rand: () => number, n: number) => number[];
}

export interface GradCheckCase {
  name: string;
  dtype?: 'float32' | 'float64';
  inputs: CheckInput[];
  build: (g: Graph, xs: Tensor[]) => Tensor;
  /** max relative error allowed (default 1e-6) */
  tol?: number;
  /** finite-difference step (default 1e-5) */
  h?: number;
}

export interface GradCheckResult {
  errors: Record<string, number>;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function buildCase(c: GradCheckCase): { g: Graph; xs: Tensor[]; y: Tensor } {
  const dtype: DType = c.dtype ?? 'float64';
  const g = new Graph({ name: c.name, paramDType: dtype === 'float64' ? 'float64' : 'float32' });
  const xs = c.inputs.map((i) => g.input(i.name, dtype, i.shape));
  return { g, xs, y: c.build(g, xs) };
}

/** The op types a case's forward graph uses (builds the graph only; runs nothing). */
export function forwardOpsOf(c: GradCheckCase): Set<string> {
  return new Set(buildCase(c).g.nodes.map((n) => n.opType));
}

/**
 * Builds loss = sum(build(xs) * R) (R a fixed random tensor), differentiates it with our
 * autodiff, runs forward + backward in onnxruntime-node, and compares every input gradient
 * against central differences of the same forward graph run through ORT.
 * Error = max_i |g_i - fd_i| / max_i |fd_i| per input.
 */
export async function gradCheck(c: GradCheckCase, seed = 1): Promise<GradCheckResult> {
  const dtype: DType = c.dtype ?? 'float64';
  const rand = mulberry32(seed);
  const { g, xs, y } = buildCase(c);
  const yShape = y.shape as number[];
  const r = o.constantLike(y, randn(rand, numel(yShape)), yShape, 'R');
  const loss = o.reduceSum(o.mul(y, r));
  const grads = grad(loss, xs);
  const outputs: Record<string, Tensor> = { loss };
  grads.forEach((gt, i) => (outputs[`grad_${c.inputs[i].name}`] = gt));
  const train = toOnnx(g, { outputs });
  const fwd = toOnnx(g, { outputs: { loss } });
  // 'basic': ORT's extended fusions (e.g. QuickGelu for x*sigmoid(x)) have float-only kernels
  const sTrain = await createSession(train.model, { providers: ['cpu'], graphOptimizationLevel: 'basic' });
  const sFwd = await createSession(fwd.model, { providers: ['cpu'], graphOptimizationLevel: 'basic' });

  const Arr = dtype === 'float64' ? Float64Array : Float32Array;
  const values = c.inputs.map((i) => Arr.from((i.values ?? ((rr, n) => randn(rr, n)))(rand, numel(i.shape))));
  const feeds = (): Record<string, HostTensor> => {
    const f: Record<string, HostTensor> = {};
    c.inputs.forEach((inp, k) => {
      if (train.inputNames.includes(inp.name) || fwd.inputNames.includes(inp.name)) f[inp.name] = { dtype, data: values[k], dims: inp.shape };
    });
    return f;
  };
  const pick = (f: Record<string, HostTensor>, names: string[]): Record<string, HostTensor> => Object.fromEntries(Object.entries(f).filter(([k]) => names.includes(k)));
  const res = await sTrain.run(pick(feeds(), train.inputNames));
  const h = c.h ?? 1e-5;
  const errors: Record<string, number> = {};
  for (let k = 0; k < c.inputs.length; k++) {
    const name = c.inputs[k].name;
    const analytic = res[`grad_${name}`].data as Float64Array | Float32Array;
    const fd = new Float64Array(values[k].length);
    for (let e = 0; e < values[k].length; e++) {
      const orig = values[k][e];
      values[k][e] = orig + h;
      const plus = Number((await sFwd.run(pick(feeds(), fwd.inputNames))).loss.data[0]);
      values[k][e] = orig - h;
      const minus = Number((await sFwd.run(pick(feeds(), fwd.inputNames))).loss.data[0]);
      values[k][e] = orig;
      fd[e] = (plus - minus) / (2 * h);
    }
    let maxDiff = 0;
    let maxRef = 0;
    for (let e = 0; e < fd.length; e++) {
      maxDiff = Math.max(maxDiff, Math.abs(analytic[e] - fd[e]));
      maxRef = Math.max(maxRef, Math.abs(fd[e]));
    }
    errors[name] = maxRef === 0 ? maxDiff : maxDiff / maxRef;
  }
  await sTrain.release();
  await sFwd.release();
  return { errors };
}

export type { Shape };
