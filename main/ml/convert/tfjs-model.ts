// Reads a tfjs graph model (model.json + weight shards) without tfjs: the topology is a TF
// GraphDef (nodes with op, input, attr), the weights are listed in `weightsManifest` and
// laid end to end across the shards, group after group. Quantised weights are expanded to
// float32 exactly as tfjs does when it loads them (float16 -> float32; uint8/uint16 affine
// q * scale + min).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { float16ToFloat32 } from '../graph/float16';

export { float16ToFloat32 };

/** A TF AttrValue as tfjs's JSON writes it (bytes are base64). */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[] };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
  device?: string;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  modelTopology: { node: TfNode[]; library?: { function?: unknown[] }; versions?: unknown };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

export type WeightData = Float32Array | Int32Array | Uint8Array;

export interface Weight {
  name: string;
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: WeightData;
  /** how it was stored: 'float16', 'uint8', ... or the dtype itself */
  storedAs: string;
}

export interface TfjsGraphModel {
  json: ModelJson;
  nodes: TfNode[];
  byName: Map<string, TfNode>;
  weights: Map<string, Weight>;
  /** the shard file names, in order */
  shards: string[];
}

// ---------------------------------------------------------------------------------------

const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Decodes every weight of the manifest from the concatenated shard bytes. */
export function decodeWeights(specs: readonly WeightSpec[], buf: Uint8Array): Map<string, Weight> {
  const out = new Map<string, Weight>();
  let off = 0;
  const take = (bytes: number): Uint8Array => {
    if (off + bytes > buf.byteLength) throw new Error(`weights: the shards end at ${buf.byteLength} bytes, ${off + bytes} needed`);
    const copy = new Uint8Array(bytes); // an aligned copy (a Buffer's slice would be a view)
    copy.set(buf.subarray(off, off + bytes));
    off += bytes;
    return copy;
  };
  for (const s of specs) {
    const n = numelOf(s.shape);
    const q = s.quantization;
    let data: WeightData;
    let dtype: Weight['dtype'];
    if (s.dtype === 'string' || s.dtype === 'complex64') throw new Error(`weights: ${s.name} has unsupported dtype ${s.dtype}`);
    if (q) {
      if (q.dtype === 'float16') {
        if (s.dtype !== 'float32') throw new Error(`weights: ${s.name}: float16 quantisation of ${s.dtype}`);
        data = float16ToFloat32(new Uint16Array(take(2 * n).buffer));
        dtype = 'float32';
      } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
        const raw = q.dtype === 'uint8' ? take(n) : new Uint16Array(take(2 * n).buffer);
        const scale = q.scale ?? 1;
        const min = q.min ?? 0;
        if (s.dtype === 'int32') {
          data = Int32Array.from(raw, (v) => Math.round(v * scale + min));
          dtype = 'int32';
        } else {
          data = Float32Array.from(raw, (v) => v * scale + min);
          dtype = 'float32';
        }
      } else {
        throw new Error(`weights: ${s.name}: unknown quantisation ${String((q as { dtype: string }).dtype)}`);
      }
    } else if (s.dtype === 'float32') {
      data = new Float32Array(take(4 * n).buffer);
      dtype = 'float32';
    } else if (s.dtype === 'int32') {
      data = new Int32Array(take(4 * n).buffer);
      dtype = 'int32';
    } else {
      data = take(n);
      dtype = 'bool';
    }
    out.set(s.name, { name: s.name, dtype, shape: [...s.shape], data, storedAs: q?.dtype ?? s.dtype });
  }
  if (off !== buf.byteLength) throw new Error(`weights: manifest covers ${off} bytes but the shards hold ${buf.byteLength}`);
  return out;
}

export function parseTfjsGraphModel(json: ModelJson, shards: readonly Uint8Array[], shardNames: readonly string[] = []): TfjsGraphModel {
  if (json.format && json.format !== 'graph-model') throw new Error(`not a tfjs graph model (format '${json.format}')`);
  if (json.modelTopology.library?.function?.length) throw new Error('tfjs graph model: control-flow functions are not supported');
  const total = shards.reduce((a, s) => a + s.byteLength, 0);
  const buf = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    buf.set(s, off);
    off += s.byteLength;
  }
  const weights = decodeWeights(
    json.weightsManifest.flatMap((g) => g.weights),
    buf,
  );
  const nodes = json.modelTopology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return { json, nodes, byName, weights, shards: [...shardNames] };
}

/** Loads `model.json` and its shards (paths relative to the json file). */
export function loadTfjsGraphModel(jsonPath: string): TfjsGraphModel {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  const names = json.weightsManifest.flatMap((g) => g.paths);
  const shards = names.map((p) => new Uint8Array(readFileSync(join(dirname(jsonPath), p))));
  return parseTfjsGraphModel(json, shards, names);
}

// ---------------------------------------------------------------------------------------
// Topology helpers

/** 'node:1' -> ['node', 1]; control inputs ('^node') -> undefined. */
export function parseInput(ref: string): [string, number] | undefined {
  if (ref.startsWith('^')) return undefined;
  const m = /^(.*?)(?::(\d+))?$/.exec(ref) as RegExpExecArray;
  return [m[1], m[2] ? Number(m[2]) : 0];
}

/** Names of the nodes `outputs` depend on (data inputs only), in the model's order. */
export function subgraph(model: TfjsGraphModel, outputs: readonly string[]): TfNode[] {
  const need = new Set<string>();
  const stack = outputs.map((o) => (parseInput(o) as [string, number])[0]);
  while (stack.length) {
    const n = stack.pop() as string;
    if (need.has(n)) continue;
    const node = model.byName.get(n);
    if (!node) throw new Error(`tfjs graph: no node '${n}'`);
    need.add(n);
    for (const i of node.input ?? []) {
      const p = parseInput(i);
      if (p) stack.push(p[0]);
    }
  }
  return model.nodes.filter((n) => need.has(n.name));
}

/** Op histogram of the nodes `outputs` need. */
export function opHistogram(model: TfjsGraphModel, outputs: readonly string[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of subgraph(model, outputs)) h[n.op] = (h[n.op] ?? 0) + 1;
  return Object.fromEntries(Object.entries(h).sort((a, b) => b[1] - a[1]));
}

// Attribute readers ---------------------------------------------------------------------

export const attrString = (n: TfNode, key: string): string | undefined => {
  const s = n.attr?.[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
};
export const attrStrings = (n: TfNode, key: string): string[] => (n.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
export const attrIntList = (n: TfNode, key: string): number[] | undefined => n.attr?.[key]?.list?.i?.map(Number);
export const attrNum = (n: TfNode, key: string): number | undefined => {
  const a = n.attr?.[key];
  if (!a) return undefined;
  if (a.i !== undefined) return Number(a.i);
  if (a.f !== undefined) return a.f;
  return undefined;
};
export const attrBool = (n: TfNode, key: string): boolean | undefined => n.attr?.[key]?.b;
