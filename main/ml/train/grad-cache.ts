// GradCache (Gao et al. 2021): the exact full-batch contrastive gradient with memory that
// depends on the chunk size, not the batch size.
//   (i)   forward every chunk without keeping activations, gather the representations;
//   (ii)  InfoNCE on the whole batch, and its gradient w.r.t. every representation;
//   (iii) per chunk, recompute the forward with activations and back-propagate the cached
//         representation gradients; accumulate the parameter gradients.
// Both sides of a pair go through the same model, as in VLM2Vec. A chunk carries its own
// dropout seed so that (iii) replays (i)'s randomness exactly.
import type { Rng } from '../random';
import type { Tensors } from './adamw';
import { infoNce } from './info-nce';
import type { StepResult } from './step';
import type { ContrastiveRows, TokenRows } from './token-rows';
import { candidateRows, chunkRows } from './token-rows';

/** What GradCache needs of a model: a no-grad forward and a "backward from given representation gradients". */
export interface ChunkedEncoder<Chunk> {
  readonly dim: number;
  /** representations [rows(chunk), dim], L2-normalised */
  encode(chunk: Chunk, seed: number): Promise<Float32Array>;
  /** parameter gradients of sum(representations * repGrads), recomputing the forward with the same seed */
  backward(chunk: Chunk, seed: number, repGrads: Float32Array): Promise<Tensors>;
}

/** The encoder, awaiting `wait` before each chunk's forward and backward: a host holds the work while its user needs the cores. */
export function pacedEncoder<Chunk>(encoder: ChunkedEncoder<Chunk>, wait: () => Promise<void>): ChunkedEncoder<Chunk> {
  return {
    dim: encoder.dim,
    encode: async (c, seed) => {
      await wait();
      return encoder.encode(c, seed);
    },
    backward: async (c, seed, repGrads) => {
      await wait();
      return encoder.backward(c, seed, repGrads);
    },
  };
}

export interface ContrastiveBatch<Chunk> {
  /** query chunks, in order; rows concatenate to B queries */
  queries: Chunk[];
  /** target chunks: B positives (row i pairs with query i), then optional hard negatives */
  targets: Chunk[];
}

export async function gradCacheStep<Chunk>(
  encoder: ChunkedEncoder<Chunk>,
  batch: ContrastiveBatch<Chunk>,
  seeds: { queries: number[]; targets: number[] },
  tau?: number,
  /** checked between chunks: an aborted step throws (an AbortError) and leaves nothing applied */
  signal?: AbortSignal,
): Promise<StepResult> {
  const { dim } = encoder;
  const encode = async (c: Chunk, seed: number): Promise<Float32Array> => {
    signal?.throwIfAborted();
    return encoder.encode(c, seed);
  };
  // (i) no-grad forward of every chunk
  // one chunk at a time: concurrent runs would hold every chunk's activations at once
  const encodeAll = async (chunks: Chunk[], chunkSeeds: number[]): Promise<Float32Array[]> => {
    const reps: Float32Array[] = [];
    for (let i = 0; i < chunks.length; i++) reps.push(await encode(chunks[i], chunkSeeds[i]));
    return reps;
  };
  const queryReps = await encodeAll(batch.queries, seeds.queries);
  const targetReps = await encodeAll(batch.targets, seeds.targets);
  // (ii) loss and representation gradients on the whole batch
  const result = infoNce({ queries: concat(queryReps), targets: concat(targetReps), dim, tau });
  // (iii) per chunk backward from the cached gradients; sequential, so only one chunk's activations live at a time
  const grads: Tensors = new Map();
  const backwardAll = async (chunks: Chunk[], reps: Float32Array[], chunkSeeds: number[], repGrads: Float32Array) => {
    let row = 0;
    for (let i = 0; i < chunks.length; i++) {
      const rows = reps[i].length / dim;
      const slice = repGrads.subarray(row * dim, (row + rows) * dim);
      signal?.throwIfAborted();
      accumulate(grads, await encoder.backward(chunks[i], chunkSeeds[i], slice));
      row += rows;
    }
  };
  await backwardAll(batch.queries, queryReps, seeds.queries, result.gradQueries);
  await backwardAll(batch.targets, targetReps, seeds.targets, result.gradTargets);
  return { loss: result.loss, accuracy: result.accuracy, grads };
}

/**
 * The trainer's GradCache step over an encoder of rows: cut the queries and the candidates
 * (positives, then hard negatives, padded with `padId`) into chunks of `chunk` rows, draw
 * each chunk's dropout seed from `rng` (queries first, then candidates), run gradCacheStep.
 */
export function gradCacheSteps<Rows extends TokenRows>(
  encoder: ChunkedEncoder<Rows>,
  o: { chunk: number; tau?: number; padId?: number },
): (batch: ContrastiveRows<Rows>, rng: Rng, signal?: AbortSignal) => Promise<StepResult> {
  return (batch, rng, signal) => {
    const queries = chunkRows(batch.queries, o.chunk);
    const targets = chunkRows(candidateRows(batch, o.padId), o.chunk);
    const seeds = { queries: queries.map(() => rng.nextU32()), targets: targets.map(() => rng.nextU32()) };
    return gradCacheStep(encoder, { queries, targets }, seeds, o.tau, signal);
  };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function accumulate(into: Tensors, add: Tensors): void {
  for (const [name, g] of add) {
    const sum = into.get(name);
    if (!sum) into.set(name, Float32Array.from(g));
    else for (let i = 0; i < g.length; i++) sum[i] += g[i];
  }
}
