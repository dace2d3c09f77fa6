// Forward builders and their registry entries (shape inference + vector-Jacobian product),
// side by side: each `defineOp` below is the op's one definition. VJPs are written with the
// same builders, so backward graphs are ordinary ONNX.
//
// Conventions: binary elementwise ops broadcast numpy-style; a `number` operand becomes a
// scalar constant of the other operand's dtype. Axes, shapes, starts/ends are static.
import { attr, attrInt, attrInts, isFloat, isStatic, numel, typedArrayOf } from '../graph/graph';
import type { Attrs, DType, Dim, Shape, Tensor } from '../graph/graph';
import { apply, apply1, broadcastDims, defineOp, normAxis } from './registry';
import type { OutSpec, VjpArgs } from './registry';

type TensorLike = Tensor | number;

const same = (inputs: readonly Tensor[]): OutSpec[] => [{ dtype: inputs[0].dtype, shape: inputs[0].shape }];

function lift(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new Error('at least one operand must be a tensor');
  const ta = typeof a === 'number' ? (b as Tensor).graph.scalar(a, (b as Tensor).dtype) : a;
  const tb = typeof b === 'number' ? ta.graph.scalar(b, ta.dtype) : b;
  return [ta, tb];
}

function checkSameDType(op: string, inputs: readonly Tensor[]): DType {
  const d = inputs[0].dtype;
  for (const t of inputs) if (t.dtype !== d) throw new Error(`${op}: dtype mismatch ${inputs.map((i) => `${i.name}:${i.dtype}`).join(', ')}`);
  return d;
}

const binaryInfer =
  (op: string, outDType?: DType) =>
  (inputs: readonly Tensor[]): OutSpec[] => {
    const d = checkSameDType(op, inputs);
    return [{ dtype: outDType ?? d, shape: broadcastDims(inputs[0].shape, inputs[1].shape, op) }];
  };

// ---------------------------------------------------------------------------------------
// Shape utilities built from ops (used by VJPs).

export function shapeOf(x: Tensor): Tensor {
  return apply1('Shape', [x]);
}

/** Reshape `x` to `ref`'s shape (static constant when known, else Shape(ref)). */
export function reshapeLike(x: Tensor, ref: Tensor): Tensor {
  if (x.shape.length === ref.shape.length && x.shape.every((d, i) => d === ref.shape[i])) return x;
  const target = isStatic(ref.shape) ? x.graph.int64s(ref.shape as number[], 'shape') : shapeOf(ref);
  return apply1('Reshape', [x, target], {}, { outShape: ref.shape });
}

/** Broadcast `x` up to `ref`'s shape. */
export function expandLike(x: Tensor, ref: Tensor): Tensor {
  if (x.shape.length === ref.shape.length && x.shape.every((d, i) => d === ref.shape[i])) return x;
  const target = isStatic(ref.shape) ? x.graph.int64s(ref.shape as number[], 'shape') : shapeOf(ref);
  return apply1('Expand', [x, target], {}, { outShape: broadcastDims(x.shape, ref.shape) });
}

export function zerosLike(x: Tensor): Tensor {
  return expandLike(x.graph.scalar(0, x.dtype), x);
}

/**
 * Sums a broadcast gradient `gy` back down to `x`'s shape: reduce over the axes that
 * broadcasting added or stretched, then reshape.
 */
export function unbroadcast(gy: Tensor, x: Tensor): Tensor {
  const R = gy.shape.length;
  const r = x.shape.length;
  const axes: number[] = [];
  for (let i = 0; i < R; i++) {
    const j = i - (R - r);
    if (j < 0) axes.push(i);
    else if (x.shape[j] === 1 && gy.shape[i] !== 1) axes.push(i);
  }
  let g = gy;
  if (axes.length) g = reduceSum(g, axes, true);
  return reshapeLike(g, x);
}

// ---------------------------------------------------------------------------------------
// Elementwise binary

export const add = (a: TensorLike, b: TensorLike): Tensor => apply1('Add', lift(a, b));
export const sub = (a: TensorLike, b: TensorLike): Tensor => apply1('Sub', lift(a, b));
export const mul = (a: TensorLike, b: TensorLike): Tensor => apply1('Mul', lift(a, b));
export const div = (a: TensorLike, b: TensorLike): Tensor => apply1('Div', lift(a, b));

defineOp({
  type: 'Add',
  infer: binaryInfer('Add'),
  vjp: ({ node, gy, needs }) => [needs[0] ? unbroadcast(gy, node.inputs[0]) : undefined, needs[1] ? unbroadcast(gy, node.inputs[1]) : undefined],
});
defineOp({
  type: 'Sub',
  infer: binaryInfer('Sub'),
  vjp: ({ node, gy, needs }) => [needs[0] ? unbroadcast(gy, node.inputs[0]) : undefined, needs[1] ? unbroadcast(neg(gy), node.inputs[1]) : undefined],
});
defineOp({
  type: 'Mul',
  infer: binaryInfer('Mul'),
  vjp: ({ node, gy, needs }) => {
    const [a, b] = node.inputs;
    return [needs[0] ? unbroadcast(mul(gy, b), a) : undefined, needs[1] ? unbroadcast(mul(gy, a), b) : undefined];
  },
});
defineOp({
  type: 'Div',
  infer: binaryInfer('Div'),
  vjp: ({ node, gy, needs }) => {
    const [a, b] = node.inputs;
    const y = node.outputs[0];
    return [needs[0] ? unbroadcast(div(gy, b), a) : undefined, needs[1] ? unbroadcast(neg(div(mul(gy, y), b)), b) : undefined];
  },
});

