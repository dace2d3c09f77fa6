// The ONE op table. Every op Trove builds graphs from is registered here by ops.ts with
//   - infer: output dtype(s) and shape(s) from the inputs and attributes (static where
//     possible, symbolic dims such as 'batch' carried through), and
//   - vjp:   its vector-Jacobian product written as graph ops (undefined = the op is not
//            differentiable; gradients stop at its outputs).
// Forward builders (ops.ts) call `apply`, which looks the op up here; reverse mode
// (grad.ts) walks the graph backwards and calls each node's `vjp`.
import type { Attrs, DType, Node, Shape, Tensor } from '../graph/graph';

export interface OutSpec {
  dtype: DType;
  shape: Shape;
}

export interface VjpArgs {
  node: Node;
  /** gradient of the loss w.r.t. the node's (single) output */
  gy: Tensor;
  /** which inputs need a gradient (others may be left undefined) */
  needs: readonly boolean[];
}

export interface OpDef {
  readonly type: string;
  infer(inputs: readonly Tensor[], attrs: Attrs, meta: Readonly<Record<string, unknown>>): OutSpec[];
  vjp?(args: VjpArgs): (Tensor | undefined)[];
}

const table = new Map<string, OpDef>();

export function defineOp(def: OpDef): void {
  if (table.has(def.type)) throw new Error(`op ${def.type} registered twice`);
  table.set(def.type, def);
}

export function opDef(type: string): OpDef {
  const d = table.get(type);
  if (!d) throw new Error(`op ${type} is not in the registry`);
  return d;
}

export function registeredOps(): string[] {
  return [...table.keys()].sort();
}

/** Builds a node through the registry (output types from `infer`). */
export function apply(type: string, inputs: readonly Tensor[], attrs: Attrs = {}, meta: Record<string, unknown> = {}): Tensor[] {
  if (!inputs.length) throw new Error(`${type}: no inputs`);
  const def = opDef(type);
  const outs = def.infer(inputs, attrs, meta);
  return inputs[0].graph.addNode(type, inputs, attrs, outs, meta);
}

export function apply1(type: string, inputs: readonly Tensor[], attrs: Attrs = {}, meta: Record<string, unknown> = {}): Tensor {
  return apply(type, inputs, attrs, meta)[0];
}

// ---------------------------------------------------------------------------------------
// Shape helpers shared by the op definitions.

export function broadcastDims(a: Shape, b: Shape, what = 'broadcast'): Shape {
  const r = Math.max(a.length, b.length);
  const out: (number | string)[] = [];
  for (let i = 0; i < r; i++) {
    const da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
    const db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number') throw new Error(`${what}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    else out.push(typeof da === 'number' ? da : db);
  }
  return out;
}

export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}
