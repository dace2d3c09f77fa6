// Reads a TFLite model (a FlatBuffer, file identifier "TFL3") without the flatbuffers
// runtime: just the tables a converter needs. Field slots follow the field order of
// tensorflow/lite/schema/schema.fbs (slot = declaration index; a union takes two slots,
// its `_type` byte first):
//   Model          0 version:uint, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers
//   OperatorCode   0 deprecated_builtin_code:byte, 1 custom_code, 2 version:int = 1,
//                  3 builtin_code:int   (the code is the larger of slots 0 and 3)
//   SubGraph       0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
//   Tensor         0 shape:[int], 1 type:byte, 2 buffer:uint, 3 name, 4 quantization
//   QuantizationParameters  0 min, 1 max, 2 scale:[float], 3 zero_point:[long],
//                  4 details_type, 5 details, 6 quantized_dimension:int
//   Operator       0 opcode_index:uint, 1 inputs:[int], 2 outputs:[int],
//                  3 builtin_options_type:ubyte, 4 builtin_options
//   Buffer         0 data:[ubyte], 1 offset:ulong, 2 size:ulong (data past 2 GB; refused)
// and the option tables of BUILTIN_OPTIONS below.
import { readFileSync } from 'node:fs';

/** TensorType (schema.fbs enum order). */
const TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64'] as const;
export type TfliteTensorType = (typeof TENSOR_TYPES)[number];

/** BuiltinOperator codes by name, for the ops Trove converts and a few it names in errors. */
export const BUILTIN_OPS: Readonly<Record<number, string>> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6', 22: 'RESHAPE',
  25: 'SOFTMAX', 32: 'CUSTOM', 34: 'PAD', 40: 'MEAN', 114: 'QUANTIZE', 117: 'HARD_SWISH',
};

export const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
export type FusedActivation = (typeof ACTIVATIONS)[number];

type FieldKind = 'byte' | 'int' | 'float' | 'ints';
/**
 * BuiltinOptions union type -> [table name, its fields in slot order with kind and default].
 * Union member index = position in schema.fbs's `union BuiltinOptions` + 1 (0 is NONE).
 */
const BUILTIN_OPTIONS: Readonly<Record<number, readonly [string, readonly (readonly [string, FieldKind, number])[]]>> = {
  1: ['Conv2DOptions', [['padding', 'byte', 0], ['stride_w', 'int', 0], ['stride_h', 'int', 0], ['fused_activation_function', 'byte', 0], ['dilation_w_factor', 'int', 1], ['dilation_h_factor', 'int', 1]]],
  2: ['DepthwiseConv2DOptions', [['padding', 'byte', 0], ['stride_w', 'int', 0], ['stride_h', 'int', 0], ['depth_multiplier', 'int', 0], ['fused_activation_function', 'byte', 0], ['dilation_w_factor', 'int', 1], ['dilation_h_factor', 'int', 1]]],
  5: ['Pool2DOptions', [['padding', 'byte', 0], ['stride_w', 'int', 0], ['stride_h', 'int', 0], ['filter_width', 'int', 0], ['filter_height', 'int', 0], ['fused_activation_function', 'byte', 0]]],
  8: ['FullyConnectedOptions', [['fused_activation_function', 'byte', 0], ['weights_format', 'byte', 0], ['keep_num_dims', 'byte', 0], ['asymmetric_quantize_inputs', 'byte', 0]]],
  9: ['SoftmaxOptions', [['beta', 'float', 0]]],
  11: ['AddOptions', [['fused_activation_function', 'byte', 0]]],
  17: ['ReshapeOptions', [['new_shape', 'ints', 0]]],
};

/** real = scale * (q - zero_point), per tensor (one scale) or per slice along `axis`. */
export interface TfliteQuantization {
  scale: Float32Array;
  zeroPoint: number[];
  /** quantized_dimension: the axis the scales run along when there are several */
  axis: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TfliteTensorType;
  /** the constant's little-endian bytes (a view into the file), undefined for activations */
  data?: Uint8Array;
  quantization?: TfliteQuantization;
}

export interface TfliteOperator {
  /** BuiltinOperator name, e.g. 'CONV_2D' ('BUILTIN_<code>' for codes not in BUILTIN_OPS, the custom code for CUSTOM) */
  op: string;
  version: number;
  /** tensor indices; -1 marks an omitted optional input */
  inputs: number[];
  outputs: number[];
  /** the builtin options table, decoded by field name (enums as their integer) */
  options: Record<string, number | number[]>;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

// ---------------------------------------------------------------------------------------
// FlatBuffer primitives: a table starts with an int32 back-offset to its vtable
// (uint16 vtable size, uint16 table size, uint16 field offsets); offset fields are uint32
// forward offsets from their own position; vectors are a uint32 length then the items.

class Table {
  private readonly vt: number;
  private readonly vtSize: number;

  constructor(
    private readonly fb: FlatBuffer,
    readonly pos: number,
  ) {
    this.vt = pos - fb.view.getInt32(pos, true);
    this.vtSize = fb.view.getUint16(this.vt, true);
  }

  /** The absolute position of field `slot`, or 0 when absent. */
  field(slot: number): number {
    const o = 4 + 2 * slot;
    if (o >= this.vtSize) return 0;
    const rel = this.fb.view.getUint16(this.vt + o, true);
    return rel ? this.pos + rel : 0;
  }

