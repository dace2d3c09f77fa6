// TFLite model -> Trove graph, run in float. Walks subgraph 0's operators in order and emits
// each through Trove's op builders, so the result is an ordinary `Graph` that `toOnnx`
// writes.
//
// Quantization: constants are dequantized exactly as TFLite defines it, real = scale * (q -
// zero_point), per tensor or per axis (`quantized_dimension`). By default the weights keep
// their TFLite bytes (uint8, int32 biases) with Cast -> Sub -> Mul in front, which
// onnxruntime constant-folds at load; activations are NOT re-quantized between ops (TFLite's
// integer kernels round every activation to 8 bits; this graph keeps them in float32).
// The graph input is the model's own: for a uint8 model, raw pixel bytes in NHWC, which the
// graph dequantizes with the input's scale and zero point.
//
// Layout: TFLite is NHWC like TF; rank-4 activations are kept NCHW inside the graph (one
// transpose after the input), filters are permuted at build time (OHWI -> OIHW, depthwise
// [1, kh, kw, C*m] -> [C*m, 1, kh, kw]); RESHAPE and FULLY_CONNECTED read the tensor in NHWC
// memory order (a no-op when H = W = 1).
import type { Dim, Graph, Tensor } from '../graph/graph';
import * as o from '../autodiff/ops';
import type { FusedActivation, TfliteModel, TfliteOperator, TfliteTensor, TfliteTensorType } from './tflite-model';
import { ACTIVATIONS, tfliteOpHistogram } from './tflite-model';
import { permute } from './tfjs-to-graph';

/** The TFLite ops this converter knows (others throw, naming the op and its index). */
export const SUPPORTED_TFLITE_OPS = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'ADD', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX'] as const;

export interface TfliteConvertOptions {
  /** the graph input's name (default 'image') */
  inputName?: string;
  /** the batch dimension of the input, replacing the model's fixed 1 (default 'batch') */
  batch?: Dim;
  /**
   * How quantized constants are stored: 'quantized' (default) keeps the TFLite integers
   * with the dequantization as graph ops in front (folded at load); 'float32' dequantizes
   * at build time (4x the bytes, same values).
   */
  weights?: 'quantized' | 'float32';
  /** TFLite tensor names to expose besides the model's outputs, e.g. the softmax's input */
  taps?: readonly string[];
  /**
   * Round every quantized activation to its 8-bit grid (q = clip(round(x / scale) + zero_point,
   * 0, 255), x = (q - zero_point) * scale) as TFLite's integer kernels do, for parity checks
   * against a TFLite runtime (default false: float activations).
   */
  fakeQuantActivations?: boolean;
}

export interface TfliteConverted {
  /** the graph input: the model's input tensor in its own dtype and NHWC layout, batch symbolic */
  input: Tensor;
  /** how the graph dequantizes the input: real = scale * (q - zeroPoint) (absent for float inputs) */
  inputQuantization?: { scale: number; zeroPoint: number };
  /** the model's outputs, float32 (rank-4 ones NCHW) */
  outputs: Tensor[];
  /** the `taps`, float32, in order */
  taps: Tensor[];
  /** op histogram of the converted operators */
  ops: Record<string, number>;
}

const QUANTIZED_STORAGE: Partial<Record<TfliteTensorType, 'uint8' | 'int32'>> = { uint8: 'uint8', int32: 'int32' };

