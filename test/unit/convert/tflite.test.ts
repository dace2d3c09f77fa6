// The TFLite reader and converter: a real quantized model (MobileNetV1 0.25/128 from
// google-coral/test_data, committed in test/fixtures/tflite) against TFLite's own outputs
// (LiteRT.js, recorded in litert-reference.json), and a small hand-built model covering the
// options the real one lacks (per-axis quantization, depth multiplier, SAME padding of odd
// sizes, max pooling, ADD, FULLY_CONNECTED, softmax beta) against a plain float reference.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfliteClassifierToOnnx } from '../../../main/ml/convert/tflite-classifier';
import { parseTflite, readTflite, tfliteOpHistogram } from '../../../main/ml/convert/tflite-model';
import type { TfliteModel, TfliteOperator, TfliteTensor } from '../../../main/ml/convert/tflite-model';
import { convertTflite, dequantize, tflitePads } from '../../../main/ml/convert/tflite-to-graph';
import { Graph } from '../../../main/ml/graph/graph';
import { toOnnx } from '../../../main/ml/graph/onnx-writer';
import { classifierInput } from '../../../main/ml/perception/classifier';
import { createSession } from '../../../main/ml/runtime/session';
import type { Session } from '../../../main/ml/runtime/session';
import { readRgb } from '../../../native-models/recipes/lib/images';
import { sha256 } from '../../../main/base/hash';
import { argmax, CORAL_PHOTOS, litertReference, margin, maxAbsDiff, referenceProbs, TFLITE_FIXTURES } from './tflite-reference';

const V1 = 'mobilenet_v1_0.25_128_quant.tflite';

