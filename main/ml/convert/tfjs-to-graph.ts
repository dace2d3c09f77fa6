// tfjs graph model -> Trove graph. Walks the TF nodes that the requested outputs need and
// emits each through Trove's op builders, so the result is an ordinary `Graph` that
// `toOnnx` writes.
//
// Layout: TF graphs are NHWC; ONNX Conv/Pool/Resize are NCHW. Every rank-4 activation is
// kept NCHW inside the Trove graph (one transpose of the input is the caller's business:
// feed NCHW tensors for rank-4 placeholders), and axis-bearing ops (Mean, ConcatV2, Pad,
// StridedSlice, ...) have their axes remapped. Constants meeting a rank-4 NCHW operand are
// permuted at build time. Ops whose semantics depend on memory order (Reshape, TopK,
// Gather, ...) see the tensor transposed back to NHWC first. Rank-4 outputs are returned
// NCHW; `nchw[i]` says which.
//
// Weights: conv filters and biases become frozen parameters (trainable: false) named after
// the TF tensor; other constants become graph constants. Numerics follow tfjs: float16
// weights are expanded exactly, fused ops keep their order (conv -> bias -> activation).
import type { DType, Graph, Tensor, TensorData } from '../graph/graph';
import * as o from '../autodiff/ops';
import { apply1 } from '../autodiff/registry';
import { attr } from '../graph/graph';
import type { TfjsGraphModel, TfNode, Weight } from './tfjs-model';
import { attrBool, attrIntList, attrNum, attrString, attrStrings, parseInput, subgraph } from './tfjs-model';

export interface ConvertOptions {
  /** TF placeholder name -> Trove tensor (rank-4 placeholders: fed NCHW) */
  feeds: Record<string, Tensor>;
  /** TF tensor names to produce ('node' or 'node:1') */
  outputs: readonly string[];
  /** prefix for parameter names and node scopes (default none) */
  prefix?: string;
  /**
   * Rewrite TF's hard-swish pattern (c*x) * Relu6(x + 3) as HardSwish(x) * 6c (default
   * true): two elementwise passes instead of four, same values up to float rounding (c is
   * the graph's own constant, float16 1/6 in CenterNet, so the 6c factor is kept).
   */
  fuseHardSwish?: boolean;
}

export interface ConvertResult {
  outputs: Tensor[];
  /** per output: true when it is a rank-4 tensor in NCHW order */
  nchw: boolean[];
  /** op histogram of the converted TF nodes */
  ops: Record<string, number>;
}

/** The TF ops this converter knows (others throw, naming the node). */
export const SUPPORTED_TF_OPS = [
  'Placeholder', 'Const', 'Identity', 'StopGradient', 'Snapshot', 'NoOp',
  'Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'MatMul', '_FusedMatMul', 'BiasAdd',
  'Add', 'AddV2', 'Sub', 'Mul', 'RealDiv', 'Div', 'Maximum', 'Minimum', 'SquaredDifference', 'FloorDiv', 'FloorMod',
  'Equal', 'Greater', 'Less',
  'Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Neg', 'Exp', 'Log', 'Sqrt', 'Rsqrt', 'Square', 'Floor',
  'Mean', 'Sum', 'Max',
  'MaxPool', 'AvgPool', 'Pad', 'PadV2', 'ConcatV2', 'ResizeBilinear', 'ResizeNearestNeighbor',
  'Reshape', 'ExpandDims', 'Squeeze', 'Cast', 'StridedSlice', 'GatherV2', 'TopKV2',
] as const;

// ---------------------------------------------------------------------------------------

/** A converted TF value: a Trove tensor (rank-4 ones NCHW when `nchw`), or a not yet materialised constant. */
interface Val {
  t?: Tensor;
  nchw: boolean;
  w?: Weight;
}

const TF_DTYPES: Record<string, DType> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool', DT_INT64: 'int64', DT_DOUBLE: 'float64', DT_UINT8: 'uint8' };
/** NHWC axis -> NCHW axis. */
const TO_NCHW_AXIS = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Permutes row-major `data` of `shape` by `perm` (out dim i = in dim perm[i]). */
export function permute<T extends TensorData>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const r = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < data.length; k++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += idx[i] * inStrides[perm[i]];
    (out as unknown as number[])[k] = (data as unknown as number[])[src];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

