// InfoNCE over in-batch negatives (VLM2Vec: logits = cos / tau, tau = 0.02), computed on
// gathered, already L2-normalised representations. Returns the loss and its gradient
// with respect to every representation: exactly what GradCache caches in its step (ii).
// Computed in float64: the batch is small (B x d) and the logits are large (1/tau = 50).

export interface InfoNceInput {
  /** B query representations, row-major [B, dim] */
  queries: Float32Array;
  /** B positive targets (row i pairs with query i), then H optional hard negatives: [(B + H), dim] */
  targets: Float32Array;
  dim: number;
  tau?: number;
}

export interface InfoNceResult {
  loss: number;
  /** in-batch accuracy: share of queries whose own target scores highest (ties count as misses) */
  accuracy: number;
  gradQueries: Float32Array;
  gradTargets: Float32Array;
}

export const VLM2VEC_TAU = 0.02;

export function infoNce({ queries, targets, dim, tau = VLM2VEC_TAU }: InfoNceInput): InfoNceResult {
  const batch = queries.length / dim;
  const candidates = targets.length / dim;
  if (!Number.isInteger(batch) || !Number.isInteger(candidates) || batch === 0) {
    throw new Error(`infoNce: representation sizes (${queries.length}, ${targets.length}) are not multiples of dim ${dim}`);
  }
  if (candidates < batch) throw new Error(`infoNce: ${candidates} targets for ${batch} queries; every query needs its positive`);

  const gradQueries = new Float64Array(batch * dim);
  const gradTargets = new Float64Array(candidates * dim);
  const logits = new Float64Array(candidates);
  let loss = 0;
  let hits = 0;
  for (let i = 0; i < batch; i++) {
    let max = -Infinity;
    for (let j = 0; j < candidates; j++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += queries[i * dim + c] * targets[j * dim + c];
      logits[j] = dot / tau;
      if (logits[j] > max) max = logits[j];
    }
    let sum = 0;
    for (let j = 0; j < candidates; j++) sum += Math.exp(logits[j] - max);
    const logSum = max + Math.log(sum);
    loss += logSum - logits[i];
    let best = true;
    for (let j = 0; j < candidates; j++) if (j !== i && logits[j] >= logits[i]) best = false;
    if (best) hits++;
    // d(loss_i)/d(logit_ij) = softmax_ij - [i == j]; the mean over the batch divides by B.
    for (let j = 0; j < candidates; j++) {
      const g = (Math.exp(logits[j] - logSum) - (i === j ? 1 : 0)) / (batch * tau);
      if (g === 0) continue;
      for (let c = 0; c < dim; c++) {
        gradQueries[i * dim + c] += g * targets[j * dim + c];
        gradTargets[j * dim + c] += g * queries[i * dim + c];
      }
    }
  }
  return {
    loss: loss / batch,
    accuracy: hits / batch,
    gradQueries: Float32Array.from(gradQueries),
    gradTargets: Float32Array.from(gradTargets),
  };
}