/** A converted activation: rank-4 ones are NCHW. */
interface Val {
  t: Tensor;
  nchw: boolean;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Explicit ONNX pads [top, left, bottom, right] for TFLite SAME (0) / VALID (1) padding. */
export function tflitePads(padding: number, size: readonly [number, number], kernel: readonly [number, number], strides: readonly [number, number], dil: readonly [number, number] = [1, 1]): number[] {
  if (padding === 1) return [0, 0, 0, 0];
  if (padding !== 0) throw new Error(`unknown TFLite padding ${padding}`);
  const out = [0, 0, 0, 0];
  for (let i = 0; i < 2; i++) {
    const total = Math.max((Math.ceil(size[i] / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - size[i], 0);
    out[i] = Math.floor(total / 2);
    out[i + 2] = total - out[i];
  }
  return out;
}

class Converter {
  private readonly vals = new Map<number, Val>();

  constructor(
    private readonly model: TfliteModel,
    private readonly g: Graph,
    private readonly opts: TfliteConvertOptions,
  ) {}

  run(): TfliteConverted {
    const m = this.model;
    if (m.inputs.length !== 1) throw new Error(`TFLite convert: the model has ${m.inputs.length} inputs; one image input is supported`);
    const { input, inputQuantization } = this.feed(m.tensors[m.inputs[0]!]!);
    m.operators.forEach((op, i) => {
      const outs = this.g.scope(`op${i}_${op.op}`, () => this.convert(op, i));
      if (op.outputs.length !== 1) throw new Error(`TFLite convert: ${op.op} (operator ${i}) has ${op.outputs.length} outputs`);
      this.vals.set(op.outputs[0]!, this.opts.fakeQuantActivations ? this.g.scope(`op${i}_fake_quant`, () => this.fakeQuant(outs, m.tensors[op.outputs[0]!]!)) : outs);
    });
    const byName = new Map(m.tensors.map((t) => [t.name, t.index]));
    const taps = (this.opts.taps ?? []).map((name) => {
      const idx = byName.get(name);
      if (idx === undefined) throw new Error(`TFLite convert: no tensor named '${name}'`);
      return this.act(idx).t;
    });
    return { input, ...(inputQuantization ? { inputQuantization } : {}), outputs: m.outputs.map((i) => this.act(i).t), taps, ops: tfliteOpHistogram(m) };
  }

  /** The graph input, dequantized and laid out NCHW. */
  private feed(t: TfliteTensor): { input: Tensor; inputQuantization?: { scale: number; zeroPoint: number } } {
    if (t.shape.length !== 4) throw new Error(`TFLite convert: the input ${t.name} is [${t.shape.join(',')}], an NHWC image is expected`);
    const dtype = t.type === 'uint8' ? 'uint8' : t.type === 'float32' ? 'float32' : undefined;
    if (!dtype) throw new Error(`TFLite convert: input type ${t.type} is not supported (uint8 or float32)`);
    const input = this.g.input(this.opts.inputName ?? 'image', dtype, [this.opts.batch ?? 'batch', ...t.shape.slice(1)]);
    let x = o.transpose(input, NHWC_TO_NCHW);
    let inputQuantization: { scale: number; zeroPoint: number } | undefined;
    if (dtype === 'uint8') {
      const q = t.quantization;
      if (!q || q.scale.length !== 1) throw new Error(`TFLite convert: the uint8 input ${t.name} has no per-tensor quantization`);
      inputQuantization = { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
      x = o.mul(o.sub(o.cast(x, 'float32'), inputQuantization.zeroPoint), inputQuantization.scale);
    }
    this.vals.set(t.index, { t: x, nchw: true });
    return { input, ...(inputQuantization ? { inputQuantization } : {}) };
  }

  /** The activation rounded to its tensor's uint8 grid (per-tensor quantization only). */
  private fakeQuant(v: Val, t: TfliteTensor): Val {
    const q = t.quantization;
    if (t.type !== 'uint8' || !q || q.scale.length !== 1) return v;
    const [scale, zp] = [q.scale[0]!, q.zeroPoint[0] ?? 0];
    const grid = o.clip(o.add(o.round(o.div(v.t, scale)), zp), 0, 255);
    return { t: o.mul(o.sub(grid, zp), scale), nchw: v.nchw };
  }

  private act(index: number): Val {
    const v = this.vals.get(index);
    if (v) return v;
    const t = this.model.tensors[index];
    if (t?.data) throw new Error(`TFLite convert: constant ${t.name} used as an activation is not supported`);
    throw new Error(`TFLite convert: tensor ${index} (${t?.name}) is used before it is computed`);
  }

  /** The activation in NHWC (TFLite) memory order. */
  private plain(v: Val): Tensor {
    if (!v.nchw) return v.t;
    const [, , h, w] = v.t.shape;
    // [N, C, 1, 1] and [N, 1, 1, C] hold the same bytes: reshape instead of transposing.
    return h === 1 && w === 1 ? o.reshape(v.t, [0, 1, 1, -1]) : o.transpose(v.t, NCHW_TO_NHWC);
  }

  private const(index: number, what: string): TfliteTensor & { data: Uint8Array } {
    const t = this.model.tensors[index];
    if (!t?.data) throw new Error(`TFLite convert: ${what} (tensor ${index}) must be a constant`);
    return t as TfliteTensor & { data: Uint8Array };
  }

  /** A constant as float32, `perm`uted (out dim i = in dim perm[i]); quantized ones dequantized. */
  private weight(index: number, what: string, perm?: readonly number[]): Tensor {
    const t = this.const(index, what);
    const shape = perm ? perm.map((p) => t.shape[p]!) : t.shape;
    const name = `w${index}`;
    const storage = QUANTIZED_STORAGE[t.type];
    const q = t.quantization;
    if (!q) {
      if (t.type !== 'float32') throw new Error(`TFLite convert: ${what} is ${t.type} without quantization`);
      const f = new Float32Array(t.data.slice().buffer);
      return this.g.constant(perm ? permute(f, t.shape, perm) : f, shape, 'float32', name);
    }
    if (!storage) throw new Error(`TFLite convert: quantized ${t.type} constants (${what}) are not supported (uint8, int32)`);
    const raw = storage === 'uint8' ? t.data.slice() : new Int32Array(t.data.slice().buffer);
    const data = perm ? permute(raw, t.shape, perm) : raw;
    const perAxis = q.scale.length > 1;
    const axis = perAxis ? (perm ? perm.indexOf(q.axis) : q.axis) : 0;
    if (perAxis && q.scale.length !== shape[axis]) throw new Error(`TFLite convert: ${what} has ${q.scale.length} scales for ${shape[axis]} slices`);
    if ((this.opts.weights ?? 'quantized') === 'float32') return this.g.constant(dequantize(data, shape, q.scale, q.zeroPoint, axis), shape, 'float32', name);
    // (float(q) - zero_point) * scale: what ONNX DequantizeLinear computes, written as Cast, Sub
    // and Mul because onnxruntime constant-folds those at load; it keeps DequantizeLinear
    // nodes unfolded (for its QDQ fusions) and would dequantize on every run.
    const bshape = perAxis ? shape.map((d, k) => (k === axis ? d : 1)) : [];
    const zp = q.zeroPoint.length === q.scale.length ? Float32Array.from(q.zeroPoint) : new Float32Array(q.scale.length).fill(q.zeroPoint[0] ?? 0);
    let x = o.cast(this.g.constant(data, shape, storage, name), 'float32');
    if (zp.some((z) => z !== 0)) x = o.sub(x, this.g.constant(zp, bshape, 'float32', `${name}_zero_point`));
    return o.mul(x, this.g.constant(q.scale, bshape, 'float32', `${name}_scale`));
  }

  private activation(x: Tensor, code: number | number[] | undefined, op: string): Tensor {
    const act: FusedActivation | undefined = ACTIVATIONS[typeof code === 'number' ? code : 0];
    switch (act) {
      case 'NONE':
        return x;
      case 'RELU':
        return o.relu(x);
      case 'RELU6':
        return o.clip(x, 0, 6);
      case 'RELU_N1_TO_1':
        return o.clip(x, -1, 1);
      case 'TANH':
        return o.tanh(x);
      default:
        throw new Error(`TFLite convert: fused activation ${act ?? code} of ${op} is not supported`);
    }
  }

  private num(op: TfliteOperator, key: string): number {
    const v = op.options[key];
    if (typeof v !== 'number') throw new Error(`TFLite convert: ${op.op} has no option ${key}`);
    return v;
  }

  private convert(op: TfliteOperator, i: number): Val {
    const opt = op.options;
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
        return { t: this.activation(this.conv(op), opt.fused_activation_function, op.op), nchw: true };
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D': {
        const x = this.nchw(op.inputs[0]!);
        const kernel: [number, number] = [this.num(op, 'filter_height'), this.num(op, 'filter_width')];
        const strides: [number, number] = [this.num(op, 'stride_h'), this.num(op, 'stride_w')];
        const pads = tflitePads(this.num(op, 'padding'), spatial(x), kernel, strides);
        const y = o.pool2d(op.op === 'MAX_POOL_2D' ? 'MaxPool' : 'AveragePool', x, { kernel, strides, pads });
        return { t: this.activation(y, opt.fused_activation_function, op.op), nchw: true };
      }
      case 'ADD': {
        const [a, b] = op.inputs.map((k) => this.act(k));
        if (a!.nchw !== b!.nchw) throw new Error(`TFLite convert: ADD (operator ${i}) of a rank-4 and a lower-rank tensor is not supported`);
        return { t: this.activation(o.add(a!.t, b!.t), opt.fused_activation_function, op.op), nchw: a!.nchw };
      }
      case 'RESHAPE':
        return { t: o.reshape(this.plain(this.act(op.inputs[0]!)), this.reshapeTarget(op)), nchw: false };
      case 'FULLY_CONNECTED':
        return { t: this.fullyConnected(op), nchw: false };
      case 'SOFTMAX': {
        const v = this.act(op.inputs[0]!);
        if (v.nchw) throw new Error('TFLite convert: SOFTMAX of a rank-4 tensor is not supported');
        const beta = typeof opt.beta === 'number' ? opt.beta : 1;
        return { t: o.softmax(beta === 1 ? v.t : o.mul(v.t, beta), -1), nchw: false };
      }
      default:
        throw new Error(`TFLite convert: op ${op.op} (operator ${i}) is not supported; supported: ${SUPPORTED_TFLITE_OPS.join(', ')}`);
    }
  }

  private nchw(index: number): Tensor {
    const v = this.act(index);
    if (!v.nchw) throw new Error(`TFLite convert: tensor ${index} should be a rank-4 image tensor`);
    return v.t;
  }

  private conv(op: TfliteOperator): Tensor {
    const x = this.nchw(op.inputs[0]!);
    const wt = this.const(op.inputs[1]!, `${op.op} filter`);
    const depthwise = op.op === 'DEPTHWISE_CONV_2D';
    // OHWI -> OIHW; depthwise [1, kh, kw, C*m] -> [C*m, 1, kh, kw] (output channel c*m + k reads input channel c, as in ONNX).
    const w = this.weight(wt.index, `${op.op} filter`, depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2]);
    const [, cin, kh, kw] = w.shape as number[];
    const c = x.shape[1] as number;
    const group = depthwise ? c : c / cin!;
    if (!Number.isInteger(group)) throw new Error(`TFLite convert: ${op.op} filter wants ${cin} input channels, the input has ${c}`);
    const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? this.weight(op.inputs[2], `${op.op} bias`) : undefined;
    const strides: [number, number] = [this.num(op, 'stride_h'), this.num(op, 'stride_w')];
    const dil: [number, number] = [this.num(op, 'dilation_h_factor'), this.num(op, 'dilation_w_factor')];
    const pads = tflitePads(this.num(op, 'padding'), spatial(x), [kh!, kw!], strides, dil);
    return o.conv2d(x, w, bias, { strides, pads, dilations: dil, group });
  }

  private reshapeTarget(op: TfliteOperator): number[] {
    const fromTensor = op.inputs[1] !== undefined && op.inputs[1] >= 0 ? this.const(op.inputs[1], 'RESHAPE shape') : undefined;
    const shape = fromTensor ? Array.from(new Int32Array(fromTensor.data.slice().buffer)) : (op.options.new_shape as number[] | undefined);
    if (!shape?.length) throw new Error('TFLite convert: RESHAPE without a target shape');
    // The model's batch of 1 becomes the symbolic batch: keep dim 0 as it is (ONNX 0 = copy).
    return shape.map((d, k) => (k === 0 && d === 1 ? 0 : d));
  }

  private fullyConnected(op: TfliteOperator): Tensor {
    const wt = this.const(op.inputs[1]!, 'FULLY_CONNECTED weights');
    if ((op.options.weights_format ?? 0) !== 0) throw new Error('TFLite convert: shuffled FULLY_CONNECTED weights are not supported');
    if (op.options.keep_num_dims) throw new Error('TFLite convert: FULLY_CONNECTED keep_num_dims is not supported');
    const [, inner] = wt.shape;
    const x = o.reshape(this.plain(this.act(op.inputs[0]!)), [-1, inner!]);
    const w = this.weight(wt.index, 'FULLY_CONNECTED weights');
    const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? this.weight(op.inputs[2], 'FULLY_CONNECTED bias') : undefined;
    return this.activation(o.gemm(x, w, bias, { transB: true }), op.options.fused_activation_function, op.op);
  }
}

function spatial(x: Tensor): [number, number] {
  const [, , h, w] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number') throw new Error('TFLite convert: spatial dims must be static');
  return [h, w];
}

/** scale * (q - zero_point) in float32, per tensor or per slice along `axis` of `shape`. */
export function dequantize(q: Uint8Array | Int32Array, shape: readonly number[], scale: Float32Array, zeroPoint: readonly number[], axis = 0): Float32Array {
  const out = new Float32Array(q.length);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = shape[axis] ?? 1;
  for (let k = 0; k < q.length; k++) {
    const c = scale.length > 1 ? Math.floor(k / inner) % dim : 0;
    out[k] = (q[k]! - (zeroPoint[c] ?? 0)) * scale[c]!;
  }
  return out;
}

/**
 * Emits the model's operators into `g` (see the file comment for layout and numerics).
 * Throws on an op outside SUPPORTED_TFLITE_OPS, naming it.
 */
export function convertTflite(model: TfliteModel, g: Graph, opts: TfliteConvertOptions = {}): TfliteConverted {
  return new Converter(model, g, opts).run();
}
