// Convenience for training graphs: gradients of a loss (or of given outputs against fed
// upstream gradients, for GradCache) w.r.t. the trainable parameters, as named outputs.
import type { Graph, Param, Tensor } from '../graph/graph';
import { grad } from './grad';

export const gradOutputName = (paramName: string): string => `grad:${paramName}`;
export const seedInputName = (outputName: string): string => `seed:${outputName}`;

export interface TrainingOutputs {
  /** outputs for toOnnx: the forward outputs plus 'grad:<param name>' per parameter */
  outputs: Record<string, Tensor>;
  /** parameter name -> output name of its gradient */
  gradOutputs: Map<string, string>;
  /** forward output name -> graph input carrying its upstream gradient (only with `seedOutputs`) */
  seedInputs: Map<string, string>;
  params: Param[];
}

/**
 * Adds backward nodes for `params` (default: the graph's trainable parameters).
 *  - `loss`: a scalar; gradients of the loss.
 *  - `seedOutputs`: outputs whose upstream gradients are fed at run time as graph inputs
 *    'seed:<name>' (same shape, symbolic dims allowed): gradients of sum(output * seed).
 *    That is GradCache's "backward from cached representation gradients".
 * Pass the result's `outputs` to toOnnx with paramsAsInputs: 'trainable'.
 */
export function addGradients(
  g: Graph,
  spec: { loss?: Tensor; seedOutputs?: Record<string, Tensor>; extraOutputs?: Record<string, Tensor>; params?: Param[] },
): TrainingOutputs {
  const params = spec.params ?? g.trainableParams();
  const ys: Tensor[] = [];
  const seeds: Tensor[] = [];
  const outputs: Record<string, Tensor> = { ...(spec.extraOutputs ?? {}) };
  const seedInputs = new Map<string, string>();
  if (spec.loss) {
    if (spec.loss.shape.length !== 0) throw new Error('addGradients: loss must be a scalar (shape [])');
    outputs.loss = spec.loss;
  }
  for (const [name, y] of Object.entries(spec.seedOutputs ?? {})) {
    const s = g.input(seedInputName(name), y.dtype, y.shape);
    ys.push(y);
    seeds.push(s);
    outputs[name] = y;
    seedInputs.set(name, s.name);
  }
  if (spec.loss) {
    ys.push(spec.loss);
    seeds.push(g.constant(spec.loss.dtype === 'float64' ? Float64Array.of(1) : Float32Array.of(1), [], spec.loss.dtype, 'loss_seed'));
  }
  if (!ys.length) throw new Error('addGradients: give a loss or seedOutputs');
  const grads = grad(ys, params.map((p) => p.tensor), { seeds });
  const gradOutputs = new Map<string, string>();
  params.forEach((p, i) => {
    const n = gradOutputName(p.name);
    outputs[n] = grads[i];
    gradOutputs.set(p.name, n);
  });
  return { outputs, gradOutputs, seedInputs, params };
}