/** x ** c for a constant exponent c. */
export function pow(x: Tensor, c: number): Tensor {
  return apply1('Pow', [x, x.graph.scalar(c, x.dtype)], {}, { exponent: c });
}
defineOp({
  type: 'Pow',
  infer: (inputs, _a, meta) => {
    if (typeof meta.exponent !== 'number') throw new Error('Pow: only a constant exponent (pow(x, c)) is supported');
    return binaryInfer('Pow')(inputs);
  },
  vjp: ({ node, gy, needs }) => {
    const x = node.inputs[0];
    const c = node.meta.exponent as number;
    if (needs[1]) throw new Error('Pow: no gradient for the exponent');
    const dydx = c === 1 ? undefined : c === 2 ? mul(x, 2) : mul(pow(x, c - 1), c);
    return [dydx ? mul(gy, dydx) : gy, undefined];
  },
});

// Comparisons / logic: bool outputs, not differentiable.
export const equal = (a: TensorLike, b: TensorLike): Tensor => apply1('Equal', lift(a, b));
export const greater = (a: TensorLike, b: TensorLike): Tensor => apply1('Greater', lift(a, b));
export const less = (a: TensorLike, b: TensorLike): Tensor => apply1('Less', lift(a, b));
export const not = (a: Tensor): Tensor => apply1('Not', [a]);
defineOp({ type: 'Equal', infer: binaryInfer('Equal', 'bool') });
defineOp({ type: 'Greater', infer: binaryInfer('Greater', 'bool') });
defineOp({ type: 'Less', infer: binaryInfer('Less', 'bool') });
defineOp({ type: 'Not', infer: same });

// ---------------------------------------------------------------------------------------
// Elementwise unary

const unary =
  (type: string) =>
  (x: Tensor): Tensor =>
    apply1(type, [x]);
export const neg = unary('Neg');
export const sqrt = unary('Sqrt');
export const exp = unary('Exp');
export const log = unary('Log');
export const tanh = unary('Tanh');
export const erf = unary('Erf');
export const sigmoid = unary('Sigmoid');
export const relu = unary('Relu');
export const sin = unary('Sin');
export const cos = unary('Cos');
export const identity = unary('Identity');

type UnaryVjp = (x: Tensor, y: Tensor, gy: Tensor) => Tensor;
function defineUnary(type: string, vjp: UnaryVjp): void {
  defineOp({ type, infer: same, vjp: ({ node, gy }) => [vjp(node.inputs[0], node.outputs[0], gy)] });
}
defineUnary('Neg', (_x, _y, gy) => neg(gy));
defineUnary('Identity', (_x, _y, gy) => gy);
defineUnary('Sqrt', (_x, y, gy) => div(mul(gy, 0.5), y));
defineUnary('Exp', (_x, y, gy) => mul(gy, y));
defineUnary('Log', (x, _y, gy) => div(gy, x));
defineUnary('Tanh', (_x, y, gy) => mul(gy, sub(1, mul(y, y))));
defineUnary('Sigmoid', (_x, y, gy) => mul(gy, mul(y, sub(1, y))));
defineUnary('Relu', (x, _y, gy) => where(greater(x, 0), gy, 0));
defineUnary('Erf', (x, _y, gy) => mul(gy, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))));
defineUnary('Sin', (x, _y, gy) => mul(gy, cos(x)));
defineUnary('Cos', (x, _y, gy) => neg(mul(gy, sin(x))));

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), composed from Erf. */
export function gelu(x: Tensor): Tensor {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}
/** SiLU / swish: x * sigmoid(x). */
export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

// ---------------------------------------------------------------------------------------
// Softmax family (axis attribute, opset 13+ semantics: along one axis)

export const softmax = (x: Tensor, axis = -1): Tensor => apply1('Softmax', [x], { axis: attr.i(axis) });
export const logSoftmax = (x: Tensor, axis = -1): Tensor => apply1('LogSoftmax', [x], { axis: attr.i(axis) });
defineOp({
  type: 'Softmax',
  infer: same,
  vjp: ({ node, gy }) => {
    const y = node.outputs[0];
    const axis = attrInt(node.attrs, 'axis', -1);
    return [mul(y, sub(gy, reduceSum(mul(gy, y), [axis], true)))];
  },
});
defineOp({
  type: 'LogSoftmax',
  infer: same,
  vjp: ({ node, gy }) => {
    const y = node.outputs[0];
    const axis = attrInt(node.attrs, 'axis', -1);
    return [sub(gy, mul(exp(y), reduceSum(gy, [axis], true)))];
  },
});

