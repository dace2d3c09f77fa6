// Serialises a Graph (or the part of it that some outputs need) to an ONNX ModelProto.
import type { DType, Graph, Node, Tensor, TensorData } from './graph';
import { float32ToFloat16 } from './float16';
import { encodeModel, OnnxDataType } from './onnx-proto';
import type { NodeProtoData, TensorProtoData, ValueInfoData } from './onnx-proto';

export const OPSET = 18;
export const IR_VERSION = 8;

export const ONNX_DTYPE: Record<DType, number> = {
  float32: OnnxDataType.FLOAT,
  float64: OnnxDataType.DOUBLE,
  int64: OnnxDataType.INT64,
  int32: OnnxDataType.INT32,
  bool: OnnxDataType.BOOL,
  uint8: OnnxDataType.UINT8,
};

export interface ToOnnxOptions {
  /** graph outputs by name (an Identity node renames a tensor when needed) */
  outputs: Record<string, Tensor>;
  /**
   * Which parameters become graph inputs rather than initializers: 'none' (inference
   * graphs: weights baked in), 'trainable' (training graphs: one session serves every step,
   * the trainer feeds the current weights), 'all'.
   */
  paramsAsInputs?: 'none' | 'trainable' | 'all';
  /**
   * Store initializers of at least `minBytes` (default 1024) in a side file named `location`
   * (relative to the .onnx file) instead of inline: TensorProto.data_location = EXTERNAL.
   */
  externalData?: { location: string; minBytes?: number };
  /**
   * Write float32 parameters that stay initializers as float16, each behind a Cast to
   * float32 that onnxruntime folds at load: half the file, the same graph once loaded.
   * Values are rounded to the nearest float16 (exact for weights that were float16 at the
   * source, e.g. tfjs models quantised to float16).
   */
  float16Params?: boolean;
  docString?: string;
  metadata?: Record<string, string>;
}

export interface OnnxModel {
  /** the ModelProto bytes */
  model: Uint8Array;
  /** the side file's bytes when `externalData` was asked for */
  externalData?: Uint8Array;
  /** where the model expects the side file, relative to the .onnx file */
  externalLocation?: string;
  /** graph input names in order (data inputs first, then parameters fed as inputs) */
  inputNames: string[];
  outputNames: string[];
  /** names of the parameters that are graph inputs */
  paramInputs: string[];
}

function bytesOf(data: TensorData, dtype: DType): Uint8Array {
  let arr: TensorData = data;
  if (dtype === 'float64' && !(data instanceof Float64Array)) arr = Float64Array.from(data as Float32Array);
  if (dtype === 'float32' && !(data instanceof Float32Array)) arr = Float32Array.from(data as Float64Array);
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function valueInfo(t: Tensor, name = t.name): ValueInfoData {
  return { name, elemType: ONNX_DTYPE[t.dtype], shape: t.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? d : null)) };
}

/** Nodes needed to compute `targets`, in graph order, and the leaves they read. */
export function prune(g: Graph, targets: readonly Tensor[]): { nodes: Node[]; leaves: Set<string> } {
  const need = new Set<Node>();
  const leaves = new Set<string>();
  const stack = [...targets];
  const seen = new Set<string>();
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const p = g.producer(t);
    if (!p) {
      leaves.add(t.name);
      continue;
    }
    if (need.has(p)) continue;
    need.add(p);
    for (const i of p.inputs) stack.push(i);
  }
  return { nodes: g.nodes.filter((n) => need.has(n)), leaves };
}