describe('TFLite reader', () => {
  it('reads the real model: operators, options, quantization, constants', () => {
    const m = readTflite(join(TFLITE_FIXTURES, V1));
    expect(m.version).toBe(3);
    expect(tfliteOpHistogram(m)).toEqual({ CONV_2D: 15, DEPTHWISE_CONV_2D: 13, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 });
    const input = m.tensors[m.inputs[0]!]!;
    expect(input.type).toBe('uint8');
    expect(input.shape).toEqual([1, 128, 128, 3]);
    expect(input.quantization?.scale[0]).toBe(1 / 128);
    expect(input.quantization?.zeroPoint).toEqual([128]);
    expect(m.tensors[m.outputs[0]!]!.shape).toEqual([1, 1001]);
    const first = m.operators[0]!;
    expect(first.op).toBe('CONV_2D');
    expect(first.options).toMatchObject({ padding: 0, stride_h: 2, stride_w: 2, fused_activation_function: 3, dilation_h_factor: 1 });
    const filter = m.tensors[first.inputs[1]!]!;
    expect(filter.type).toBe('uint8');
    expect(filter.data?.byteLength).toBe(filter.shape.reduce((a, b) => a * b, 1));
    const bias = m.tensors[first.inputs[2]!]!;
    expect(bias.type).toBe('int32');
    // TFLite's bias scale is the product of the input's and the filter's scales
    expect(bias.quantization!.scale[0]).toBeCloseTo(input.quantization!.scale[0]! * filter.quantization!.scale[0]!, 12);
    const pool = m.operators.find((o) => o.op === 'AVERAGE_POOL_2D')!;
    expect(pool.options).toMatchObject({ padding: 1, filter_height: 4, filter_width: 4 });
    expect(m.operators[m.operators.length - 1]!.options).toEqual({ beta: 1 });
  });

  it('refuses bytes that are not a TFLite model, saying so', () => {
    expect(() => parseTflite(new Uint8Array(readFileSync(join(CORAL_PHOTOS, 'cat.png'))), 'cat.png')).toThrow(/cat.png is not a TFLite file \(identifier/);
    expect(() => parseTflite(new Uint8Array(3))).toThrow(/not a TFLite file \(3 bytes\)/);
  });

  it('computes SAME padding as TFLite (the odd pixel at the end) and dequantizes per axis', () => {
    expect(tflitePads(0, [224, 224], [3, 3], [2, 2])).toEqual([0, 0, 1, 1]);
    expect(tflitePads(0, [5, 7], [3, 3], [1, 2])).toEqual([1, 1, 1, 1]);
    expect(tflitePads(1, [5, 7], [3, 3], [1, 2])).toEqual([0, 0, 0, 0]);
    const q = Uint8Array.from([0, 10, 255, 10, 20, 30]);
    expect(Array.from(dequantize(q, [2, 3], Float32Array.from([0.5, 2]), [10, 20], 0))).toEqual([-5, 0, 122.5, -20, 0, 20]);
    expect(Array.from(dequantize(q, [2, 3], Float32Array.from([1, 1, 1]), [0, 10, 5], 1))).toEqual([0, 0, 250, 10, 10, 25]);
  });
});

describe('TFLite -> ONNX, real model vs TFLite (LiteRT.js reference)', () => {
  const ref = litertReference().models[V1]!;
  let model: TfliteModel;
  let float: Session;
  let emulated: Session;
  const inputs = new Map<string, Uint8Array>();

  beforeAll(async () => {
    const bytes = new Uint8Array(readFileSync(join(TFLITE_FIXTURES, V1)));
    expect(sha256(bytes)).toBe(ref.sha256);
    model = parseTflite(bytes);
    float = await createSession(tfliteClassifierToOnnx(model).model, { providers: ['cpu'], intraOpNumThreads: 2 });
    emulated = await createSession(tfliteClassifierToOnnx(model, { fakeQuantActivations: true }).model, { providers: ['cpu'], intraOpNumThreads: 2 });
    const input = { name: 'image', width: ref.size, height: ref.size, layout: 'NHWC' as const, dtype: 'uint8' as const };
    for (const photo of Object.keys(ref.photos)) inputs.set(photo, await classifierInput(await readRgb(join(CORAL_PHOTOS, photo)), { input, resize: ref.resize }));
  });

  const run = async (s: Session, photo: string): Promise<Float32Array> =>
    (await s.run({ image: { dtype: 'uint8', data: inputs.get(photo)!, dims: [1, ref.size, ref.size, 3] } })).probabilities!.data as Float32Array;

  it('sees the same input bytes TFLite saw', () => {
    for (const [photo, bytes] of inputs) expect(sha256(bytes), photo).toBe(ref.photos[photo]!.input);
  });

  it('float32 arithmetic: the same top-1 wherever TFLite is clear (lead > 0.05), probabilities within a few hundredths', async () => {
    let sum = 0;
    let n = 0;
    for (const photo of inputs.keys()) {
      const p = await run(float, photo);
      const q = referenceProbs(ref, photo);
      if (margin(q) > 0.05) expect(argmax(p), photo).toBe(argmax(q));
      expect(maxAbsDiff(p, q), photo).toBeLessThan(0.08);
      for (let c = 0; c < q.length; c++) sum += Math.abs(p[c]! - q[c]!);
      n += q.length;
    }
    expect(sum / n).toBeLessThan(5e-4);
  });

  it("emulating TFLite's 8-bit activations brings the outputs closer still", async () => {
    let [dFloat, dEmulated] = [0, 0];
    for (const photo of inputs.keys()) {
      const q = referenceProbs(ref, photo);
      dFloat += maxAbsDiff(await run(float, photo), q);
      dEmulated += maxAbsDiff(await run(emulated, photo), q);
    }
    expect(dEmulated).toBeLessThan(dFloat);
  });

  it('uint8 weight storage gives the values of float32 storage at about a quarter of the bytes', async () => {
    const q = tfliteClassifierToOnnx(model);
    const f = tfliteClassifierToOnnx(model, { weights: 'float32' });
    expect(q.model.byteLength).toBeLessThan(0.3 * f.model.byteLength);
    const s = await createSession(f.model, { providers: ['cpu'], intraOpNumThreads: 2 });
    const photo = 'cat.png';
    const feeds = { image: { dtype: 'uint8' as const, data: inputs.get(photo)!, dims: [1, ref.size, ref.size, 3] } };
    const [a, b] = [(await float.run(feeds)).logits!.data as Float32Array, (await s.run(feeds)).logits!.data as Float32Array];
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    await s.release();
  });

  it('batches: a symbolic batch gives each image what it gets alone', async () => {
    const photos = [...inputs.keys()].slice(0, 3);
    const data = new Uint8Array(photos.length * ref.size * ref.size * 3);
    photos.forEach((p, i) => data.set(inputs.get(p)!, i * ref.size * ref.size * 3));
    const out = (await float.run({ image: { dtype: 'uint8', data, dims: [photos.length, ref.size, ref.size, 3] } })).probabilities!.data as Float32Array;
    for (const [i, p] of photos.entries()) expect(maxAbsDiff(out.subarray(i * 1001, (i + 1) * 1001), await run(float, p))).toBeLessThan(1e-5);
  });
});

// ---------------------------------------------------------------------------------------
// A hand-built quantized model and a plain float reference of the same arithmetic.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Q {
  scale: number[];
  zp: number[];
  axis?: number;
}