// ---------------------------------------------------------------------------------------
// Reductions (opset 18: axes are an int64 input)

function reduceInfer(inputs: readonly Tensor[], _a: Attrs, meta: Readonly<Record<string, unknown>>): OutSpec[] {
  const x = inputs[0];
  const axes = (meta.axes as number[]).map((a) => normAxis(a, x.shape.length));
  const keep = meta.keepdims as boolean;
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
}

function reduce(type: string, x: Tensor, axes: readonly number[] | undefined, keepdims: boolean): Tensor {
  const ax = (axes ?? x.shape.map((_d, i) => i)).map((a) => normAxis(a, x.shape.length));
  return apply1(type, [x, x.graph.int64s(ax, 'axes')], { keepdims: attr.i(keepdims ? 1 : 0) }, { axes: ax, keepdims });
}
export const reduceSum = (x: Tensor, axes?: readonly number[], keepdims = false): Tensor => reduce('ReduceSum', x, axes, keepdims);
export const reduceMean = (x: Tensor, axes?: readonly number[], keepdims = false): Tensor => reduce('ReduceMean', x, axes, keepdims);
export const reduceMax = (x: Tensor, axes?: readonly number[], keepdims = false): Tensor => reduce('ReduceMax', x, axes, keepdims);

/** The reduced tensor `t` of `node`, with the reduced axes restored as size-1 dims. */
function keptDims(node: VjpArgs['node'], t: Tensor): Tensor {
  if (node.meta.keepdims) return t;
  return unsqueeze(t, node.meta.axes as number[]);
}

defineOp({
  type: 'ReduceSum',
  infer: reduceInfer,
  vjp: ({ node, gy }) => [expandLike(keptDims(node, gy), node.inputs[0]), undefined],
});
defineOp({
  type: 'ReduceMean',
  infer: reduceInfer,
  vjp: ({ node, gy }) => {
    const x = node.inputs[0];
    const axes = node.meta.axes as number[];
    if (axes.every((a) => typeof x.shape[a] === 'number')) {
      const n = axes.reduce((p, a) => p * (x.shape[a] as number), 1);
      return [expandLike(keptDims(node, mul(gy, 1 / n)), x), undefined];
    }
    // Symbolic reduced dims: the count comes from Shape(x) at run time.
    const count = cast(apply1('ReduceProd', [gather(shapeOf(x), x.graph.int64s(axes, 'axes'), 0), x.graph.int64s([0], 'axes')], { keepdims: attr.i(0) }, { axes: [0], keepdims: false }), x.dtype);
    return [expandLike(keptDims(node, div(gy, count)), x), undefined];
  },
});
// int64 shape arithmetic (ReduceMean's symbolic count); not differentiable.
defineOp({ type: 'ReduceProd', infer: reduceInfer });
defineOp({
  type: 'ReduceMax',
  infer: reduceInfer,
  vjp: ({ node, gy }) => {
    // Subgradient: split evenly between tied maxima.
    const x = node.inputs[0];
    const y = keptDims(node, node.outputs[0]);
    const mask = cast(equal(x, y), x.dtype);
    const count = reduceSum(mask, node.meta.axes as number[], true);
    return [mul(mask, div(keptDims(node, gy), count)), undefined];
  },
});

// ---------------------------------------------------------------------------------------
// Matrix products

/** Batched matmul, numpy semantics for rank >= 2 (batch dims broadcast). */
export const matmul = (a: Tensor, b: Tensor): Tensor => apply1('MatMul', [a, b]);

