// A small typed graph: tensors with dtype and (possibly symbolic) shapes, graph inputs,
// parameters (initializers, optionally exported as graph inputs for training), constants
// and ONNX nodes. Ops are added through the op registry (main/ml/autodiff/registry.ts),
// which infers output dtypes/shapes; this file only holds the data.
import type { AttributeValue } from './onnx-proto';

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8';
/** A fixed size, or a symbolic dimension name such as 'batch'. */
export type Dim = number | string;
export type Shape = readonly Dim[];

export type FloatArray = Float32Array | Float64Array;
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface Tensor {
  readonly graph: Graph;
  /** the ONNX value name */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

export type Attrs = Record<string, AttributeValue>;

export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
  /** builder-side facts the VJP needs (never serialised), e.g. Pow's constant exponent */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly domain?: string;
}

export interface Param {
  readonly tensor: Tensor;
  /** checkpoint name, e.g. 'block0/attn/q/weight' (also the ONNX name) */
  readonly name: string;
  readonly shape: readonly number[];
  data: FloatArray;
  readonly trainable: boolean;
}

export interface Constant {
  readonly tensor: Tensor;
  readonly data: TensorData;
}

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new Error(`numel of a symbolic shape [${shape.join(',')}]`);
    n *= d;
  }
  return n;
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/** Attribute helpers: `attr.i(1)`, `attr.ints([0, 2, 1])`, ... */
export const attr = {
  i: (value: number): AttributeValue => ({ kind: 'int', value }),
  f: (value: number): AttributeValue => ({ kind: 'float', value }),
  s: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
};

export function attrInt(attrs: Attrs, name: string, dflt: number): number {
  const a = attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'int' && a.kind !== 'float') throw new Error(`attribute ${name} is not a number`);
  return a.value;
}

export function attrInts(attrs: Attrs, name: string): readonly number[] | undefined {
  const a = attrs[name];
  if (!a) return undefined;
  if (a.kind !== 'ints') throw new Error(`attribute ${name} is not ints`);
  return a.value;
}

export interface GraphOptions {
  name?: string;
  /** dtype given to parameters (their data stays Float32Array; converted when written) */
  paramDType?: 'float32' | 'float64';
}

export class Graph {
  readonly name: string;
  readonly paramDType: 'float32' | 'float64';
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly params = new Map<string, Param>();
  readonly constants = new Map<string, Constant>();
  private readonly producers = new Map<string, Node>();
  private readonly usedNames = new Set<string>();
  private readonly scopes: string[] = [];
  private readonly scalarCache = new Map<string, Tensor>();

  constructor(opts: GraphOptions = {}) {
    this.name = opts.name ?? 'trove';
    this.paramDType = opts.paramDType ?? 'float32';
  }

  // -- naming ----------------------------------------------------------------------------

