// A toy contrastive task for trainer tests: every pair is two noisy views of a fresh random
// token sequence (a "prototype"); the model must learn which views belong together. Batches
// are a pure function of (seed, index), as the trainer's exact resumption requires. Every
// view ends with a fixed end token (id 1, never noised), as real prompts end with a fixed
// template: the last-token representation then has one stable place to pool into.
import { Rng } from '../../../main/ml/random';
import type { ContrastiveSource } from '../../../main/ml/train/trainer';
import type { TokenRows } from '../../../main/ml/train/token-rows';

export interface ToyOptions {
  vocab: number;
  seq: number;
  /** chance that a token of a view is replaced by a random one */
  noise: number;
  seed?: number;
  /** hard negatives per batch (noisy views of other fresh prototypes) */
  negatives?: number;
  /**
   * Targets are written in another "language": every token of the target view goes through
   * a fixed random permutation of the vocabulary. An untrained model is then at chance;
   * the model has to learn which tokens correspond.
   */
  translate?: boolean;
}

const END = 1n;

export function toySource({ vocab, seq, noise, seed = 1, negatives = 0, translate = false }: ToyOptions): ContrastiveSource {
  const perm = Array.from({ length: vocab }, (_v, i) => BigInt(i));
  if (translate) {
    const rng = new Rng(seed ^ 0x5bd1e995);
    for (let i = vocab - 1; i > 2; i--) {
      const j = 2 + Math.floor(rng.uniform() * (i - 1)); // ids 0 (padding) and 1 (end) stay put
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  }
  return {
    batch(index, size) {
      const rng = new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
      const token = () => 2n + BigInt(Math.floor(rng.uniform() * (vocab - 2)));
      const make = (rows: number) => ({ ids: new BigInt64Array(rows * seq), mask: new Float32Array(rows * seq), seq });
      const q: TokenRows = make(size);
      const t: TokenRows = make(size);
      const n: TokenRows = make(negatives);
      const view = (out: TokenRows, row: number, proto: bigint[], map = false) => {
        proto.forEach((tok, k) => {
          const v = rng.uniform() < noise ? token() : tok;
          out.ids[row * seq + k] = map ? perm[Number(v)] : v;
          out.mask[row * seq + k] = 1;
        });
        out.ids[row * seq + proto.length] = END;
        out.mask[row * seq + proto.length] = 1;
      };
      const proto = () => Array.from({ length: seq - 1 - Math.floor(rng.uniform() * (seq / 2)) }, token);
      for (let r = 0; r < size; r++) {
        const p = proto();
        view(q, r, p);
        view(t, r, p, translate);
      }
      for (let r = 0; r < negatives; r++) view(n, r, proto(), translate);
      return negatives ? { queries: q, targets: t, negatives: n } : { queries: q, targets: t };
    },
  };
}
