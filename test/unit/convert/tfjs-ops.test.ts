// Op coverage of the tfjs -> Trove converter beyond the CenterNet graph: tiny tfjs graph
// models built in memory (odd sizes, SAME padding with stride 2, dilations, depth
// multipliers, float16 / uint8-quantised weights, ...), each run by tfjs (cpu backend) and
// by onnxruntime-node on the converted ONNX.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Graph } from '../../../main/ml/graph/graph';
import type { Tensor } from '../../../main/ml/graph/graph';
import * as o from '../../../main/ml/autodiff/ops';
import { grad } from '../../../main/ml/autodiff/grad';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { createSession } from '../../../main/ml/runtime/session';
import { decodeWeights, float16ToFloat32, opHistogram, parseTfjsGraphModel } from '../../../main/ml/convert/tfjs-model';
import type { ModelJson, TfAttr, TfNode, WeightSpec } from '../../../main/ml/convert/tfjs-model';
import { convertTfjsGraph, permute } from '../../../main/ml/convert/tfjs-to-graph';
import { maxAbsDiff, nhwcToNchw, tfGraphModelFrom } from './support';

// -- a tiny tfjs graph-model writer -------------------------------------------------------

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const A = {
  s: (v: string): TfAttr => ({ s: b64(v) }),
  ints: (v: number[]): TfAttr => ({ list: { i: v.map(String) } }),
  strs: (v: string[]): TfAttr => ({ list: { s: v.map(b64) } }),
  i: (v: number): TfAttr => ({ i: String(v) }),
  f: (v: number): TfAttr => ({ f: v }),
  b: (v: boolean): TfAttr => ({ b: v }),
  type: (v: string): TfAttr => ({ type: v }),
};
const F = { T: A.type('DT_FLOAT') };

function toFloat16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign | Math.round((mant | 0x800000) / 2 ** (14 - exp));
  if (exp >= 31) return sign | 0x7c00;
  const h = sign | (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return rest > 0x1000 || (rest === 0x1000 && h & 1) ? h + 1 : h;
}

class Synth {
  nodes: TfNode[] = [];
  specs: WeightSpec[] = [];
  chunks: Uint8Array[] = [];
  private seed = 7;

