// The chance baseline: every distinct input gets a random unit vector fixed by its
// CONTENT (image path as written in the suite + text) and a seed. Deterministic: the same
// suite scores the same on every run and machine. Identical candidates get identical
// vectors, so they tie and (ties are misses) never count as hits; a query identical in
// content to a candidate gets the same vector as it (identical content is a real match).
import { createHash } from 'node:crypto';
import type { EvalEncoder } from '../runner';
import type { EvalSide } from '../types';

export const RANDOM_BASELINE_NAME = 'random';

export interface RandomBaselineOptions {
  /** default 64 */
  dim?: number;
  /** default 'trove-random-baseline-v1' */
  seed?: string;
}

/** The content key of a side: the image path as written in the file (portable across machines) and the text. */
export function contentKey(s: EvalSide): string {
  return `${s.imagePath ?? ''}\u0000${s.text}`;
}

/** A vector of `dim` values uniform in [-0.5, 0.5), fixed by (seed, key): sha256 -> xoshiro128**. */
export function seededVector(key: string, dim: number, seed: string): Float32Array {
  const h = createHash('sha256').update(seed).update('\u0000').update(key).digest();
  let a = h.readUInt32LE(0) | 0;
  let b = h.readUInt32LE(4) | 0;
  let c = h.readUInt32LE(8) | 0;
  let d = h.readUInt32LE(12) | 0;
  if ((a | b | c | d) === 0) a = 1;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    const r = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    out[i] = (r >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** The random-vector baseline as an EvalEncoder (query and target sides alike). */
export function randomBaseline(opts: RandomBaselineOptions = {}): EvalEncoder {
  const dim = opts.dim ?? 64;
  const seed = opts.seed ?? 'trove-random-baseline-v1';
  const embed = (s: EvalSide) => seededVector(contentKey(s), dim, seed);
  return { embedQuery: embed, embedTarget: embed };
}