class Converter {
  private readonly vals = new Map<string, Val[]>();
  readonly ops: Record<string, number> = {};

  constructor(
    private readonly model: TfjsGraphModel,
    private readonly g: Graph,
    private readonly opts: ConvertOptions,
  ) {}

  run(): ConvertResult {
    const nodes = subgraph(this.model, this.opts.outputs);
    for (const n of nodes) {
      this.ops[n.op] = (this.ops[n.op] ?? 0) + 1;
      const outs = this.g.scope(this.scopeName(n), () => this.convert(n));
      this.vals.set(n.name, outs);
    }
    const outputs: Tensor[] = [];
    const nchw: boolean[] = [];
    for (const name of this.opts.outputs) {
      const v = this.get(name);
      const t = this.tensor(v);
      outputs.push(t);
      nchw.push(v.nchw && t.shape.length === 4);
    }
    return { outputs, nchw, ops: this.ops };
  }

  private scopeName(n: TfNode): string {
    return this.opts.prefix ? `${this.opts.prefix}/${n.name}` : n.name;
  }

  private get(ref: string): Val {
    const p = parseInput(ref);
    if (!p) throw new Error(`control input ${ref} used as data`);
    const vs = this.vals.get(p[0]);
    if (!vs) throw new Error(`tfjs convert: '${p[0]}' is not converted yet`);
    const v = vs[p[1]];
    if (!v) throw new Error(`tfjs convert: '${p[0]}' has no output ${p[1]}`);
    return v;
  }

  private inputs(n: TfNode): Val[] {
    return (n.input ?? []).filter((i) => !i.startsWith('^')).map((i) => this.get(i));
  }

  // -- values ---------------------------------------------------------------------------

  private constTensor(w: Weight, shape: readonly number[] = w.shape, data: TensorData = w.data): Tensor {
    const name = this.opts.prefix ? `${this.opts.prefix}/${w.name}` : w.name;
    return this.g.constant(data, shape, w.dtype, name);
  }

  /** The value as a tensor in its current layout. */
  private tensor(v: Val): Tensor {
    if (v.t) return v.t;
    const w = v.w as Weight;
    v.t = this.constTensor(w);
    return v.t;
  }

  /** The value in NHWC (TF) order. */
  private plain(v: Val): Tensor {
    const t = this.tensor(v);
    return v.nchw && t.shape.length === 4 ? o.transpose(t, NCHW_TO_NHWC) : t;
  }

  /** A rank-4 value in NCHW order. */
  private nchw(v: Val): Tensor {
    const t = this.tensor(v);
    if (t.shape.length !== 4) throw new Error(`expected a rank-4 tensor, got [${t.shape.join(',')}]`);
    return v.nchw ? t : o.transpose(t, NHWC_TO_NCHW);
  }

  /**
   * Operands of an elementwise op: when any operand is a rank-4 NCHW tensor, the others
   * are brought to NCHW as well (constants permuted at build time, after numpy's
   * leading-1 padding); otherwise everything stays in TF order.
   */
  private elementwise(vs: readonly Val[]): { ts: Tensor[]; nchw: boolean } {
    const anyNchw = vs.some((v) => v.nchw && v.t && v.t.shape.length === 4);
    if (!anyNchw) return { ts: vs.map((v) => this.tensor(v)), nchw: false };
    const ts = vs.map((v) => {
      if (v.nchw && v.t) return v.t;
      if (v.w) {
        const w = v.w;
        if (w.shape.length === 0 || w.shape.every((d) => d === 1)) return this.constTensor(w, []);
        if (w.shape.length > 4) throw new Error('elementwise constant of rank > 4');
        const s4 = [...new Array<number>(4 - w.shape.length).fill(1), ...w.shape];
        return this.constTensor(w, NHWC_TO_NCHW.map((p) => s4[p]), permute(w.data, s4, NHWC_TO_NCHW));
      }
      const t = this.tensor(v);
      if (t.shape.length === 0) return t;
      const t4 = t.shape.length < 4 ? o.reshape(t, [...new Array<number>(4 - t.shape.length).fill(1), ...(t.shape as number[])]) : t;
      return o.transpose(t4, NHWC_TO_NCHW);
    });
    return { ts, nchw: true };
  }

