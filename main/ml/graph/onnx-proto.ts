// A minimal protobuf (proto3/proto2 wire format) encoder for the subset of onnx.proto that
// Trove writes. No schema package: each message is encoded by hand from the field numbers
// of the public onnx.proto (github.com/onnx/onnx/blob/main/onnx/onnx.proto):
//
//   ModelProto:          ir_version=1 (int64), producer_name=2, producer_version=3, domain=4,
//                        model_version=5, doc_string=6, graph=7, opset_import=8,
//                        metadata_props=14
//   OperatorSetIdProto:  domain=1, version=2 (int64)
//   GraphProto:          node=1, name=2, initializer=5, doc_string=10, input=11, output=12,
//                        value_info=13
//   NodeProto:           input=1, output=2, name=3, op_type=4, attribute=5, doc_string=6,
//                        domain=7
//   AttributeProto:      name=1, f=2 (float, fixed32), i=3 (int64), s=4 (bytes), t=5 (TensorProto),
//                        floats=7, ints=8, strings=9, type=20 (AttributeType)
//   AttributeType:       FLOAT=1 INT=2 STRING=3 TENSOR=4 FLOATS=6 INTS=7 STRINGS=8
//   ValueInfoProto:      name=1, type=2 (TypeProto), doc_string=3
//   TypeProto:           tensor_type=1 (TypeProto.Tensor)
//   TypeProto.Tensor:    elem_type=1 (int32), shape=2 (TensorShapeProto)
//   TensorShapeProto:    dim=1 (Dimension); Dimension: dim_value=1 (int64), dim_param=2 (string)
//   TensorProto:         dims=1 (int64), data_type=2, float_data=4, int32_data=5, int64_data=7,
//                        name=8, raw_data=9, double_data=10, doc_string=12, external_data=13
//                        (StringStringEntryProto), data_location=14 (DEFAULT=0, EXTERNAL=1)
//   StringStringEntryProto: key=1, value=2
//   TensorProto.DataType: FLOAT=1 UINT8=2 INT8=3 INT32=6 INT64=7 STRING=8 BOOL=9 FLOAT16=10
//                        DOUBLE=11

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growable byte buffer. */
export class PbWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Unsigned or two's-complement varint (negative numbers take 10 bytes, as protobuf int64). */
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    if (x < 0x80n) {
      this.ensure(1);
      this.buf[this.pos++] = Number(x);
      return this;
    }
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  intField(field: number, v: number | bigint): this {
    return this.tag(field, VARINT).varint(v);
  }

  floatField(field: number, v: number): this {
    this.tag(field, I32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    return this;
  }

  doubleField(field: number, v: number): this {
    this.tag(field, I64);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).setFloat64(0, v, true);
    this.pos += 8;
    return this;
  }

  bytesField(field: number, bytes: Uint8Array): this {
    return this.tag(field, LEN).varint(bytes.length).raw(bytes);
  }

  stringField(field: number, s: string): this {
    return this.bytesField(field, textEncoder.encode(s));
  }

  /** Packed repeated varints (int64/int32 lists). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new PbWriter(values.length * 2 + 8);
    for (const v of values) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytesField(field, b);
  }

  message(field: number, encode: (w: PbWriter) => void): this {
    const inner = new PbWriter();
    encode(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

// ---------------------------------------------------------------------------------------
// Plain data shapes of the messages (only the fields Trove uses).

export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

export interface TensorProtoData {
  name: string;
  dims: readonly number[];
  dataType: number;
  /** little-endian element bytes; absent when the data lives in an external file */
  rawData?: Uint8Array;
  external?: { location: string; offset: number; length: number };
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'tensor'; value: TensorProtoData };

export interface NodeProtoData {
  name: string;
  opType: string;
  domain?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly { name: string; value: AttributeValue }[];
}

export interface ValueInfoData {
  name: string;
  elemType: number;
  /** number = fixed dim, string = symbolic dim_param, null = unknown */
  shape: readonly (number | string | null)[] | null;
}

export interface GraphProtoData {
  name: string;
  nodes: readonly NodeProtoData[];
  initializers: readonly TensorProtoData[];
  inputs: readonly ValueInfoData[];
  outputs: readonly ValueInfoData[];
  valueInfo?: readonly ValueInfoData[];
  docString?: string;
}

export interface ModelProtoData {
  irVersion: number;
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: GraphProtoData;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------
// Encoders

export function encodeTensor(w: PbWriter, t: TensorProtoData): void {
  if (t.dims.length) w.packedVarints(1, t.dims);
  w.intField(2, t.dataType);
  w.stringField(8, t.name);
  if (t.external) {
    const entries: [string, string][] = [
      ['location', t.external.location],
      ['offset', String(t.external.offset)],
      ['length', String(t.external.length)],
    ];
    for (const [k, v] of entries) w.message(13, (e) => e.stringField(1, k).stringField(2, v));
    w.intField(14, 1); // data_location = EXTERNAL
  } else {
    w.bytesField(9, t.rawData ?? new Uint8Array(0));
  }
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function encodeAttribute(w: PbWriter, name: string, a: AttributeValue): void {
  w.stringField(1, name);
  switch (a.kind) {
    case 'float':
      w.floatField(2, a.value);
      break;
    case 'int':
      w.intField(3, a.value);
      break;
    case 'string':
      w.stringField(4, a.value);
      break;
    case 'tensor':
      w.message(5, (t) => encodeTensor(t, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedVarints(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.stringField(9, s);
      break;
  }
  w.intField(20, ATTR_TYPE[a.kind]);
}

function encodeNode(w: PbWriter, n: NodeProtoData): void {
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  w.stringField(3, n.name);
  w.stringField(4, n.opType);
  for (const a of n.attributes) w.message(5, (aw) => encodeAttribute(aw, a.name, a.value));
  if (n.domain) w.stringField(7, n.domain);
}

function encodeValueInfo(w: PbWriter, v: ValueInfoData): void {
  w.stringField(1, v.name);
  w.message(2, (tp) =>
    tp.message(1, (tt) => {
      tt.intField(1, v.elemType);
      if (v.shape) {
        const shape = v.shape;
        tt.message(2, (sh) => {
          for (const d of shape) {
            sh.message(1, (dim) => {
              if (typeof d === 'number') dim.intField(1, d);
              else if (typeof d === 'string') dim.stringField(2, d);
            });
          }
        });
      }
    }),
  );
}

function encodeGraph(w: PbWriter, g: GraphProtoData): void {
  for (const n of g.nodes) w.message(1, (nw) => encodeNode(nw, n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => encodeTensor(tw, t));
  if (g.docString) w.stringField(10, g.docString);
  for (const v of g.inputs) w.message(11, (vw) => encodeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => encodeValueInfo(vw, v));
  for (const v of g.valueInfo ?? []) w.message(13, (vw) => encodeValueInfo(vw, v));
}

export function encodeModel(m: ModelProtoData): Uint8Array {
  const w = new PbWriter(1 << 16);
  w.intField(1, m.irVersion);
  w.stringField(2, m.producerName);
  w.stringField(3, m.producerVersion);
  if (m.docString) w.stringField(6, m.docString);
  w.message(7, (gw) => encodeGraph(gw, m.graph));
  for (const o of m.opsets) w.message(8, (ow) => ow.stringField(1, o.domain).intField(2, o.version));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, (e) => e.stringField(1, k).stringField(2, v));
  return w.finish();
}
