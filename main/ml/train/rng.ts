// A seeded PRNG whose whole state is one uint32, so a checkpoint can store it and a resumed
// run draws exactly the numbers the uninterrupted run would have drawn (mulberry32, the
// same generator as nn/module.ts Rng).

export class StatefulRng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** a uniform uint32 */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  uniform(): number {
    return this.nextU32() / 4294967296;
  }
}