  /** Runs `fn` with `name` pushed on the scope stack: nodes are named 'block0/attn/q/MatMul'. */
  scope<R>(name: string, fn: () => R): R {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  get scopePath(): string {
    return this.scopes.join('/');
  }

  /** A fresh name under the current scope. */
  uniqueName(base: string, claim = true): string {
    const prefix = this.scopes.length ? `${this.scopes.join('/')}/` : '';
    let name = prefix + base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${prefix}${base}_${k}`;
    if (claim) this.usedNames.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`name '${name}' is already used in graph ${this.name}`);
    this.usedNames.add(name);
  }

  // -- leaves ----------------------------------------------------------------------------

  input(name: string, dtype: DType, shape: Shape): Tensor {
    this.claim(name);
    const t: Tensor = { graph: this, name, dtype, shape: [...shape] };
    this.inputs.push(t);
    return t;
  }

  /**
   * A named parameter (an initializer; `toOnnx({ paramsAsInputs })` can make it a graph input
   * instead so that one training session serves every step). Calling again with the same name
   * returns the existing tensor, so a module can be applied several times in one graph.
   */
  param(name: string, shape: readonly number[], data: FloatArray, opts: { trainable?: boolean } = {}): Tensor {
    const existing = this.params.get(name);
    if (existing) return existing.tensor;
    if (data.length !== numel(shape)) throw new Error(`param ${name}: ${data.length} values for shape [${shape.join(',')}]`);
    this.claim(name);
    const tensor: Tensor = { graph: this, name, dtype: this.paramDType, shape: [...shape] };
    this.params.set(name, { tensor, name, shape: [...shape], data, trainable: opts.trainable ?? true });
    return tensor;
  }

  /** A constant initializer. */
  constant(data: TensorData, shape: readonly number[], dtype: DType, base = 'const'): Tensor {
    const name = this.uniqueName(base);
    const t: Tensor = { graph: this, name, dtype, shape: [...shape] };
    this.constants.set(name, { tensor: t, data });
    return t;
  }

  /** A shared scalar constant (shape []), cached per dtype and value. */
  scalar(value: number, dtype: DType): Tensor {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    const hit = this.scalarCache.get(key);
    if (hit) return hit;
    const scopes = this.scopes.splice(0);
    try {
      const t = this.constant(typedArrayOf(dtype, [value]), [], dtype, `scalar_${dtype}_${String(value).replace(/[^0-9a-zA-Z.-]/g, '_')}`);
      this.scalarCache.set(key, t);
      return t;
    } finally {
      this.scopes.push(...scopes);
    }
  }

  /** An int64 1-D constant (axes, shapes, starts, ...). */
  int64s(values: readonly number[], base = 'ints'): Tensor {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], 'int64', base);
  }

  constantValue(t: Tensor): TensorData | undefined {
    return this.constants.get(t.name)?.data;
  }

  // -- nodes -----------------------------------------------------------------------------

  /** Low-level: appends a node whose output types the caller already knows. Prefer the op builders. */
  addNode(
    opType: string,
    inputs: readonly Tensor[],
    attrs: Attrs,
    outputs: readonly { dtype: DType; shape: Shape }[],
    meta: Record<string, unknown> = {},
    domain?: string,
  ): Tensor[] {
    for (const i of inputs) if (i.graph !== this) throw new Error(`${opType}: input ${i.name} belongs to another graph`);
    const name = this.uniqueName(opType);
    const outs: Tensor[] = outputs.map((o, k) => ({
      graph: this,
      name: outputs.length === 1 ? `${name}:0` : `${name}:${k}`,
      dtype: o.dtype,
      shape: [...o.shape],
    }));
    const node: Node = { name, opType, inputs: [...inputs], outputs: outs, attrs, meta, ...(domain ? { domain } : {}) };
    this.nodes.push(node);
    for (const o of outs) this.producers.set(o.name, node);
    return outs;
  }

  producer(t: Tensor): Node | undefined {
    return this.producers.get(t.name);
  }

  isParam(t: Tensor): boolean {
    return this.params.has(t.name);
  }

  trainableParams(): Param[] {
    return [...this.params.values()].filter((p) => p.trainable);
  }
}

export function typedArrayOf(dtype: DType, values: readonly number[]): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
    case 'uint8':
      return Uint8Array.from(values);
  }
}

/**
 * The size of a dimension given sizes for the symbolic names: a number, a name in `dims`, or
 * an expression of names and integers joined by + and - (what shape inference writes for
 * concatenated or sliced symbolic dims, e.g. '49+seq', 'seq-1').
 */
export function resolveDim(d: Dim, dims: Readonly<Record<string, number>>): number {
  if (typeof d === 'number') return d;
  if (dims[d] !== undefined) return dims[d];
  const terms = d.split(/(?=[+-])/);
  let total = 0;
  for (const t of terms) {
    const sign = t.startsWith('-') ? -1 : 1;
    const body = t.replace(/^[+-]/, '');
    const v = /^\d+$/.test(body) ? Number(body) : dims[body];
    if (v === undefined) throw new Error(`no size for dimension '${d}' (unknown '${body}')`);
    total += sign * v;
  }
  return total;
}