  private constOf(v: Val, what: string): Weight {
    if (!v.w) throw new Error(`${what} must be a constant`);
    return v.w;
  }

  private ints(v: Val, what: string): number[] {
    return Array.from(this.constOf(v, what).data as Int32Array, Number);
  }

  // -- ops ------------------------------------------------------------------------------

  private convert(n: TfNode): Val[] {
    const ins = this.inputs(n);
    const one = (t: Tensor, nchw = false): Val[] => [{ t, nchw }];
    const binary = (fn: (a: Tensor, b: Tensor) => Tensor): Val[] => {
      const { ts, nchw } = this.elementwise(ins.slice(0, 2));
      return one(fn(ts[0], ts[1]), nchw);
    };
    const unary = (fn: (x: Tensor) => Tensor): Val[] => one(fn(this.tensor(ins[0])), ins[0].nchw);

    switch (n.op) {
      case 'Placeholder': {
        const t = this.opts.feeds[n.name];
        if (!t) throw new Error(`tfjs convert: no feed for placeholder '${n.name}'`);
        return one(t, t.shape.length === 4);
      }
      case 'Const': {
        const w = this.model.weights.get(n.name);
        if (!w) throw new Error(`tfjs convert: constant '${n.name}' has no weight data`);
        return [{ w, nchw: false }];
      }
      case 'Identity':
      case 'StopGradient':
      case 'Snapshot':
        return [ins[0]];
      case 'NoOp':
        return [];

      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        return one(this.conv(n, ins), true);

      case 'MatMul':
      case '_FusedMatMul':
        return one(this.matmul(n, ins));

      case 'BiasAdd':
        return one(this.biasAdd(ins[0], ins[1]), ins[0].nchw && this.tensor(ins[0]).shape.length === 4);

      case 'Add':
      case 'AddV2':
        return binary(o.add);
      case 'Sub':
        return binary(o.sub);
      case 'Mul': {
        const hs = this.opts.fuseHardSwish === false ? undefined : this.hardSwishOf(n);
        if (hs) return [hs];
        return binary(o.mul);
      }
      case 'RealDiv':
      case 'Div':
        return binary((a, b) => (a.dtype === 'float32' || a.dtype === 'float64' ? o.div(a, b) : floorDivInt(a, b)));
      case 'Maximum':
        return binary(o.maximum);
      case 'Minimum':
        return binary(o.minimum);
      case 'SquaredDifference':
        return binary((a, b) => {
          const d = o.sub(a, b);
          return o.mul(d, d);
        });
      case 'FloorDiv':
        return binary((a, b) => (a.dtype === 'float32' || a.dtype === 'float64' ? o.floor(o.div(a, b)) : floorDivInt(a, b)));
      case 'FloorMod':
        return binary((a, b) => (a.dtype === 'float32' || a.dtype === 'float64' ? o.sub(a, o.mul(o.floor(o.div(a, b)), b)) : o.mod(a, b)));
      case 'Equal':
        return binary(o.equal);
      case 'Greater':
        return binary(o.greater);
      case 'Less':
        return binary(o.less);

      case 'Relu':
        return unary(o.relu);
      case 'Relu6':
        return unary((x) => o.clip(x, 0, 6));
      case 'Elu':
        return unary((x) => o.elu(x));
      case 'LeakyRelu':
        return unary((x) => o.leakyRelu(x, attrNum(n, 'alpha') ?? 0.2));
      case 'Sigmoid':
        return unary(o.sigmoid);
      case 'Tanh':
        return unary(o.tanh);
      case 'Neg':
        return unary(o.neg);
      case 'Exp':
        return unary(o.exp);
      case 'Log':
        return unary(o.log);
      case 'Sqrt':
        return unary(o.sqrt);
      case 'Rsqrt':
        return unary((x) => o.div(1, o.sqrt(x)));
      case 'Square':
        return unary((x) => o.mul(x, x));
      case 'Floor':
        return unary(o.floor);

      case 'Mean':
      case 'Sum':
      case 'Max':
        return this.reduce(n, ins);

      case 'MaxPool':
      case 'AvgPool':
        return one(this.pool(n, ins[0]), true);

      case 'Pad':
      case 'PadV2':
        return this.pad(n, ins);

      case 'ConcatV2':
        return this.concat(ins);

      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor':
        return one(this.resize(n, ins), true);

      case 'Reshape': {
        const shape = this.ints(ins[1], 'Reshape shape');
        return one(o.reshape(this.plain(ins[0]), shape));
      }
      case 'ExpandDims': {
        const x = this.plain(ins[0]);
        const [ax] = this.ints(ins[1], 'ExpandDims dim');
        return one(o.unsqueeze(x, [ax < 0 ? ax + x.shape.length + 1 : ax]));
      }
      case 'Squeeze': {
        const x = this.plain(ins[0]);
        let axes = attrIntList(n, 'squeeze_dims') ?? attrIntList(n, 'axis') ?? [];
        if (!axes.length) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
        return one(o.squeeze(x, axes));
      }
      case 'Cast': {
        const to = TF_DTYPES[n.attr?.DstT?.type ?? ''];
        if (!to) throw new Error(`Cast to ${n.attr?.DstT?.type}`);
        return one(o.cast(this.tensor(ins[0]), to), ins[0].nchw);
      }
      case 'StridedSlice':
        return one(this.stridedSlice(n, ins));
      case 'GatherV2': {
        const [axis] = this.ints(ins[2], 'GatherV2 axis');
        if ((attrNum(n, 'batch_dims') ?? 0) !== 0) throw new Error('GatherV2: batch_dims != 0');
        const x = this.plain(ins[0]);
        return one(o.gather(x, this.plain(ins[1]), axis < 0 ? axis + x.shape.length : axis));
      }
      case 'TopKV2': {
        const [k] = this.ints(ins[1], 'TopKV2 k');
        const [vals, idx] = o.topK(this.plain(ins[0]), k, -1);
        return [
          { t: vals, nchw: false },
          { t: o.cast(idx, 'int32'), nchw: false },
        ];
      }
      default:
        throw new Error(`tfjs convert: op ${n.op} (node ${n.name}) is not supported`);
    }
  }

