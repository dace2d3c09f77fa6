// Reverse-mode differentiation over the op registry: appends backward nodes to the graph.
import { isFloat, isStatic, numel, typedArrayOf } from '../graph/graph';
import type { Node, Tensor } from '../graph/graph';
import { add, expandLike } from './ops';
import { opDef } from './registry';

export interface GradOptions {
  /**
   * Upstream gradients for `ys` (same shapes), e.g. a graph input carrying GradCache's
   * cached representation gradients. Default: ones (each y must then be a scalar or
   * static-shaped, and the result is the gradient of sum(y)).
   */
  seeds?: readonly Tensor[];
}

/**
 * Gradients of sum_i <seed_i, ys_i> with respect to each tensor of `wrt`, as new tensors
 * of the same graph (zeros where a tensor does not influence the ys). Backward nodes are
 * named 'grad/<forward node name>/...'. Where a tensor feeds several consumers the
 * contributions are summed.
 */
export function grad(ys: Tensor | readonly Tensor[], wrt: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  const outs = Array.isArray(ys) ? (ys as readonly Tensor[]) : [ys as Tensor];
  if (!outs.length) throw new Error('grad: no outputs');
  const g = outs[0].graph;
  const fwdNodes = g.nodes.slice();

  // Tensors that depend on some wrt tensor (forward sweep).
  const dependsOnWrt = new Set(wrt.map((t) => t.name));
  for (const n of fwdNodes) {
    if (n.inputs.some((i) => dependsOnWrt.has(i.name))) for (const o of n.outputs) if (isFloat(o.dtype)) dependsOnWrt.add(o.name);
  }
  // Tensors the ys depend on (backward sweep).
  const feedsYs = new Set(outs.map((t) => t.name));
  for (let k = fwdNodes.length - 1; k >= 0; k--) {
    const n = fwdNodes[k];
    if (n.outputs.some((o) => feedsYs.has(o.name))) for (const i of n.inputs) feedsYs.add(i.name);
  }
  const relevant = (t: Tensor): boolean => dependsOnWrt.has(t.name) && feedsYs.has(t.name) && isFloat(t.dtype);

  const grads = new Map<string, Tensor>();
  const accumulate = (t: Tensor, gt: Tensor): void => {
    if (gt.dtype !== t.dtype) throw new Error(`grad: gradient of ${t.name} has dtype ${gt.dtype}, expected ${t.dtype}`);
    const prev = grads.get(t.name);
    grads.set(t.name, prev ? g.scope('accumulate', () => add(prev, gt)) : gt);
  };

  g.scope('grad', () => {
    outs.forEach((y, i) => {
      const seed = opts.seeds?.[i];
      if (seed) {
        accumulate(y, seed);
      } else {
        if (!isStatic(y.shape)) throw new Error(`grad: output ${y.name} has a symbolic shape; pass seeds`);
        const ones = g.constant(typedArrayOf(y.dtype, new Array<number>(numel(y.shape)).fill(1)), y.shape as number[], y.dtype, 'seed');
        accumulate(y, ones);
      }
    });

    for (let k = fwdNodes.length - 1; k >= 0; k--) {
      const node: Node = fwdNodes[k];
      const gy = node.outputs.length === 1 ? grads.get(node.outputs[0].name) : undefined;
      if (!gy) {
        if (node.outputs.length > 1 && node.outputs.some((o) => grads.has(o.name))) throw new Error(`grad: multi-output op ${node.opType} is not differentiable`);
        continue;
      }
      const needs = node.inputs.map(relevant);
      if (!needs.some(Boolean)) continue;
      const def = opDef(node.opType);
      if (!def.vjp) throw new Error(`grad: op ${node.opType} (${node.name}) has no VJP but lies on the gradient path`);
      const gis = g.scope(node.name, () => def.vjp!({ node, gy, needs }));
      node.inputs.forEach((inp, i) => {
        const gi = gis[i];
        if (needs[i] && gi) accumulate(inp, gi);
      });
    }
  });

  return wrt.map((t) => grads.get(t.name) ?? g.scope('grad/zeros', () => expandLike(g.scalar(0, t.dtype), t)));
}