function swapLast2(x: Tensor): Tensor {
  const r = x.shape.length;
  const perm = x.shape.map((_d, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(x, perm);
}

defineOp({
  type: 'MatMul',
  infer: (inputs) => {
    const [a, b] = inputs;
    checkSameDType('MatMul', inputs);
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error('MatMul: operands must have rank >= 2');
    const [m, k1] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) throw new Error(`MatMul: inner dims ${k1} != ${k2}`);
    const batch = broadcastDims(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
    return [{ dtype: a.dtype, shape: [...batch, m, n] }];
  },
  vjp: ({ node, gy, needs }) => {
    const [a, b] = node.inputs;
    let ga: Tensor | undefined;
    let gb: Tensor | undefined;
    if (needs[0]) ga = unbroadcast(matmul(gy, swapLast2(b)), a);
    if (needs[1]) {
      if (b.shape.length === 2 && a.shape.length > 2) {
        // Shared weight (Linear): fold the batch dims into rows, one Gemm.
        const k = a.shape[a.shape.length - 1];
        const n = b.shape[1];
        const a2 = reshape(a, [-1, k as number]);
        const g2 = reshape(gy, [-1, n as number]);
        gb = gemm(a2, g2, undefined, { transA: true });
      } else {
        gb = unbroadcast(matmul(swapLast2(a), gy), b);
      }
    }
    return [ga, gb];
  },
});

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}
/** alpha * A' B' + beta * C (A', B' optionally transposed; C broadcasts to [M, N]). */
export function gemm(a: Tensor, b: Tensor, c?: Tensor, o: GemmOptions = {}): Tensor {
  const attrs: Attrs = {};
  if (o.transA) attrs.transA = attr.i(1);
  if (o.transB) attrs.transB = attr.i(1);
  if (o.alpha !== undefined && o.alpha !== 1) attrs.alpha = attr.f(o.alpha);
  if (o.beta !== undefined && o.beta !== 1) attrs.beta = attr.f(o.beta);
  return apply1('Gemm', c ? [a, b, c] : [a, b], attrs);
}
defineOp({
  type: 'Gemm',
  infer: (inputs, attrs) => {
    const [a, b] = inputs;
    checkSameDType('Gemm', inputs);
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('Gemm: A and B must be 2-D');
    const m = attrInt(attrs, 'transA', 0) ? a.shape[1] : a.shape[0];
    const n = attrInt(attrs, 'transB', 0) ? b.shape[0] : b.shape[1];
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
  vjp: ({ node, gy, needs }) => {
    const [a, b, c] = node.inputs;
    const tA = attrInt(node.attrs, 'transA', 0) === 1;
    const tB = attrInt(node.attrs, 'transB', 0) === 1;
    const alpha = attrInt(node.attrs, 'alpha', 1);
    const beta = attrInt(node.attrs, 'beta', 1);
    let ga: Tensor | undefined;
    let gb: Tensor | undefined;
    let gc: Tensor | undefined;
    if (needs[0]) ga = tA ? gemm(b, gy, undefined, { transA: tB, transB: true, alpha }) : gemm(gy, b, undefined, { transB: !tB, alpha });
    if (needs[1]) gb = tB ? gemm(gy, a, undefined, { transA: true, transB: tA, alpha }) : gemm(a, gy, undefined, { transA: !tA, alpha });
    if (c && needs[2]) gc = unbroadcast(beta === 1 ? gy : mul(gy, beta), c);
    return [ga, gb, gc];
  },
});

// ---------------------------------------------------------------------------------------
// Shape ops

defineOp({
  type: 'Shape',
  infer: (inputs, attrs) => {
    const r = inputs[0].shape.length;
    const s = normAxis(attrInt(attrs, 'start', 0), r);
    const e = attrs.end ? normAxis(attrInt(attrs, 'end', r) - 1, r) + 1 : r;
    return [{ dtype: 'int64', shape: [e - s] }];
  },
});

/** The size of one axis as an int64 [1] tensor (for dynamic shapes). */
export function dimOf(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length);
  return apply1('Shape', [x], { start: attr.i(a), end: attr.i(a + 1) });
}

/** Reshape with a static target (0 copies the input dim, -1 is inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out: Dim[] = shape.map((d, i) => (d === 0 ? x.shape[i] : d));
  const neg1 = out.indexOf(-1);
  if (neg1 >= 0) {
    const known = out.filter((_d, i) => i !== neg1);
    if (isStatic(x.shape) && isStatic(known)) out[neg1] = numel(x.shape) / numel(known);
    else if (x.shape.length === out.length && known.every((d, i) => d === x.shape[i < neg1 ? i : i + 1])) out[neg1] = x.shape[neg1];
    else out[neg1] = `${x.name}_d${neg1}`;
  }
  return apply1('Reshape', [x, x.graph.int64s(shape, 'shape')], {}, { outShape: out });
}
defineOp({
  type: 'Reshape',
  infer: (inputs, _a, meta) => [{ dtype: inputs[0].dtype, shape: meta.outShape as Shape }],
  vjp: ({ node, gy }) => [reshapeLike(gy, node.inputs[0]), undefined],
});

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  return apply1('Transpose', [x], { perm: attr.ints(perm) });
}
defineOp({
  type: 'Transpose',
  infer: (inputs, attrs) => {
    const x = inputs[0];
    const perm = attrInts(attrs, 'perm') ?? x.shape.map((_d, i) => x.shape.length - 1 - i);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  vjp: ({ node, gy }) => {
    const perm = attrInts(node.attrs, 'perm') as number[];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(gy, inv)];
  },
});

export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const r = x.shape.length + axes.length;
  const ax = axes.map((a) => normAxis(a, r));
  return apply1('Unsqueeze', [x, x.graph.int64s(ax, 'axes')], {}, { axes: ax });
}
defineOp({
  type: 'Unsqueeze',
  infer: (inputs, _a, meta) => {
    const x = inputs[0];
    const axes = meta.axes as number[];
    const out: Dim[] = [];
    let k = 0;
    for (let i = 0; i < x.shape.length + axes.length; i++) out.push(axes.includes(i) ? 1 : x.shape[k++]);
    return [{ dtype: x.dtype, shape: out }];
  },
  vjp: ({ node, gy }) => [reshapeLike(gy, node.inputs[0]), undefined],
});

export function squeeze(x: Tensor, axes: readonly number[]): Tensor {
  const ax = axes.map((a) => normAxis(a, x.shape.length));
  return apply1('Squeeze', [x, x.graph.int64s(ax, 'axes')], {}, { axes: ax });
}
defineOp({
  type: 'Squeeze',
  infer: (inputs, _a, meta) => {
    const x = inputs[0];
    const axes = meta.axes as number[];
    return [{ dtype: x.dtype, shape: x.shape.filter((_d, i) => !axes.includes(i)) }];
  },
  vjp: ({ node, gy }) => [reshapeLike(gy, node.inputs[0]), undefined],
});

/** Broadcast to a static shape. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return apply1('Expand', [x, x.graph.int64s(shape, 'shape')], {}, { outShape: broadcastDims(x.shape, shape, 'Expand') });
}
defineOp({
  type: 'Expand',
  infer: (inputs, _a, meta) => [{ dtype: inputs[0].dtype, shape: meta.outShape as Shape }],
  vjp: ({ node, gy }) => [unbroadcast(gy, node.inputs[0]), undefined],
});

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  return apply1('Concat', xs, { axis: attr.i(normAxis(axis, xs[0].shape.length)) });
}
defineOp({
  type: 'Concat',
  infer: (inputs, attrs) => {
    const d = checkSameDType('Concat', inputs);
    const axis = attrInt(attrs, 'axis', 0);
    const shape: Dim[] = [...inputs[0].shape];
    let total: Dim = 0;
    for (const t of inputs) {
      const s = t.shape[axis];
      total = typeof total === 'number' && typeof s === 'number' ? total + s : total === 0 ? s : `${total}+${s}`;
    }
    shape[axis] = total;
    return [{ dtype: d, shape }];
  },
  vjp: ({ node, gy, needs }) => {
    const axis = attrInt(node.attrs, 'axis', 0);
    // Start = sum of the sizes before (static), end = -(sum of the sizes after) when those are
    // static: so at most one input may have a symbolic size on the axis.
    const sizes = node.inputs.map((t) => t.shape[axis]);
    const staticSum = (from: number, to: number): number | undefined => {
      let s = 0;
      for (let k = from; k < to; k++) {
        const d = sizes[k];
        if (typeof d !== 'number') return undefined;
        s += d;
      }
      return s;
    };
    return node.inputs.map((t, i) => {
      if (!needs[i]) return undefined;
      const before = staticSum(0, i);
      const after = staticSum(i + 1, sizes.length);
      const size = sizes[i];
      const endFromBack = after === undefined ? undefined : after === 0 ? 2 ** 31 - 1 : -after;
      let start: number | undefined;
      let end: number | undefined;
      if (before !== undefined) {
        start = before;
        end = typeof size === 'number' ? before + size : endFromBack;
      } else if (after !== undefined && typeof size === 'number') {
        start = -(after + size);
        end = endFromBack;
      }
      if (start === undefined || end === undefined) throw new Error(`Concat gradient: only one input may have a symbolic size on axis ${axis}`);
      return apply1('Slice', [gy, t.graph.int64s([start], 'starts'), t.graph.int64s([end], 'ends'), t.graph.int64s([axis], 'axes')], {}, { starts: [start], ends: [end], axes: [axis], outShape: t.shape });
    });
  },
});

/** x[starts:ends] along `axes` (step 1). Negative starts/ends count from the end. */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[], axes?: readonly number[]): Tensor {
  const ax = (axes ?? starts.map((_s, i) => i)).map((a) => normAxis(a, x.shape.length));
  const g = x.graph;
  return apply1('Slice', [x, g.int64s(starts, 'starts'), g.int64s(ends, 'ends'), g.int64s(ax, 'axes')], {}, { starts, ends, axes: ax });
}