  /** The TF node producing `ref`, or undefined for a constant / unknown. */
  private producer(ref: string): TfNode | undefined {
    const p = parseInput(ref);
    return p ? this.model.byName.get(p[0]) : undefined;
  }

  private scalarConst(ref: string): number | undefined {
    const n = this.producer(ref);
    const w = n?.op === 'Const' ? this.model.weights.get(n.name) : undefined;
    return w && w.dtype === 'float32' && w.data.length === 1 ? Number(w.data[0]) : undefined;
  }

  /**
   * Mul(Mul(c, x), Relu6(Add(x, 3))) (either operand order) -> HardSwish(x) * 6c. The
   * inner nodes were already emitted; if nothing else reads them, toOnnx prunes them.
   */
  private hardSwishOf(n: TfNode): Val | undefined {
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    if (ins.length !== 2) return undefined;
    for (const [mi, ri] of [
      [0, 1],
      [1, 0],
    ]) {
      const m = this.producer(ins[mi]);
      const r = this.producer(ins[ri]);
      if (m?.op !== 'Mul' || r?.op !== 'Relu6') continue;
      const a = this.producer((r.input ?? [])[0]);
      if (a?.op !== 'Add' && a?.op !== 'AddV2') continue;
      const mIn = m.input ?? [];
      const aIn = a.input ?? [];
      const cIdx = mIn.findIndex((i) => this.scalarConst(i) !== undefined);
      const tIdx = aIn.findIndex((i) => this.scalarConst(i) === 3);
      if (cIdx < 0 || tIdx < 0 || mIn.length !== 2 || aIn.length !== 2) continue;
      const x = mIn[1 - cIdx];
      if (x !== aIn[1 - tIdx]) continue;
      const c = this.scalarConst(mIn[cIdx]) as number;
      if (Math.abs(c - 1 / 6) > 1e-3) continue;
      const xv = this.get(x);
      const t = this.tensor(xv);
      return { t: o.mul(o.hardSwish(t), 6 * c), nchw: xv.nchw };
    }
    return undefined;
  }