export function toOnnx(g: Graph, opts: ToOnnxOptions): OnnxModel {
  const outEntries = Object.entries(opts.outputs);
  const { nodes, leaves } = prune(g, outEntries.map(([, t]) => t));
  const mode = opts.paramsAsInputs ?? 'none';

  const nodeProtos: NodeProtoData[] = nodes.map((n) => ({
    name: n.name,
    opType: n.opType,
    ...(n.domain ? { domain: n.domain } : {}),
    inputs: n.inputs.map((i) => i.name),
    outputs: n.outputs.map((o) => o.name),
    attributes: Object.entries(n.attrs).map(([name, value]) => ({ name, value })),
  }));

  const outputs: ValueInfoData[] = [];
  const taken = new Set<string>();
  const internal = new Set<string>([...leaves, ...nodes.flatMap((n) => n.outputs.map((t) => t.name))]);
  for (const [name, t] of outEntries) if (name !== t.name && internal.has(name)) throw new Error(`output name '${name}' is already the name of another tensor in the graph`);
  for (const [name, t] of outEntries) {
    if (taken.has(name)) throw new Error(`duplicate output name ${name}`);
    taken.add(name);
    const isLeaf = !g.producer(t);
    if (name !== t.name || isLeaf) {
      if (name === t.name) throw new Error(`output ${name} is a graph leaf; give it another name`);
      nodeProtos.push({ name: `output/${name}/Identity`, opType: 'Identity', inputs: [t.name], outputs: [name], attributes: [] });
    }
    outputs.push(valueInfo(t, name));
  }

  const inputs: ValueInfoData[] = [];
  const inputNames: string[] = [];
  for (const t of g.inputs) {
    if (!leaves.has(t.name)) continue;
    inputs.push(valueInfo(t));
    inputNames.push(t.name);
  }

  const initializers: TensorProtoData[] = [];
  const paramInputs: string[] = [];
  const ext = opts.externalData;
  const minBytes = ext?.minBytes ?? 1024;
  const chunks: Uint8Array[] = [];
  let extLen = 0;
  const addRawInit = (name: string, dataType: number, dims: readonly number[], raw: Uint8Array): void => {
    if (ext && raw.byteLength >= minBytes) {
      const pad = (64 - (extLen % 64)) % 64;
      if (pad) chunks.push(new Uint8Array(pad));
      extLen += pad;
      initializers.push({ name, dims, dataType, external: { location: ext.location, offset: extLen, length: raw.byteLength } });
      chunks.push(raw);
      extLen += raw.byteLength;
    } else {
      initializers.push({ name, dims, dataType, rawData: raw });
    }
  };
  const addInit = (name: string, dtype: DType, dims: readonly number[], data: TensorData): void => addRawInit(name, ONNX_DTYPE[dtype], dims, bytesOf(data, dtype));
  const casts: NodeProtoData[] = [];
  const addFloat16Init = (name: string, dims: readonly number[], data: TensorData): void => {
    const stored = `${name}/float16`;
    if (internal.has(stored)) throw new Error(`float16Params: '${stored}' is already the name of a tensor in the graph`);
    const h = float32ToFloat16(data as Float32Array);
    addRawInit(stored, OnnxDataType.FLOAT16, dims, new Uint8Array(h.buffer, h.byteOffset, h.byteLength));
    casts.push({ name: `${name}/Cast`, opType: 'Cast', inputs: [stored], outputs: [name], attributes: [{ name: 'to', value: { kind: 'int', value: OnnxDataType.FLOAT } }] });
  };

  for (const p of g.params.values()) {
    if (!leaves.has(p.name)) continue;
    const asInput = mode === 'all' || (mode === 'trainable' && p.trainable);
    if (asInput) {
      inputs.push(valueInfo(p.tensor));
      inputNames.push(p.name);
      paramInputs.push(p.name);
    } else if (opts.float16Params && p.tensor.dtype === 'float32') {
      addFloat16Init(p.name, p.shape, p.data);
    } else {
      addInit(p.name, p.tensor.dtype, p.shape, p.data);
    }
  }
  for (const c of g.constants.values()) {
    if (!leaves.has(c.tensor.name)) continue;
    addInit(c.tensor.name, c.tensor.dtype, c.tensor.shape as number[], c.data);
  }
  nodeProtos.unshift(...casts);
  const known = new Set([...inputNames, ...initializers.map((i) => i.name), ...casts.flatMap((c) => c.outputs)]);
  for (const l of leaves) if (!known.has(l)) throw new Error(`tensor ${l} has no producer and is not an input, parameter or constant`);

  const model = encodeModel({
    irVersion: IR_VERSION,
    opsets: [{ domain: '', version: OPSET }],
    producerName: 'trove',
    producerVersion: '0.1.0',
    ...(opts.docString ? { docString: opts.docString } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    graph: { name: g.name, nodes: nodeProtos, initializers, inputs, outputs },
  });
  let externalData: Uint8Array | undefined;
  if (ext) {
    externalData = new Uint8Array(extLen);
    let off = 0;
    for (const c of chunks) {
      externalData.set(c, off);
      off += c.byteLength;
    }
  }
  return { model, ...(externalData && ext ? { externalData, externalLocation: ext.location } : {}), inputNames, outputNames: outEntries.map(([n]) => n), paramInputs };
}