function sliceBounds(dim: Dim, start: number, end: number): [number, number] | undefined {
  if (typeof dim !== 'number') return undefined;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  const s = clamp(start);
  return [s, Math.max(s, clamp(end))];
}

defineOp({
  type: 'Slice',
  infer: (inputs, _a, meta) => {
    const x = inputs[0];
    if (meta.outShape) return [{ dtype: x.dtype, shape: meta.outShape as Shape }];
    const shape: Dim[] = [...x.shape];
    const axes = meta.axes as number[];
    axes.forEach((a, i) => {
      const b = sliceBounds(x.shape[a], (meta.starts as number[])[i], (meta.ends as number[])[i]);
      const start = (meta.starts as number[])[i];
      const end = (meta.ends as number[])[i];
      const cut = start >= 0 && end >= 2 ** 31 - 1 ? start : start >= 0 && end < 0 ? start - end : undefined;
      if (b) shape[a] = b[1] - b[0];
      else if (cut === 0) shape[a] = x.shape[a];
      // a dim expression such as 'seq-2' (see resolveDim)
      else if (cut !== undefined) shape[a] = `${x.shape[a]}-${cut}`;
      else shape[a] = `${x.name}_slice${a}`;
    });
    return [{ dtype: x.dtype, shape }];
  },
  vjp: ({ node, gy }) => {
    if (node.meta.dynamic) throw new Error('Slice gradient: dynamic slices (sliceTo) are not differentiable');
    const x = node.inputs[0];
    const r = x.shape.length;
    const pads = new Array<number>(2 * r).fill(0);
    const axes = node.meta.axes as number[];
    axes.forEach((a, i) => {
      const start = (node.meta.starts as number[])[i];
      const end = (node.meta.ends as number[])[i];
      const b = sliceBounds(x.shape[a], start, end);
      if (b) {
        pads[a] = b[0];
        pads[a + r] = (x.shape[a] as number) - b[1];
      } else if (start >= 0 && (end >= 2 ** 31 - 1 || end < 0)) {
        // symbolic size: x[start:] or x[start:-k] still pad by static amounts
        pads[a] = start;
        pads[a + r] = end < 0 ? -end : 0;
      } else {
        throw new Error(`Slice gradient on the symbolic axis ${a} of ${x.name} needs start >= 0 and an end that is open or negative`);
      }
    });
    return [apply1('Pad', [gy, x.graph.int64s(pads, 'pads')], { mode: attr.s('constant') }, { outShape: x.shape, pads }), undefined, undefined, undefined];
  },
});
defineOp({
  type: 'Pad',
  infer: (inputs, _a, meta) => [{ dtype: inputs[0].dtype, shape: meta.outShape as Shape }],
  vjp: ({ node, gy }) => {
    const pads = node.meta.pads as number[];
    const r = gy.shape.length;
    const axes = Array.from({ length: r }, (_v, i) => i).filter((i) => pads[i] !== 0 || pads[i + r] !== 0);
    const g = axes.length ? slice(gy, axes.map((a) => pads[a]), axes.map((a) => (pads[a + r] ? -pads[a + r] : 2 ** 31 - 1)), axes) : gy;
    return [g, undefined];
  },
});

