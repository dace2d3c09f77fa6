// Reads the parameters back out of an ONNX model: the float initializers of its graph, by
// name. A model package's graph is the only copy of its trained weights (packages carry no
// checkpoint), so fine-tuning a package starts here. A minimal protobuf reader for the
// fields onnx-proto.ts writes (field numbers listed there): ModelProto.graph=7,
// GraphProto.node=1 / initializer=5, NodeProto input=1 / output=2 / op_type=4,
// TensorProto dims=1 / data_type=2 / float_data=4 / name=8 / raw_data=9 / data_location=14.
// Float16 initializers behind a Cast to float (toOnnx's float16Params) come back as float32
// under the Cast's output name, i.e. the parameter's own name.
import { float16ToFloat32 } from './float16';
import { OnnxDataType } from './onnx-proto';

export interface ReadTensor {
  dims: number[];
  data: Float32Array;
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** Fields of one protobuf message, in order: [field number, wire type, value]. */
type Field = [number, number, number | Uint8Array];

function readVarint(b: Uint8Array, pos: { p: number }): number {
  let result = 0;
  let shift = 1;
  for (;;) {
    if (pos.p >= b.length) throw new Error('ONNX: truncated varint');
    const byte = b[pos.p++];
    result += (byte & 0x7f) * shift;
    if (byte < 0x80) return result;
    shift *= 128;
  }
}

function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  const pos = { p: 0 };
  while (pos.p < b.length) {
    const key = readVarint(b, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === VARINT) out.push([field, wire, readVarint(b, pos)]);
    else if (wire === LEN) {
      const n = readVarint(b, pos);
      if (pos.p + n > b.length) throw new Error('ONNX: truncated field');
      out.push([field, wire, b.subarray(pos.p, pos.p + n)]);
      pos.p += n;
    } else if (wire === I32 || wire === I64) {
      const n = wire === I32 ? 4 : 8;
      out.push([field, wire, b.subarray(pos.p, pos.p + n)]);
      pos.p += n;
    } else throw new Error(`ONNX: unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const text = new TextDecoder();
const bytesOf = (f: Field): Uint8Array => f[2] as Uint8Array;

function packedVarints(b: Uint8Array): number[] {
  const out: number[] = [];
  const pos = { p: 0 };
  while (pos.p < b.length) out.push(readVarint(b, pos));
  return out;
}

interface RawTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array | null;
  floats: number[];
  external: boolean;
}

function readTensor(b: Uint8Array): RawTensor {
  const t: RawTensor = { name: '', dims: [], dataType: 0, raw: null, floats: [], external: false };
  for (const f of fields(b)) {
    const [num, wire] = f;
    if (num === 1) t.dims.push(...(wire === LEN ? packedVarints(bytesOf(f)) : [f[2] as number]));
    else if (num === 2) t.dataType = f[2] as number;
    else if (num === 8) t.name = text.decode(bytesOf(f));
    else if (num === 9) t.raw = bytesOf(f);
    else if (num === 4) {
      const d = bytesOf(f);
      const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
      for (let i = 0; i + 4 <= d.byteLength; i += 4) t.floats.push(view.getFloat32(i, true));
    } else if (num === 14) t.external = f[2] === 1;
  }
  return t;
}

function floatValues(t: RawTensor): Float32Array | null {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.external) throw new Error(`ONNX: ${t.name} is stored in an external data file, which this reader does not follow`);
  if (t.dataType === OnnxDataType.FLOAT) {
    if (t.raw) {
      const copy = new Uint8Array(t.raw);
      return new Float32Array(copy.buffer, 0, count);
    }
    return Float32Array.from(t.floats);
  }
  if (t.dataType === OnnxDataType.FLOAT16 && t.raw) {
    const copy = new Uint8Array(t.raw);
    return float16ToFloat32(new Uint16Array(copy.buffer, 0, count));
  }
  return null;
}

/** Every float initializer of the model's graph (float16 ones behind a Cast under the Cast's output name). */
export function readOnnxInitializers(model: Uint8Array): Map<string, ReadTensor> {
  const graph = fields(model).find((f) => f[0] === 7);
  if (!graph) throw new Error('ONNX: the model has no graph');
  const inits: RawTensor[] = [];
  const castOf = new Map<string, string>();
  for (const f of fields(bytesOf(graph))) {
    if (f[0] === 5) inits.push(readTensor(bytesOf(f)));
    else if (f[0] === 1) {
      const node = fields(bytesOf(f));
      const str = (n: number): string[] => node.filter((x) => x[0] === n).map((x) => text.decode(bytesOf(x)));
      const [input] = str(1);
      const [output] = str(2);
      if (str(4)[0] === 'Cast' && input !== undefined && output !== undefined) castOf.set(input, output);
    }
  }
  const out = new Map<string, ReadTensor>();
  for (const t of inits) {
    const data = floatValues(t);
    if (!data) continue;
    const name = t.dataType === OnnxDataType.FLOAT16 ? (castOf.get(t.name) ?? t.name) : t.name;
    out.set(name, { dims: t.dims, data });
  }
  return out;
}