  private activation(x: Tensor, act: string, n: TfNode, extra?: Val): Tensor {
    switch (act) {
      case 'Relu':
        return o.relu(x);
      case 'Relu6':
        return o.clip(x, 0, 6);
      case 'Elu':
        return o.elu(x);
      case 'LeakyRelu':
        return o.leakyRelu(x, attrNum(n, 'leakyrelu_alpha') ?? 0.2);
      case 'Sigmoid':
        return o.sigmoid(x);
      case 'Tanh':
        return o.tanh(x);
      case 'Prelu': {
        if (!extra) throw new Error('Prelu without alpha');
        const { ts } = this.elementwise([{ t: x, nchw: x.shape.length === 4 }, extra]);
        return o.prelu(x, ts[1]);
      }
      default:
        throw new Error(`fused activation ${act} (node ${n.name}) is not supported`);
    }
  }

  private biasAdd(x: Val, b: Val): Tensor {
    const { ts } = this.elementwise([x, b]);
    return o.add(ts[0], ts[1]);
  }

  private conv(n: TfNode, ins: Val[]): Tensor {
    const fmt = attrString(n, 'data_format') ?? 'NHWC';
    if (fmt !== 'NHWC') throw new Error(`${n.name}: data_format ${fmt} is not supported`);
    const x = this.nchw(ins[0]);
    const w = this.constOf(ins[1], `${n.name} filter`);
    const [kh, kw, cin, cout] = w.shape;
    const depthwise = n.op.includes('Depthwise');
    const s = attrIntList(n, 'strides') ?? [1, 1, 1, 1];
    const d = attrIntList(n, 'dilations') ?? [1, 1, 1, 1];
    const strides = [s[1], s[2]];
    const dil = [d[1], d[2]];
    const pads = this.windowPads(n, x, [kh, kw], strides, dil);

    // HWIO -> OIHW; depthwise [kh, kw, C, mult] -> [C*mult, 1, kh, kw] (out channel c*mult+m).
    const wname = this.opts.prefix ? `${this.opts.prefix}/${w.name}` : w.name;
    let wt: Tensor;
    let group = 1;
    if (depthwise) {
      const data = permute(w.data as Float32Array, [kh, kw, cin * cout], [2, 0, 1]);
      wt = this.g.param(wname, [cin * cout, 1, kh, kw], data, { trainable: false });
      group = cin;
    } else {
      const data = permute(w.data as Float32Array, w.shape, [3, 2, 0, 1]);
      wt = this.g.param(wname, [cout, cin, kh, kw], data, { trainable: false });
      const c = x.shape[1];
      if (typeof c === 'number' && c !== cin) group = c / cin;
    }

    const fused = n.op.startsWith('_Fused') || n.op.startsWith('Fused') ? attrStrings(n, 'fused_ops') : [];
    const args = ins.slice(2);
    let bias: Tensor | undefined;
    let rest = fused;
    if (fused[0] === 'BiasAdd') {
      const b = this.constOf(args[0], `${n.name} bias`);
      const bname = this.opts.prefix ? `${this.opts.prefix}/${b.name}` : b.name;
      bias = this.g.param(bname, [b.shape[0]], b.data as Float32Array, { trainable: false });
      rest = fused.slice(1);
    } else if (fused[0] === 'FusedBatchNorm') {
      throw new Error(`${n.name}: fused FusedBatchNorm is not supported`);
    }
    let y = o.conv2d(x, wt, bias, { strides, pads, dilations: dil, group });
    for (const act of rest) y = this.activation(y, act, n, args[1]);
    return y;
  }

  /** ONNX pads [top, left, bottom, right] for TF padding SAME / VALID / EXPLICIT (static H, W). */
  private windowPads(n: TfNode, x: Tensor, k: readonly number[], strides: readonly number[], dil: readonly number[]): number[] {
    const padding = attrString(n, 'padding') ?? 'VALID';
    if (padding === 'VALID') return [0, 0, 0, 0];
    if (padding === 'EXPLICIT') {
      const e = attrIntList(n, 'explicit_paddings') ?? [];
      return [e[2], e[4], e[3], e[5]];
    }
    if (padding !== 'SAME') throw new Error(`${n.name}: padding ${padding}`);
    const out: number[] = [0, 0, 0, 0];
    for (let i = 0; i < 2; i++) {
      const size = x.shape[2 + i];
      if (typeof size !== 'number') throw new Error(`${n.name}: SAME padding needs static spatial dims`);
      const outSize = Math.ceil(size / strides[i]);
      const total = Math.max((outSize - 1) * strides[i] + (k[i] - 1) * dil[i] + 1 - size, 0);
      out[i] = Math.floor(total / 2);
      out[i + 2] = total - out[i];
    }
    return out;
  }