/** Gather along `axis` with int64 indices (Embedding lookups: axis 0). */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  return apply1('Gather', [x, indices], { axis: attr.i(normAxis(axis, x.shape.length)) });
}
defineOp({
  type: 'Gather',
  infer: (inputs, attrs) => {
    const [x, idx] = inputs;
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw new Error('Gather: indices must be int64/int32');
    const axis = attrInt(attrs, 'axis', 0);
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
  },
  vjp: ({ node, gy }) => {
    const [x, idx] = node.inputs;
    const axis = attrInt(node.attrs, 'axis', 0);
    const q = idx.shape.length;
    const ix = cast(unsqueeze(idx, [q]), 'int64');
    if (axis === 0) return [scatterNDAdd(zerosLike(x), ix, gy), undefined];
    // Move the gathered axis to the front, scatter-add, move it back.
    const r = x.shape.length;
    const permX = [axis, ...Array.from({ length: r }, (_v, i) => i).filter((i) => i !== axis)];
    const gyPerm = [...Array.from({ length: q }, (_v, i) => axis + i), ...Array.from({ length: axis }, (_v, i) => i), ...Array.from({ length: r - 1 - axis }, (_v, i) => axis + q + i)];
    const xt = transpose(x, permX);
    const s = scatterNDAdd(zerosLike(xt), ix, transpose(gy, gyPerm));
    const inv = new Array<number>(r);
    permX.forEach((p, i) => (inv[p] = i));
    return [transpose(s, inv), undefined];
  },
});

/** ScatterND with reduction='add' (opset 16+): data[indices[...]] += updates. */
export function scatterNDAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  return apply1('ScatterND', [data, indices, updates], { reduction: attr.s('add') });
}
defineOp({ type: 'ScatterND', infer: same });

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = lift(a, b);
  return apply1('Where', [cond, ta, tb]);
}
defineOp({
  type: 'Where',
  infer: (inputs) => {
    const [c, a, b] = inputs;
    if (c.dtype !== 'bool') throw new Error('Where: condition must be bool');
    checkSameDType('Where', [a, b]);
    return [{ dtype: a.dtype, shape: broadcastDims(broadcastDims(c.shape, a.shape), b.shape) }];
  },
  vjp: ({ node, gy, needs }) => {
    const [c, a, b] = node.inputs;
    return [undefined, needs[1] ? unbroadcast(where(c, gy, 0), a) : undefined, needs[2] ? unbroadcast(where(c, 0, gy), b) : undefined];
  },
});

const ONNX_TO: Record<DType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 };
export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  return apply1('Cast', [x], { to: attr.i(ONNX_TO[to]) }, { to });
}
defineOp({
  type: 'Cast',
  infer: (inputs, _a, meta) => [{ dtype: meta.to as DType, shape: inputs[0].shape }],
  vjp: ({ node, gy }) => [isFloat(node.inputs[0].dtype) ? cast(gy, node.inputs[0].dtype) : undefined],
});

// ---------------------------------------------------------------------------------------
// Convenience

/** A constant with the graph's float dtype of `like`. */
export function constantLike(like: Tensor, values: readonly number[], shape: readonly number[], base = 'const'): Tensor {
  return like.graph.constant(typedArrayOf(like.dtype, values), shape, like.dtype, base);
}

/**
 * x[0:len] along each of `axes`, with `len` an int64 [1] tensor known only at run time
 * (e.g. dimOf(ids, 1)); `outShape` names the resulting dims. Not differentiable: meant for
 * slicing constant tables (rotary sin/cos, causal masks) to a symbolic sequence length.
 */