  u8(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.fb.view.getUint8(p) : dflt;
  }
  i8(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.fb.view.getInt8(p) : dflt;
  }
  i32(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.fb.view.getInt32(p, true) : dflt;
  }
  u32(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.fb.view.getUint32(p, true) : dflt;
  }
  f32(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.fb.view.getFloat32(p, true) : dflt;
  }
  u64(slot: number): bigint {
    const p = this.field(slot);
    return p ? this.fb.view.getBigUint64(p, true) : 0n;
  }

  /** The target of an offset field, or 0 when absent. */
  private ref(slot: number): number {
    const p = this.field(slot);
    return p ? p + this.fb.view.getUint32(p, true) : 0;
  }
  table(slot: number): Table | undefined {
    const p = this.ref(slot);
    return p ? new Table(this.fb, p) : undefined;
  }
  /** [position of the first item, length] of a vector field ([0, 0] when absent). */
  vector(slot: number): [number, number] {
    const p = this.ref(slot);
    return p ? [p + 4, this.fb.view.getUint32(p, true)] : [0, 0];
  }
  tables(slot: number): Table[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_v, i) => {
      const at = start + 4 * i;
      return new Table(this.fb, at + this.fb.view.getUint32(at, true));
    });
  }
  ints(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_v, i) => this.fb.view.getInt32(start + 4 * i, true));
  }
  floats(slot: number): Float32Array {
    const [start, n] = this.vector(slot);
    return Float32Array.from({ length: n }, (_v, i) => this.fb.view.getFloat32(start + 4 * i, true));
  }
  longs(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_v, i) => Number(this.fb.view.getBigInt64(start + 8 * i, true)));
  }
  bytes(slot: number): Uint8Array | undefined {
    const [start, n] = this.vector(slot);
    return start ? this.fb.bytes.subarray(start, start + n) : undefined;
  }
  string(slot: number): string {
    const b = this.bytes(slot);
    return b ? new TextDecoder().decode(b) : '';
  }
}

class FlatBuffer {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  root(): Table {
    return new Table(this, this.view.getUint32(0, true));
  }
}

// ---------------------------------------------------------------------------------------

function readOptions(type: number, t: Table | undefined): Record<string, number | number[]> {
  const spec = BUILTIN_OPTIONS[type];
  if (!spec || !t) return {};
  const out: Record<string, number | number[]> = {};
  spec[1].forEach(([name, kind, dflt], slot) => {
    out[name] = kind === 'byte' ? t.i8(slot, dflt) : kind === 'int' ? t.i32(slot, dflt) : kind === 'float' ? t.f32(slot, dflt) : t.ints(slot);
  });
  return out;
}

/** Parses a .tflite file's bytes (subgraph 0). Throws with a clear message on anything else. */
export function parseTflite(bytes: Uint8Array, what = 'the model'): TfliteModel {
  if (bytes.byteLength < 8) throw new Error(`${what} is not a TFLite file (${bytes.byteLength} bytes)`);
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new Error(`${what} is not a TFLite file (identifier '${ident}', expected 'TFL3')`);
  const fb = new FlatBuffer(bytes);
  const model = fb.root();

  const codes = model.tables(1).map((c) => {
    const code = Math.max(c.i8(0), c.i32(3));
    const op = code === 32 ? c.string(1) || 'CUSTOM' : (BUILTIN_OPS[code] ?? `BUILTIN_${code}`);
    return { op, version: c.i32(2, 1) };
  });
  const buffers = model.tables(4).map((b, i) => {
    if (b.u64(1) > 1n) throw new Error(`${what}: buffer ${i} lies outside the flatbuffer (models over 2 GB are not supported)`);
    return b.bytes(0);
  });
  const subgraphs = model.tables(2);
  if (!subgraphs.length) throw new Error(`${what} has no subgraph`);
  const sg = subgraphs[0]!;

  const tensors = sg.tables(0).map((t, index): TfliteTensor => {
    const typeCode = t.i8(1);
    const type = TENSOR_TYPES[typeCode];
    if (!type) throw new Error(`${what}: tensor ${index} has unknown type ${typeCode}`);
    const buf = buffers[t.u32(2)];
    const q = t.table(4);
    const scale = q?.floats(2);
    const tensor: TfliteTensor = { index, name: t.string(3), shape: t.ints(0), type };
    if (buf && buf.byteLength) tensor.data = buf;
    if (q && scale && scale.length) tensor.quantization = { scale, zeroPoint: q.longs(3), axis: q.i32(6) };
    return tensor;
  });

  const operators = sg.tables(3).map((op): TfliteOperator => {
    const code = codes[op.u32(0)];
    if (!code) throw new Error(`${what}: an operator names opcode ${op.u32(0)}, but the model has ${codes.length}`);
    return { op: code.op, version: code.version, inputs: op.ints(1), outputs: op.ints(2), options: readOptions(op.u8(3), op.table(4)) };
  });

  return { version: model.u32(0), description: model.string(3), tensors, inputs: sg.ints(1), outputs: sg.ints(2), operators };
}

export function readTflite(path: string): TfliteModel {
  return parseTflite(new Uint8Array(readFileSync(path)), path);
}

/** How many operators of each kind the model runs. */
export function tfliteOpHistogram(model: TfliteModel): Record<string, number> {
  const h: Record<string, number> = {};
  for (const o of model.operators) h[o.op] = (h[o.op] ?? 0) + 1;
  return h;
}