  private matmul(n: TfNode, ins: Val[]): Tensor {
    const a = this.plain(ins[0]);
    const b = this.plain(ins[1]);
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`${n.name}: only rank-2 MatMul`);
    let y = o.gemm(a, b, undefined, { transA: attrBool(n, 'transpose_a') ?? false, transB: attrBool(n, 'transpose_b') ?? false });
    const fused = n.op === '_FusedMatMul' ? attrStrings(n, 'fused_ops') : [];
    let rest = fused;
    if (fused[0] === 'BiasAdd') {
      y = o.add(y, this.plain(ins[2]));
      rest = fused.slice(1);
    }
    for (const act of rest) y = this.activation(y, act, n, ins[3]);
    return y;
  }

  private reduce(n: TfNode, ins: Val[]): Val[] {
    const x = this.tensor(ins[0]);
    const keep = attrBool(n, 'keep_dims') ?? false;
    const r = x.shape.length;
    let axes = this.ints(ins[1], `${n.name} axes`).map((a) => (a < 0 ? a + r : a));
    const isNchw = ins[0].nchw && r === 4;
    if (isNchw) axes = axes.map((a) => TO_NCHW_AXIS[a]);
    const f = n.op === 'Mean' ? o.reduceMean : n.op === 'Sum' ? o.reduceSum : o.reduceMax;
    let y = f(x, axes, keep);
    if (!isNchw || keep) return [{ t: y, nchw: isNchw && keep }];
    // Kept NCHW axes in NCHW order; TF order is the NHWC order of the same axes.
    const kept = [0, 1, 2, 3].filter((a) => !axes.includes(a));
    const nhwcOf = kept.map((a) => NCHW_TO_NHWC.indexOf(a));
    const order = nhwcOf.map((_v, i) => i).sort((i, j) => nhwcOf[i] - nhwcOf[j]);
    if (order.some((v, i) => v !== i)) y = o.transpose(y, order);
    return [{ t: y, nchw: false }];
  }

  private pool(n: TfNode, v: Val): Tensor {
    const x = this.nchw(v);
    const k = attrIntList(n, 'ksize') as number[];
    const s = attrIntList(n, 'strides') ?? [1, 1, 1, 1];
    const kernel = [k[1], k[2]];
    const strides = [s[1], s[2]];
    const pads = this.windowPads(n, x, kernel, strides, [1, 1]);
    return o.pool2d(n.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', x, { kernel, strides, pads });
  }

  private pad(n: TfNode, ins: Val[]): Val[] {
    const p = this.ints(ins[1], `${n.name} paddings`);
    const x = this.tensor(ins[0]);
    const r = x.shape.length;
    const isNchw = ins[0].nchw && r === 4;
    const pads = new Array<number>(2 * r).fill(0);
    for (let a = 0; a < r; a++) {
      const t = isNchw ? TO_NCHW_AXIS[a] : a;
      pads[t] = p[2 * a];
      pads[t + r] = p[2 * a + 1];
    }
    if (n.op === 'PadV2') {
      const c = this.constOf(ins[2], 'PadV2 value').data[0];
      if (c !== 0) {
        const outShape = x.shape.map((d, i) => (typeof d === 'number' ? d + pads[i] + pads[i + r] : d));
        return [{ t: apply1('Pad', [x, this.g.int64s(pads, 'pads'), this.g.scalar(Number(c), x.dtype)], { mode: attr.s('constant') }, { outShape, pads }), nchw: isNchw }];
      }
    }
    return [{ t: o.pad(x, pads), nchw: isNchw }];
  }

  private concat(ins: Val[]): Val[] {
    const parts = ins.slice(0, -1);
    let [axis] = this.ints(ins[ins.length - 1], 'ConcatV2 axis');
    const rank = this.tensor(parts[0]).shape.length;
    if (axis < 0) axis += rank;
    const anyNchw = rank === 4 && parts.some((v) => v.nchw);
    const ts = parts.map((v) => (anyNchw ? this.nchw(v) : this.tensor(v)));
    return [{ t: o.concat(ts, anyNchw ? TO_NCHW_AXIS[axis] : axis), nchw: anyNchw }];
  }

  private resize(n: TfNode, ins: Val[]): Tensor {
    const x = this.nchw(ins[0]);
    const [h, w] = this.ints(ins[1], `${n.name} size`);
    const alignCorners = attrBool(n, 'align_corners') ?? false;
    const halfPixel = attrBool(n, 'half_pixel_centers') ?? false;
    if (n.op === 'ResizeBilinear') return o.resize2d(x, [h, w], { mode: 'linear', coord: alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric' });
    // Nearest: TF rounds (align_corners) or floors (asymmetric / half-pixel centres).
    if (alignCorners) return o.resize2d(x, [h, w], { mode: 'nearest', coord: 'align_corners', nearest: 'round_prefer_ceil' });
    if (halfPixel) return o.resize2d(x, [h, w], { mode: 'nearest', coord: 'half_pixel', nearest: 'round_prefer_ceil' });
    return o.resize2d(x, [h, w], { mode: 'nearest', coord: 'asymmetric', nearest: 'floor' });
  }

  private stridedSlice(n: TfNode, ins: Val[]): Tensor {
    const x = this.plain(ins[0]);
    const begin = this.ints(ins[1], 'StridedSlice begin');
    const end = this.ints(ins[2], 'StridedSlice end');
    const strides = this.ints(ins[3], 'StridedSlice strides');
    const bm = attrNum(n, 'begin_mask') ?? 0;
    const em = attrNum(n, 'end_mask') ?? 0;
    const sm = attrNum(n, 'shrink_axis_mask') ?? 0;
    if ((attrNum(n, 'ellipsis_mask') ?? 0) || (attrNum(n, 'new_axis_mask') ?? 0)) throw new Error(`${n.name}: ellipsis / new-axis masks are not supported`);
    const BIG = 2 ** 31 - 1;
    const starts: number[] = [];
    const ends: number[] = [];
    const axes: number[] = [];
    const steps: number[] = [];
    const outShape = [...x.shape];
    const shrink: number[] = [];
    for (let i = 0; i < begin.length; i++) {
      const st = strides[i];
      let b = bm & (1 << i) ? (st > 0 ? 0 : BIG) : begin[i];
      let e = em & (1 << i) ? (st > 0 ? BIG : -BIG) : end[i];
      if (sm & (1 << i)) {
        e = b === -1 ? BIG : b + 1;
        shrink.push(i);
      }
      if (b === 0 && e === BIG && st === 1) continue;
      const d = x.shape[i];
      if (typeof d !== 'number') throw new Error(`${n.name}: slicing a symbolic dim`);
      const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
      const bb = st > 0 ? clamp(b, 0, d) : clamp(b, -1, d - 1);
      const ee = st > 0 ? clamp(e, 0, d) : e <= -BIG ? -1 : clamp(e, -1, d - 1);
      outShape[i] = Math.max(0, Math.ceil((ee - bb) / st));
      b = bb;
      starts.push(b);
      ends.push(e <= -BIG ? -BIG : e);
      axes.push(i);
      steps.push(st);
    }
    let y = x;
    if (axes.length) {
      const g = this.g;
      y = apply1('Slice', [x, g.int64s(starts, 'starts'), g.int64s(ends, 'ends'), g.int64s(axes, 'axes'), g.int64s(steps, 'steps')], {}, { dynamic: true, outShape });
    }
    return shrink.length ? o.squeeze(y, shrink) : y;
  }
}

/** Integer floor division (TF FloorDiv): (a - mod(a, b)) / b, exact for any signs. */
function floorDivInt(a: Tensor, b: Tensor): Tensor {
  return o.div(o.sub(a, o.mod(a, b)), b);
}

/**
 * Emits the TF nodes that `opts.outputs` need into `g` (see the file comment for layout).
 * Throws on an op outside SUPPORTED_TF_OPS, naming it.
 */
export function convertTfjsGraph(model: TfjsGraphModel, g: Graph, opts: ConvertOptions): ConvertResult {
  return new Converter(model, g, opts).run();
}