export function sliceTo(x: Tensor, len: Tensor, axes: readonly number[], outShape: Shape): Tensor {
  const g = x.graph;
  const ends = axes.length === 1 ? len : concat(axes.map(() => len), 0);
  return apply1('Slice', [x, g.int64s(axes.map(() => 0), 'starts'), ends, g.int64s(axes, 'axes')], {}, { dynamic: true, outShape });
}

/** Pads with zeros: `pads` = [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}] (static). */
export function pad(x: Tensor, pads: readonly number[]): Tensor {
  const r = x.shape.length;
  const outShape = x.shape.map((d, i) => (typeof d === 'number' ? d + pads[i] + pads[i + r] : pads[i] + pads[i + r] === 0 ? d : `${d}+${pads[i] + pads[i + r]}`));
  return apply1('Pad', [x, x.graph.int64s(pads, 'pads')], { mode: attr.s('constant') }, { outShape, pads });
}

// ---------------------------------------------------------------------------------------
// Vision ops, forward only (no VJP): the frozen CNN trunks converted from tfjs graph models
// (main/ml/convert). `grad` throws "has no VJP but lies on the gradient path" if one of them
// is ever differentiated; gradients to parameters *after* a frozen trunk are unaffected.

/** Output size of a strided window over `d` (NCHW spatial dims; symbolic stays symbolic). */
function windowOut(d: Dim, k: number, stride: number, dil: number, padBegin: number, padEnd: number, name: string): Dim {
  if (typeof d !== 'number') return `${name}`;
  return Math.floor((d + padBegin + padEnd - dil * (k - 1) - 1) / stride) + 1;
}

export interface Conv2dOptions {
  /** [sh, sw], default [1, 1] */
  strides?: readonly number[];
  /** [top, left, bottom, right], default 0 */
  pads?: readonly number[];
  /** [dh, dw], default [1, 1] */
  dilations?: readonly number[];
  /** channel groups (depthwise: group = in channels), default 1 */
  group?: number;
}

/** 2-D convolution, NCHW: x [N, C, H, W], w [M, C/group, kh, kw], b [M]. Forward only. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor, o: Conv2dOptions = {}): Tensor {
  if (w.shape.length !== 4 || !isStatic(w.shape)) throw new Error('conv2d: weight must be a static [M, C/group, kh, kw]');
  const attrs: Attrs = {
    kernel_shape: attr.ints([w.shape[2], w.shape[3]]),
    strides: attr.ints(o.strides ?? [1, 1]),
    pads: attr.ints(o.pads ?? [0, 0, 0, 0]),
    dilations: attr.ints(o.dilations ?? [1, 1]),
    group: attr.i(o.group ?? 1),
  };
  return apply1('Conv', b ? [x, w, b] : [x, w], attrs);
}
defineOp({
  type: 'Conv',
  infer: (inputs, attrs) => {
    const [x, w, b] = inputs;
    checkSameDType('Conv', inputs);
    if (x.shape.length !== 4) throw new Error(`Conv: input must be NCHW (rank 4), got [${x.shape.join(',')}]`);
    const [m, cg, kh, kw] = w.shape as number[];
    const group = attrInt(attrs, 'group', 1);
    const c = x.shape[1];
    if (typeof c === 'number' && c !== cg * group) throw new Error(`Conv: ${c} input channels but weight wants ${cg} x group ${group}`);
    if (b && (b.shape.length !== 1 || b.shape[0] !== m)) throw new Error(`Conv: bias must be [${m}]`);
    const s = attrInts(attrs, 'strides') ?? [1, 1];
    const p = attrInts(attrs, 'pads') ?? [0, 0, 0, 0];
    const dl = attrInts(attrs, 'dilations') ?? [1, 1];
    const h = windowOut(x.shape[2], kh, s[0], dl[0], p[0], p[2], `${x.name}_convH`);
    const wd = windowOut(x.shape[3], kw, s[1], dl[1], p[1], p[3], `${x.name}_convW`);
    return [{ dtype: x.dtype, shape: [x.shape[0], m, h, wd] }];
  },
});

/** min(max(x, lo), hi) (Relu6 = clip(x, 0, 6)). Forward only. */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  return apply1('Clip', [x, x.graph.scalar(lo, x.dtype), x.graph.scalar(hi, x.dtype)]);
}
defineOp({ type: 'Clip', infer: same });

/** LeakyRelu / Elu / HardSigmoid / Floor: elementwise, forward only. */
export const leakyRelu = (x: Tensor, alpha: number): Tensor => apply1('LeakyRelu', [x], { alpha: attr.f(alpha) });
export const elu = (x: Tensor, alpha = 1): Tensor => apply1('Elu', [x], { alpha: attr.f(alpha) });
export const floor = unary('Floor');
defineOp({ type: 'LeakyRelu', infer: same });
defineOp({ type: 'Elu', infer: same });
defineOp({ type: 'Floor', infer: same });