function makeModel(): { model: TfliteModel; deq: (i: number) => Float64Array } {
  const r = rng(7);
  const tensors: TfliteTensor[] = [];
  const add = (shape: number[], type: 'uint8' | 'int32' | 'float32', q?: Q, fill?: () => number): number => {
    const index = tensors.length;
    const n = shape.reduce((a, b) => a * b, 1);
    let data: Uint8Array | undefined;
    if (fill) data = type === 'uint8' ? Uint8Array.from({ length: n }, fill) : new Uint8Array(Int32Array.from({ length: n }, fill).buffer);
    tensors.push({ index, name: `t${index}`, shape, type, ...(data ? { data } : {}), ...(q ? { quantization: { scale: Float32Array.from(q.scale), zeroPoint: q.zp, axis: q.axis ?? 0 } } : {}) });
    return index;
  };
  const u8 = () => Math.floor(r() * 256);
  const i32 = () => Math.floor((r() - 0.5) * 4000);
  const act = { scale: [0.05], zp: [0] };
  const x = add([1, 5, 7, 3], 'uint8', { scale: [1 / 128], zp: [128] });
  // CONV_2D 3x3 stride (1, 2), SAME on 5 x 7, per-axis filter scales (axis 0 = output channel)
  const w1 = add([4, 3, 3, 3], 'uint8', { scale: [0.01, 0.02, 0.015, 0.03], zp: [120, 128, 131, 100], axis: 0 }, u8);
  const b1 = add([4], 'int32', { scale: [0.01 / 128, 0.02 / 128, 0.015 / 128, 0.03 / 128], zp: [0, 0, 0, 0], axis: 0 }, i32);
  const y1 = add([1, 5, 4, 4], 'uint8', act);
  // DEPTHWISE_CONV_2D 3x3, depth multiplier 2, per-axis scales on axis 3
  const w2 = add([1, 3, 3, 8], 'uint8', { scale: [0.02, 0.01, 0.03, 0.02, 0.01, 0.02, 0.025, 0.015], zp: [128, 127, 129, 126, 128, 130, 128, 125], axis: 3 }, u8);
  const b2 = add([8], 'int32', { scale: [0.001], zp: [0] }, i32);
  const y2 = add([1, 5, 4, 8], 'uint8', act);
  // MAX_POOL_2D 2x2 stride 2 SAME: 5 x 4 -> 3 x 2
  const y3 = add([1, 3, 2, 8], 'uint8', act);
  const y4 = add([1, 3, 2, 8], 'uint8', act);
  const shape = add([2], 'int32', undefined, (() => {
    const v = [1, 48];
    let k = 0;
    return () => v[k++]!;
  })());
  const y5 = add([1, 48], 'uint8', act);
  const w6 = add([5, 48], 'uint8', { scale: [0.02], zp: [128] }, u8);
  const b6 = add([5], 'int32', { scale: [0.001], zp: [0] }, i32);
  const y6 = add([1, 5], 'uint8', act);
  const y7 = add([1, 5], 'uint8', { scale: [1 / 256], zp: [0] });
  const op = (name: string, inputs: number[], output: number, options: Record<string, number>): TfliteOperator => ({ op: name, version: 1, inputs, outputs: [output], options });
  const operators = [
    op('CONV_2D', [x, w1, b1], y1, { padding: 0, stride_h: 1, stride_w: 2, fused_activation_function: 3, dilation_h_factor: 1, dilation_w_factor: 1 }),
    op('DEPTHWISE_CONV_2D', [y1, w2, b2], y2, { padding: 0, stride_h: 1, stride_w: 1, depth_multiplier: 2, fused_activation_function: 0, dilation_h_factor: 1, dilation_w_factor: 1 }),
    op('MAX_POOL_2D', [y2], y3, { padding: 0, stride_h: 2, stride_w: 2, filter_height: 2, filter_width: 2, fused_activation_function: 0 }),
    op('ADD', [y3, y3], y4, { fused_activation_function: 1 }),
    op('RESHAPE', [y4, shape], y5, {}),
    op('FULLY_CONNECTED', [y5, w6, b6], y6, { fused_activation_function: 0, weights_format: 0, keep_num_dims: 0 }),
    op('SOFTMAX', [y6], y7, { beta: 0.5 }),
  ];
  const deq = (i: number): Float64Array => {
    const t = tensors[i]!;
    const raw = t.type === 'uint8' ? t.data! : new Int32Array(t.data!.slice().buffer);
    const q = t.quantization!;
    const inner = t.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1);
    return Float64Array.from(raw, (v, k) => {
      const c = q.scale.length > 1 ? Math.floor(k / inner) % t.shape[q.axis]! : 0;
      return (v - q.zeroPoint[c]!) * q.scale[c]!;
    });
  };
  return { model: { version: 3, description: 'hand-built', tensors, inputs: [x], outputs: [y7], operators }, deq };
}

