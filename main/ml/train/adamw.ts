// AdamW (decoupled weight decay) over named Float32Array parameters, with global-norm
// gradient clipping. The state is plain arrays so a checkpoint can store it exactly.

export type Tensors = Map<string, Float32Array>;

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** parameters that get no weight decay (norm gains, biases) */
  noDecay?: (name: string) => boolean;
}

export interface AdamWState {
  step: number;
  m: Tensors;
  v: Tensors;
}

export function createAdamWState(params: Tensors): AdamWState {
  const zeros = () => new Map([...params].map(([name, p]) => [name, new Float32Array(p.length)]));
  return { step: 0, m: zeros(), v: zeros() };
}

/** Scales gradients in place so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(grads: Tensors, maxNorm: number): number {
  let sq = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return norm;
}

/** One AdamW update in place. Parameters without a gradient are left alone. */
export function adamWStep(params: Tensors, grads: Tensors, state: AdamWState, lr: number, options: AdamWOptions = {}): void {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01, noDecay = defaultNoDecay } = options;
  state.step += 1;
  const c1 = 1 - beta1 ** state.step;
  const c2 = 1 - beta2 ** state.step;
  for (const [name, p] of params) {
    const g = grads.get(name);
    if (!g) continue;
    if (g.length !== p.length) throw new Error(`adamW: gradient of ${name} has ${g.length} values, parameter has ${p.length}`);
    const m = state.m.get(name)!;
    const v = state.v.get(name)!;
    const decay = noDecay(name) ? 0 : weightDecay;
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      p[i] -= lr * ((m[i] / c1) / (Math.sqrt(v[i] / c2) + eps) + decay * p[i]);
    }
  }
}

function defaultNoDecay(name: string): boolean {
  return /(^|[/.])(bias|b|gain|g|gamma|beta|norm[^/]*)$/i.test(name) || /norm/i.test(name);
}
