// Fine-tune batches: the person's pairs and replay pairs from the package's anchor set in
// every batch. Replay keeps the rest of the embedding space where it was (what the model
// knew), the person's pairs move their words; in-batch negatives come from both.
//
// Several pairs may share a query (one phrase for many photos: "these are Mochi"): they stay
// in one batch. For identical queries InfoNCE's optimum gives each of their positives an
// equal share and every other candidate none, i.e. the phrase moves towards all its photos
// and away from everything else; a photo (target) appears at most once per batch, since a
// second copy would be a negative of the first. Deterministic in (seed, index), as the
// trainer's exact resumption requires.
import { hash32, Rng } from '../random';
import type { Vlm2vecBatch, Vlm2vecSource } from '../models/vlm2vec/train';
import type { EncodedPair, EncodedSide, FeatureBank } from './encoded';
import { rowsOf } from './encoded';

export interface TuneBatchOptions {
  user: readonly EncodedPair[];
  replay: readonly EncodedPair[];
  bank: FeatureBank;
  /** the person's pairs per batch, at most (the rest of the batch is replay) */
  userPerBatch: number;
  seed: number;
}

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The person's pairs taken in a new seeded order every epoch, so each is seen equally often. */
function userPicks(user: readonly EncodedPair[], seed: number, index: number, count: number): EncodedPair[] {
  if (!count) return [];
  const out: EncodedPair[] = [];
  for (let k = index * count; out.length < count; k++) {
    const epoch = Math.floor(k / user.length);
    const order = shuffled(user, new Rng(hash32(`${seed}:epoch:${epoch}`)));
    out.push(order[k % user.length]!);
  }
  return out;
}

export function tuneBatchSource(o: TuneBatchOptions): Vlm2vecSource {
  if (!o.user.length) throw new Error('fine-tune: no labelled pairs to train on');
  return {
    batch(index: number, size: number): Vlm2vecBatch {
      const rng = new Rng(hash32(`${o.seed}:batch:${index}`));
      const seenTargets = new Set<string>();
      const seenReplayQueries = new Set<string>();
      const pairs: EncodedPair[] = [];
      for (const p of userPicks(o.user, o.seed, index, Math.min(o.userPerBatch, o.user.length, size))) {
        if (seenTargets.has(p.target.key)) continue;
        seenTargets.add(p.target.key);
        pairs.push(p);
      }
      for (let tries = 0; pairs.length < size; tries++) {
        if (tries > 50 * size || !o.replay.length) throw new Error(`fine-tune: cannot fill a batch of ${size} (${pairs.length} distinct pairs); use a smaller batch`);
        const p = o.replay[Math.floor(rng.uniform() * o.replay.length)]!;
        if (seenTargets.has(p.target.key) || seenReplayQueries.has(p.query.key)) continue;
        seenTargets.add(p.target.key);
        seenReplayQueries.add(p.query.key);
        pairs.push(p);
      }
      const negatives: EncodedSide[] = [];
      for (const p of pairs)
        for (const n of p.negatives) {
          if (seenTargets.has(n.key)) continue;
          seenTargets.add(n.key);
          negatives.push(n);
        }
      const batch: Vlm2vecBatch = { queries: rowsOf(pairs.map((p) => p.query), o.bank), targets: rowsOf(pairs.map((p) => p.target), o.bank) };
      if (negatives.length) batch.negatives = rowsOf(negatives, o.bank);
      return batch;
    },
  };
}