/** NHWC float reference of the hand-built model (batch 1): the flattened pool, the logits, the probabilities. */
function reference(input: Uint8Array, deq: (i: number) => Float64Array): { flat: Float64Array; logits: Float64Array; probs: Float64Array } {
  const x = Float64Array.from(input, (v) => (v - 128) / 128); // [5, 7, 3]
  const at = (a: Float64Array, h: number, w: number, c: number, H: number, W: number, C: number) => (h < 0 || w < 0 || h >= H || w >= W ? 0 : a[(h * W + w) * C + c]!);
  // conv: out 5 x 4 x 4, pads top 1, left 1 (SAME: total (4-1)*2+3-7 = 2 on W, 2 on H)
  const [w1, b1] = [deq(1), deq(2)];
  const y1 = new Float64Array(5 * 4 * 4);
  for (let h = 0; h < 5; h++) for (let w = 0; w < 4; w++) for (let o = 0; o < 4; o++) {
    let s = b1[o]!;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) s += at(x, h - 1 + i, w * 2 - 1 + j, c, 5, 7, 3) * w1[((o * 3 + i) * 3 + j) * 3 + c]!;
    y1[(h * 4 + w) * 4 + o] = Math.min(Math.max(s, 0), 6);
  }
  // depthwise: out channel oc reads input channel floor(oc / 2)
  const [w2, b2] = [deq(4), deq(5)];
  const y2 = new Float64Array(5 * 4 * 8);
  for (let h = 0; h < 5; h++) for (let w = 0; w < 4; w++) for (let oc = 0; oc < 8; oc++) {
    let s = b2[oc]!;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += at(y1, h - 1 + i, w - 1 + j, oc >> 1, 5, 4, 4) * w2[(i * 3 + j) * 8 + oc]!;
    y2[(h * 4 + w) * 8 + oc] = s;
  }
  // max pool 2x2 s2 SAME: 5 -> 3 (pad bottom 1), 4 -> 2; then add to itself + relu; flatten NHWC
  const flat = new Float64Array(48);
  for (let h = 0; h < 3; h++) for (let w = 0; w < 2; w++) for (let c = 0; c < 8; c++) {
    let m = -Infinity;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) if (h * 2 + i < 5) m = Math.max(m, y2[((h * 2 + i) * 4 + w * 2 + j) * 8 + c]!);
    flat[(h * 2 + w) * 8 + c] = Math.max(2 * m, 0);
  }
  const [w6, b6] = [deq(11), deq(12)];
  const logits = Float64Array.from({ length: 5 }, (_v, o) => flat.reduce((s, v, k) => s + v * w6[o * 48 + k]!, b6[o]!));
  const e = logits.map((v) => Math.exp(0.5 * v));
  const z = e.reduce((a, b) => a + b, 0);
  return { flat, logits, probs: e.map((v) => v / z) };
}

describe('TFLite -> ONNX, hand-built model vs a float reference', () => {
  it('per-axis weights, depth multiplier, SAME on odd sizes, max pool, ADD + RELU, RESHAPE in NHWC order, FULLY_CONNECTED, softmax beta', async () => {
    const { model, deq } = makeModel();
    const g = new Graph();
    const c = convertTflite(model, g, { taps: ['t10', 't13'] });
    expect(c.input.shape).toEqual(['batch', 5, 7, 3]);
    const s = await createSession(toOnnx(g, { outputs: { probs: c.outputs[0]!, flat: c.taps[0]!, logits: c.taps[1]! } }).model, { providers: ['cpu'] });
    const r = rng(99);
    for (let trial = 0; trial < 3; trial++) {
      const input = Uint8Array.from({ length: 5 * 7 * 3 }, () => Math.floor(r() * 256));
      const out = await s.run({ image: { dtype: 'uint8', data: input, dims: [1, 5, 7, 3] } });
      const want = reference(input, deq);
      const scale = Math.max(...want.logits.map(Math.abs));
      expect(scale).toBeGreaterThan(0.5); // not a degenerate all-zero path
      expect(maxAbsDiff(out.flat!.data as Float32Array, want.flat)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.logits!.data as Float32Array, want.logits) / scale).toBeLessThan(1e-5);
      expect(maxAbsDiff(out.probs!.data as Float32Array, want.probs)).toBeLessThan(1e-5);
    }
    await s.release();
  });

  it('names an unsupported op and the operator that uses it', () => {
    const { model } = makeModel();
    model.operators[3] = { ...model.operators[3]!, op: 'MUL' };
    expect(() => convertTflite(model, new Graph())).toThrow(/op MUL \(operator 3\) is not supported; supported: CONV_2D/);
  });
});
