// One optimisation step as the trainer sees it: a batch in, the loss, the in-batch accuracy
// and every trainable parameter's gradient out. GradCache (grad-cache.ts) and the full-batch
// graph (encoder.ts) both produce it; the trainer applies it.
import type { Rng } from '../random';
import type { Tensors } from './adamw';
import type { ContrastiveTokens } from './token-rows';

export interface StepResult {
  loss: number;
  /** in-batch accuracy of the step's batch (before the update) */
  accuracy: number;
  grads: Tensors;
}

/** One step's gradients for a batch; draws its chunks' dropout seeds from `rng`. */
export type StepFunction = (batch: ContrastiveTokens, rng: Rng, signal?: AbortSignal) => Promise<StepResult>;

/** GradCache's chunk (rows per forward/backward): `chunkSize` within [1, batchSize]; 0 or unset means the whole batch. */
export function chunkRowsPerStep(batchSize: number, chunkSize?: number): number {
  return Math.max(1, Math.min(chunkSize || batchSize, batchSize));
}
