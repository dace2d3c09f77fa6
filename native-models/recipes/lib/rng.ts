// Seeded randomness and stable, order-independent hold-out decisions.
import { Rng as BaseRng, hash32 } from '../../../main/ml/random';

export { hash32 };

/** A number in [0, 1) fixed by the key: the same item always lands on the same side of a split. */
export function unit(key: string): number {
  return hash32(key) / 2 ** 32;
}

/** Trove's seeded PRNG with the helpers data synthesis wants. */
export class Rng extends BaseRng {
  constructor(seed: number | string) {
    super(typeof seed === 'string' ? hash32(seed) : seed);
  }
  next(): number {
    return this.uniform();
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from empty list');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
  /** k distinct elements (all of them when k >= length), in random order */
  sample<T>(xs: readonly T[], k: number): T[] {
    return this.shuffle([...xs]).slice(0, Math.max(0, k));
  }
  /** a child generator for a named sub-task, so adding a task elsewhere never shifts this one */
  fork(name: string): Rng {
    return new Rng(hash32(`${this.state}:${name}`));
  }
}