  rand(): number {
    this.seed = (this.seed * 1103515245 + 12345) >>> 0;
    return this.seed / 2 ** 32;
  }
  randn(n: number, scale = 1): number[] {
    return Array.from({ length: n }, () => (this.rand() * 2 - 1) * scale);
  }
  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: A.type('DT_FLOAT'), shape: { shape: { dim: shape.map((size) => ({ size: String(size) })) } } } });
    return name;
  }
  const(name: string, shape: number[], values: number[], dtype: 'float32' | 'int32' = 'float32', quant?: 'float16' | 'uint8'): string {
    this.nodes.push({ name, op: 'Const', attr: { dtype: A.type(dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32'), value: {} } });
    const spec: WeightSpec = { name, shape, dtype };
    if (quant === 'float16') {
      spec.quantization = { dtype: 'float16' };
      this.chunks.push(new Uint8Array(Uint16Array.from(values, toFloat16).buffer));
    } else if (quant === 'uint8') {
      const min = Math.min(...values);
      const scale = (Math.max(...values) - min) / 255 || 1;
      spec.quantization = { dtype: 'uint8', min, scale };
      this.chunks.push(Uint8Array.from(values, (v) => Math.round((v - min) / scale)));
    } else {
      this.chunks.push(new Uint8Array((dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values)).buffer));
    }
    this.specs.push(spec);
    return name;
  }
  w(name: string, shape: number[], quant?: 'float16' | 'uint8'): string {
    return this.const(name, shape, this.randn(shape.reduce((a, b) => a * b, 1), 0.5), 'float32', quant);
  }
  ints(name: string, values: number[], shape = [values.length]): string {
    return this.const(name, shape, values, 'int32');
  }
  op(name: string, op: string, input: string[], attr: Record<string, TfAttr> = {}): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }
  json(): ModelJson {
    return { format: 'graph-model', modelTopology: { node: this.nodes, library: {}, versions: {} }, weightsManifest: [{ paths: ['w.bin'], weights: this.specs }] };
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

const conv = (strides: number[], padding: string, dil = [1, 1, 1, 1]): Record<string, TfAttr> => ({ ...F, strides: A.ints(strides), padding: A.s(padding), data_format: A.s('NHWC'), dilations: A.ints(dil) });

let hardSwishNodes = 0;

/** Runs `outputs` of the synthetic model in tfjs and through the converter + ORT; returns the worst |diff| per output. */
async function parity(sy: Synth, input: string, shape: number[], outputs: string[], fuseHardSwish = true): Promise<number[]> {
  const json = sy.json();
  const bytes = sy.bytes();
  const x = sy.randn(shape.reduce((a, b) => a * b, 1), 2);
  const tm = await tfGraphModelFrom(JSON.parse(JSON.stringify(json)) as ModelJson, bytes, 'cpu');
  const refs = tf.tidy(() => {
    const r = tm.execute(tf.tensor(x, shape), outputs);
    return Array.isArray(r) ? r : [r];
  });
  const model = parseTfjsGraphModel(json, [bytes]);
  const g = new Graph();
  const nchwShape = shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape;
  const xin = g.input('x', 'float32', nchwShape);
  const res = convertTfjsGraph(model, g, { feeds: { [input]: xin }, outputs, fuseHardSwish });
  if (fuseHardSwish) hardSwishNodes = g.nodes.filter((n) => n.opType === 'HardSwish').length;
  const named: Record<string, Tensor> = {};
  res.outputs.forEach((t, i) => (named[`y${i}`] = t));
  const s = await createSession(toOnnx(g, { outputs: named }).model, { providers: ['cpu'], intraOpNumThreads: 1 });
  const xData = shape.length === 4 ? nhwcToNchw(Float32Array.from(x), shape) : Float32Array.from(x);
  const out = await s.run({ x: { dtype: 'float32', data: xData, dims: nchwShape } });
  await s.release();
  const errs: number[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const ref = refs[i];
    const got = out[`y${i}`];
    let want = Array.from(await ref.data(), Number);
    if (res.nchw[i]) want = Array.from(nhwcToNchw(Float32Array.from(want), ref.shape));
    expect(got.dims, outputs[i]).toEqual(res.nchw[i] ? [ref.shape[0], ref.shape[3], ref.shape[1], ref.shape[2]] : ref.shape);
    errs.push(maxAbsDiff(Array.from(got.data as ArrayLike<number | bigint>, Number), want));
  }
  tf.dispose(refs);
  tm.dispose();
  return errs;
}

describe('tfjs weights', () => {
  it('float16 -> float32 is exact (normals, subnormals, signed zero, inf, NaN)', () => {
    const h = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7bff]);
    const f = float16ToFloat32(h);
    expect(Array.from(f.slice(0, 5))).toEqual([1, -2, 0.333251953125, 2 ** -24, 1023 * 2 ** -24]);
    expect(Object.is(f[5], -0)).toBe(true);
    expect([f[6], f[7]]).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(f[8])).toBe(true);
    expect(f[9]).toBe(65504);
  });

  it('decodes float32 / int32 / float16 / uint8-affine weights laid end to end, and checks the byte count', () => {
    const specs: WeightSpec[] = [
      { name: 'a', shape: [2], dtype: 'float32' },
      { name: 'b', shape: [1], dtype: 'int32' },
      { name: 'c', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'd', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
    ];
    const buf = Buffer.concat([Buffer.from(Float32Array.from([1.5, -2]).buffer), Buffer.from(Int32Array.from([7]).buffer), Buffer.from(Uint16Array.from([0x3c00, 0x4200]).buffer), Buffer.from([0, 2, 255])]);
    const w = decodeWeights(specs, buf);
    expect(Array.from(w.get('a')!.data)).toEqual([1.5, -2]);
    expect(Array.from(w.get('b')!.data)).toEqual([7]);
    expect(Array.from(w.get('c')!.data)).toEqual([1, 3]);
    expect(Array.from(w.get('d')!.data)).toEqual([-1, 0, 126.5]);
    expect(() => decodeWeights(specs, Buffer.concat([buf, Buffer.from([0])]))).toThrow(/shards hold/);
    expect(() => decodeWeights(specs, buf.subarray(0, 10))).toThrow(/shards end/);
  });

  it('permute matches a transpose', () => {
    const d = Float32Array.from({ length: 24 }, (_v, i) => i);
    const p = permute(d, [2, 3, 4], [2, 0, 1]);
    // out[k, i, j] = in[i, j, k]
    expect(p[1 * 6 + 1 * 3 + 2]).toBe(d[1 * 12 + 2 * 4 + 1]);
  });
});

describe('tfjs graph ops -> ONNX, parity with tfjs', () => {
  it('Conv2D (SAME, stride 2, odd sizes) + BiasAdd + Relu6; dilated depthwise with multiplier 2 (VALID); fused conv with LeakyRelu; float16 + uint8 weights', async () => {
    const sy = new Synth();
    const x = sy.placeholder('x', [2, 9, 7, 3]);
    const c1 = sy.op('c1', 'Conv2D', [x, sy.w('w1', [3, 3, 3, 5], 'float16')], conv([1, 2, 2, 1], 'SAME'));
    const b1 = sy.op('b1', 'BiasAdd', [c1, sy.w('bias1', [5])], { ...F, data_format: A.s('NHWC') });
    const r1 = sy.op('r1', 'Relu6', [b1], F);
    const d1 = sy.op('d1', 'DepthwiseConv2dNative', [r1, sy.w('dw', [2, 2, 5, 2], 'uint8')], conv([1, 1, 1, 1], 'VALID', [1, 2, 2, 1]));
    const f1 = sy.op('f1', '_FusedConv2D', [x, sy.w('w2', [1, 1, 3, 4]), sy.w('bias2', [4])], {
      ...conv([1, 1, 1, 1], 'SAME'),
      fused_ops: A.strs(['BiasAdd', 'LeakyRelu']),
      num_args: A.i(1),
      leakyrelu_alpha: A.f(0.1),
      epsilon: A.f(0),
    });
    const f2 = sy.op('f2', 'FusedDepthwiseConv2dNative', [x, sy.w('dw2', [3, 3, 3, 1]), sy.w('bias3', [3])], { ...conv([1, 2, 2, 1], 'SAME'), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1) });
    const errs = await parity(sy, x, [2, 9, 7, 3], [r1, d1, f1, f2]);
    for (const e of errs) expect(e).toBeLessThan(1e-4);
  });

  it('MaxPool / AvgPool (SAME, stride 2), Pad, Mean without keep_dims on one spatial axis, ConcatV2 on channels, Mul/Sub by per-channel and [H,W,1] constants', async () => {
    const sy = new Synth();
    const x = sy.placeholder('x', [1, 7, 6, 4]);
    const mp = sy.op('mp', 'MaxPool', [x], { ...F, ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
    const ap = sy.op('ap', 'AvgPool', [x], { ...F, ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
    const pd = sy.op('pd', 'Pad', [x, sy.ints('pads', [0, 0, 1, 2, 0, 1, 0, 0], [4, 2])], F);
    const mn = sy.op('mn', 'Mean', [x, sy.ints('ax', [1])], { ...F, keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    const mu = sy.op('mu', 'Mul', [x, sy.w('chan', [4])], F);
    const sb = sy.op('sb', 'Sub', [sy.w('hw1', [7, 6, 1]), mu], F);
    const cc = sy.op('cc', 'ConcatV2', [sb, x, sy.ints('cax', [-1], [])], { ...F, N: A.i(2), Tidx: A.type('DT_INT32') });
    const errs = await parity(sy, x, [1, 7, 6, 4], [mp, ap, pd, mn, cc]);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('ResizeBilinear (asymmetric, half-pixel, align-corners) and ResizeNearestNeighbor (asymmetric, half-pixel)', async () => {
    const sy = new Synth();
    const x = sy.placeholder('x', [1, 5, 4, 2]);
    const size = sy.ints('size', [11, 9]);
    const rb = (name: string, ac: boolean, hp: boolean, op = 'ResizeBilinear'): string => sy.op(name, op, [x, size], { ...F, align_corners: A.b(ac), half_pixel_centers: A.b(hp) });
    const outs = [rb('r0', false, false), rb('r1', false, true), rb('r2', true, false), rb('n0', false, false, 'ResizeNearestNeighbor'), rb('n1', false, true, 'ResizeNearestNeighbor')];
    const errs = await parity(sy, x, [1, 5, 4, 2], outs);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('Reshape + _FusedMatMul (BiasAdd, Relu) + Sigmoid; StridedSlice (negative stride, shrink), ExpandDims, Squeeze, GatherV2, TopKV2, Cast, int FloorDiv/FloorMod', async () => {
    const sy = new Synth();
    const x = sy.placeholder('x', [1, 3, 4, 5]);
    const rs = sy.op('rs', 'Reshape', [x, sy.ints('shape', [1, -1])], F);
    const mm = sy.op('mm', '_FusedMatMul', [rs, sy.w('mw', [60, 6]), sy.w('mb', [6])], { ...F, transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1) });
    const sg = sy.op('sg', 'Sigmoid', [mm], F);
    const sliceAttrs = (bm: number, em: number, sm: number): Record<string, TfAttr> => ({ ...F, Index: A.type('DT_INT32'), begin_mask: A.i(bm), end_mask: A.i(em), shrink_axis_mask: A.i(sm), ellipsis_mask: A.i(0), new_axis_mask: A.i(0) });
    // x[:, ::-1, 2:3, 1:5:2] and x[:, 2:0:-1, ...] (tfjs 4.22 mis-slices shrink_axis_mask combined with a non-unit stride, so shrink is tested with unit strides)
    const sn = sy.op('sn', 'StridedSlice', [x, sy.ints('b', [0, 0, 2, 1]), sy.ints('e', [0, 0, 3, 5]), sy.ints('s', [1, -1, 1, 2])], sliceAttrs(3, 3, 0));
    const sn2 = sy.op('sn2', 'StridedSlice', [x, sy.ints('b2', [0, 2, 2, 1]), sy.ints('e2', [0, 0, 3, 5]), sy.ints('s2', [1, -1, 1, 2])], sliceAttrs(1, 1, 0));
    // x[:, :, 2, 1:-1]
    const ss = sy.op('ss', 'StridedSlice', [x, sy.ints('b3', [0, 0, 2, 1]), sy.ints('e3', [0, 0, 3, -1]), sy.ints('s3', [1, 1, 1, 1])], sliceAttrs(3, 3, 4));
    const ed = sy.op('ed', 'ExpandDims', [ss, sy.ints('edim', [-1], [])], { ...F, Tdim: A.type('DT_INT32') });
    const sq = sy.op('sq', 'Squeeze', [ed], { ...F, squeeze_dims: A.ints([0]) });
    const flat = sy.op('flat', 'Reshape', [x, sy.ints('shape2', [-1])], F);
    const tk = sy.op('tk', 'TopKV2', [flat, sy.ints('k', [7], [])], { ...F, sorted: A.b(true) });
    const idx = `${tk}:1`;
    const gv = sy.op('gv', 'GatherV2', [rs, sy.op('idx2', 'Reshape', [idx, sy.ints('shape3', [7])], { T: A.type('DT_INT32') }), sy.ints('gax', [1], [])], { Tparams: A.type('DT_FLOAT'), Tindices: A.type('DT_INT32'), Taxis: A.type('DT_INT32'), batch_dims: A.i(0) });
    const shifted = sy.op('shift', 'Sub', [idx, sy.ints('thirty', [30], [])], { T: A.type('DT_INT32') });
    const fd = sy.op('fd', 'FloorDiv', [shifted, sy.ints('seven', [7], [])], { T: A.type('DT_INT32') });
    const fm = sy.op('fm', 'FloorMod', [shifted, sy.ints('seven2', [7], [])], { T: A.type('DT_INT32') });
    const cf = sy.op('cf', 'Cast', [fd], { SrcT: A.type('DT_INT32'), DstT: A.type('DT_FLOAT'), Truncate: A.b(false) });
    const errs = await parity(sy, x, [1, 3, 4, 5], [sg, sn, sn2, sq, tk, gv, fd, fm, cf]);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
    expect(opHistogram(parseTfjsGraphModel(sy.json(), [sy.bytes()]), [cf]).FloorDiv).toBe(1);
  });

  it("TF's hard-swish pattern (c*x) * Relu6(x + 3) with a float16 c, fused to HardSwish or kept as is", async () => {
    const sy = new Synth();
    const x = sy.placeholder('x', [1, 5, 5, 3]);
    const c1 = sy.op('c1', 'Conv2D', [x, sy.w('w1', [3, 3, 3, 4], 'float16')], conv([1, 1, 1, 1], 'SAME'));
    const m = sy.op('hs/mul', 'Mul', [sy.const('sixth', [], [1 / 6], 'float32', 'float16'), c1], F);
    const a = sy.op('hs/add', 'Add', [c1, sy.const('three', [], [3], 'float32', 'float16')], F);
    const r = sy.op('hs/Relu6', 'Relu6', [a], F);
    const y = sy.op('hs/mul_1', 'Mul', [m, r], F);
    for (const fuse of [true, false]) {
      const errs = await parity(sy, x, [1, 5, 5, 3], [y], fuse);
      expect(errs[0]).toBeLessThan(1e-5);
    }
    expect(hardSwishNodes).toBe(1);
  });

  it('unsupported ops are named; forward-only vision ops refuse to be differentiated', () => {
    const sy = new Synth();
    const x = sy.placeholder('x', [1, 2, 2, 1]);
    const y = sy.op('y', 'Cumsum', [x, sy.ints('ax', [1], [])], F);
    const model = parseTfjsGraphModel(sy.json(), [sy.bytes()]);
    const g = new Graph();
    expect(() => convertTfjsGraph(model, g, { feeds: { x: g.input('x', 'float32', [1, 1, 2, 2]) }, outputs: [y] })).toThrow(/op Cumsum \(node y\) is not supported/);

    const g2 = new Graph();
    const xi = g2.input('x', 'float32', [1, 1, 4, 4]);
    const w = g2.param('w', [1, 1, 3, 3], new Float32Array(9).fill(1));
    const loss = o.reduceSum(o.clip(o.conv2d(xi, w, undefined, { pads: [1, 1, 1, 1] }), 0, 6));
    expect(() => grad(loss, [w])).toThrow(/op (Clip|Conv) .* has no VJP/);
  });
});
