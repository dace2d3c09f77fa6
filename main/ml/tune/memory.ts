// The GradCache chunk from a memory budget. A fine-tune step's memory is a fixed part (the
// runtime, the model's sessions, the cached trunk features, the batch's representations) and
// the activations of one chunk's backward, which grow with the chunk's rows (GradCache runs
// one chunk at a time, so the batch size does not matter). The activations are estimated from
// the transformer's shape, scaled to what onnxruntime measurably holds:
//   peak RSS of the worker, vlm2vec-nano, batch 256 (test/bench/tune-bench.ts (d)):
//   chunk 4: 482 MiB, 16: 784, 64: 2040, 128: 3861 -> about 26 MiB a row over about 380 MiB.
import type { Vlm2vecConfig } from '../models/vlm2vec/model';
import { perceptionSlotCount, textTokenCount, visualTokenCount } from '../models/vlm2vec/model';

const MiB = 1024 * 1024;
/** the fixed part, measured for vlm2vec-nano (above), with headroom */
export const FIXED_TUNE_MIB = 400;
/** onnxruntime's training graph holds this many times the activations counted below (measured: about 26 MiB a row for nano against 8.75 counted) */
const RUNTIME_FACTOR = 3;
/** the largest chunk worth taking: past it a step is no faster, only larger */
export const MAX_AUTO_CHUNK = 64;

/** Bytes of activations one input row's backward keeps: per layer the attention maps and the token states. */
export function activationBytesPerRow(cfg: Vlm2vecConfig): number {
  const seq = perceptionSlotCount(cfg) + visualTokenCount(cfg) + textTokenCount(cfg);
  const perLayer = cfg.heads * seq * seq + seq * (10 * cfg.dim + 3 * cfg.mlpHidden);
  return RUNTIME_FACTOR * 4 * cfg.layers * perLayer;
}

/**
 * The largest power-of-two chunk (1 .. MAX_AUTO_CHUNK) whose step fits in `budgetMiB`; 1 when
 * even that does not fit (the step then needs more than the budget: the caller says so).
 */
export function chunkForMemory(cfg: Vlm2vecConfig, budgetMiB: number): number {
  const rows = ((budgetMiB - FIXED_TUNE_MIB) * MiB) / activationBytesPerRow(cfg);
  let chunk = 1;
  while (chunk * 2 <= Math.min(rows, MAX_AUTO_CHUNK)) chunk *= 2;
  return chunk;
}

/** The memory a step at this chunk is expected to take, in MiB. */
export const stepMemoryMiB = (cfg: Vlm2vecConfig, chunk: number): number => FIXED_TUNE_MIB + (chunk * activationBytesPerRow(cfg)) / MiB;