export interface Pool2dOptions {
  kernel: readonly number[];
  strides?: readonly number[];
  /** [top, left, bottom, right] */
  pads?: readonly number[];
}

/** Max / average pooling over NCHW spatial dims (average excludes padding). Forward only. */
export function pool2d(type: 'MaxPool' | 'AveragePool', x: Tensor, o: Pool2dOptions): Tensor {
  return apply1(type, [x], { kernel_shape: attr.ints(o.kernel), strides: attr.ints(o.strides ?? [1, 1]), pads: attr.ints(o.pads ?? [0, 0, 0, 0]) });
}
const poolInfer = (inputs: readonly Tensor[], attrs: Attrs): OutSpec[] => {
  const x = inputs[0];
  if (x.shape.length !== 4) throw new Error('pool: input must be NCHW (rank 4)');
  const k = attrInts(attrs, 'kernel_shape') as number[];
  const s = attrInts(attrs, 'strides') ?? [1, 1];
  const p = attrInts(attrs, 'pads') ?? [0, 0, 0, 0];
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], windowOut(x.shape[2], k[0], s[0], 1, p[0], p[2], `${x.name}_poolH`), windowOut(x.shape[3], k[1], s[1], 1, p[1], p[3], `${x.name}_poolW`)] }];
};
defineOp({ type: 'MaxPool', infer: poolInfer });
defineOp({ type: 'AveragePool', infer: poolInfer });

export type ResizeMode = 'asymmetric' | 'half_pixel' | 'align_corners' | 'pytorch_half_pixel';

/** Resizes the spatial dims of NCHW `x` to static [h, w] (linear or nearest). Forward only. */
export function resize2d(x: Tensor, size: readonly [number, number], o: { mode?: 'linear' | 'nearest'; coord?: ResizeMode; nearest?: 'floor' | 'round_prefer_floor' | 'round_prefer_ceil' } = {}): Tensor {
  const g = x.graph;
  if (!isStatic(x.shape.slice(1))) throw new Error('resize2d: channel and spatial dims must be static');
  // `axes` (opset 18) resizes H, W only, so the batch may stay symbolic.
  const roi = g.constant(new Float32Array(0), [0], 'float32', 'roi');
  const scales = g.constant(new Float32Array(0), [0], 'float32', 'scales');
  const hw = g.int64s([size[0], size[1]], 'sizes');
  const attrs: Attrs = { mode: attr.s(o.mode ?? 'linear'), coordinate_transformation_mode: attr.s(o.coord ?? 'half_pixel'), axes: attr.ints([2, 3]) };
  if ((o.mode ?? 'linear') === 'nearest') attrs.nearest_mode = attr.s(o.nearest ?? 'floor');
  return apply1('Resize', [x, roi, scales, hw], attrs, { outShape: [x.shape[0], x.shape[1], size[0], size[1]] });
}
defineOp({ type: 'Resize', infer: (inputs, _a, meta) => [{ dtype: inputs[0].dtype, shape: meta.outShape as Shape }] });

/** Top-k along `axis` (largest, sorted): [values, int64 indices]. Forward only. */
export function topK(x: Tensor, k: number, axis = -1): [Tensor, Tensor] {
  const a = normAxis(axis, x.shape.length);
  const outs = apply('TopK', [x, x.graph.int64s([k], 'k')], { axis: attr.i(a), largest: attr.i(1), sorted: attr.i(1) }, { k });
  return [outs[0], outs[1]];
}
defineOp({
  type: 'TopK',
  infer: (inputs, attrs, meta) => {
    const x = inputs[0];
    const a = attrInt(attrs, 'axis', -1);
    const shape = x.shape.map((d, i) => (i === a ? (meta.k as number) : d));
    return [
      { dtype: x.dtype, shape },
      { dtype: 'int64', shape },
    ];
  },
});

/** Integer / float elementwise modulo with Python (floor) semantics for ints. Forward only. */
export const mod = (a: TensorLike, b: TensorLike): Tensor => apply1('Mod', lift(a, b), { fmod: attr.i(0) });
defineOp({ type: 'Mod', infer: binaryInfer('Mod') });

/** Elementwise max / min of two tensors, PRelu(x, slope): forward only. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => apply1('Max', lift(a, b));
export const minimum = (a: TensorLike, b: TensorLike): Tensor => apply1('Min', lift(a, b));
export const prelu = (x: Tensor, slope: Tensor): Tensor => apply1('PRelu', [x, slope]);
defineOp({ type: 'Max', infer: binaryInfer('Max') });
defineOp({ type: 'Min', infer: binaryInfer('Min') });
defineOp({ type: 'PRelu', infer: (inputs) => [{ dtype: inputs[0].dtype, shape: broadcastDims(inputs[0].shape, inputs[1].shape, 'PRelu') }] });

/** HardSwish: x * clip(x / 6 + 0.5, 0, 1) (ONNX opset 14). Forward only. */
export const hardSwish = unary('HardSwish');
defineOp({ type: 'HardSwish', infer: same });

/** Round half to even (ONNX Round). Forward only. */
export const round = unary('Round');
defineOp({ type: 'Round', infer: same });
