// A tiny vlm2vec configuration and synthetic batches for training tests: row i's target
// shares its features / tokens with its query; every batch is deterministic in its index
// (the trainer's resumption replays batches from its cursor).
import { padTokens } from '../../main/ml/models/vlm2vec/family';
import { NANO_CONFIG } from '../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../main/ml/models/vlm2vec/model';
import type { Vlm2vecBatch, Vlm2vecRows } from '../../main/ml/models/vlm2vec/train';
import { Rng } from '../../main/ml/random';

export const TINY_VLM2VEC: Vlm2vecConfig = { ...NANO_CONFIG, dim: 16, heads: 2, layers: 1, mlpHidden: 32, maxTextTokens: 12, featureChannels: 8, featureGrid: [2, 2], dropout: 0.1, seed: 5 };

export function synthVlm2vecBatch(index: number, size: number): Vlm2vecBatch {
  const rng = new Rng(1000 + index);
  const fsize = TINY_VLM2VEC.featureChannels * 4;
  const rows = (withImage: (i: number) => boolean, shift: number): Vlm2vecRows => {
    const toks = Array.from({ length: size }, (_v, i) => [256, ...Array.from({ length: 1 + ((i + index) % 5) }, (_w, j) => (i * 7 + j * 3 + shift) % 256)]);
    const { ids, mask, seq } = padTokens(toks);
    const features = new Float32Array(size * fsize).map(() => rng.uniform() * 4);
    const hasImage = new Float32Array(size).map((_v, i) => (withImage(i) ? 1 : 0));
    return { ids, mask, seq, features, hasImage };
  };
  return { queries: rows((i) => i % 2 === 0, 0), targets: rows((i) => i % 3 === 0, 1) };
}
