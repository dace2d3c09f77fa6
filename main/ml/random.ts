// The one seeded PRNG of Trove (mulberry32). Its whole state is one uint32, so a training
// checkpoint can store it and a resumed run draws exactly the numbers the uninterrupted
// run would have drawn. Used for initialisation, dropout masks, data order and test data.

export class Rng {
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

  /** uniform in [0, 1) */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** standard normal (Box-Muller) */
  normal(): number {
    const u = Math.max(this.uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  normals(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }
}

/** A seeded uniform [0, 1) source as a plain function, for code that wants one. */
export function uniformSource(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.uniform();
}

/** FNV-1a, 32 bits: a stable seed from a string key (the same key gives the same numbers on every machine). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
