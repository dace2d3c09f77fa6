// The k best-scoring ids of a stream of (id, score): what every search returns.

export interface Neighbour {
  id: number;
  /** cosine similarity, higher is closer */
  score: number;
}

/** Bounded min-heap keeping the k highest scores. */
export class TopK {
  private readonly ids: Float64Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.ids = new Float64Array(k);
    this.scores = new Float64Array(k);
  }

  get count(): number {
    return this.n;
  }

  /** the lowest score kept, -Infinity while not full */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0];
  }

  offer(id: number, score: number): void {
    if (this.k <= 0 || Number.isNaN(score)) return;
    if (this.n < this.k) {
      let i = this.n++;
      // sift up
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.scores[p] <= score) break;
        this.ids[i] = this.ids[p];
        this.scores[i] = this.scores[p];
        i = p;
      }
      this.ids[i] = id;
      this.scores[i] = score;
      return;
    }
    if (score <= this.scores[0]) return;
    // replace root, sift down
    let i = 0;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.scores[r] < this.scores[l] ? r : l;
      if (this.scores[c] >= score) break;
      this.ids[i] = this.ids[c];
      this.scores[i] = this.scores[c];
      i = c;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  /** kept entries, best first */
  sorted(): Neighbour[] {
    const out: Neighbour[] = [];
    for (let i = 0; i < this.n; i++) out.push({ id: this.ids[i], score: this.scores[i] });
    out.sort((a, b) => b.score - a.score || a.id - b.id);
    return out;
  }
}
