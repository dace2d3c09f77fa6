// Scoring text read from a photo against the text printed in it, by place rather than by
// order: a read line belongs to the printed line whose region (its quadrilateral in the
// photo, grown by half its height and a little at the ends) holds the read line's centre.
// The pieces read for one printed line (an item and its price) are joined in reading
// order along it and compared with it by edit distance; read lines that belong to no
// printed line count as inserted characters. So a reader is not punished for listing
// lines in another order, but is for merging two lines, splitting a word or reading
// text where there is none.

export type Point = [number, number];

/** A printed line: its text and its four corners in the photo, clockwise from the line's top-left. */
export interface TruthLine {
  text: string;
  quad: readonly [Point, Point, Point, Point];
}

/** A line a reader returned: its text and its box as fractions of the image (as OcrLine). */
export interface ReadLine {
  text: string;
  box: { x: number; y: number; width: number; height: number };
}

/** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  const A = [...a],
    B = [...b];
  let prev = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (A[i - 1] === B[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[B.length]!;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

export interface OcrScore {
  /** edit operations: per printed line, plus the characters of read lines matching none */
  errors: number;
  /** characters printed */
  chars: number;
  /** characters read that belong to no printed line */
  inserted: number;
  /** printed words (lower case; see wordsOf) found among the read words */
  wordsFound: number;
  words: number;
}

/** Frame of a printed line: origin at its top-left, unit vectors along it and square to it (down the page), its length and height. */
function lineFrame(q: TruthLine['quad']) {
  const [tl, tr, , bl] = q;
  const len = Math.hypot(tr[0] - tl[0], tr[1] - tl[1]) || 1;
  const u: Point = [(tr[0] - tl[0]) / len, (tr[1] - tl[1]) / len];
  // perspective skews the sides, so "down" is the normal of the top edge, not the left side
  const v: Point = [-u[1], u[0]];
  const hgt = Math.abs((bl[0] - tl[0]) * v[0] + (bl[1] - tl[1]) * v[1]) || 1;
  return { tl, u, v, len, hgt };
}

const wordsOf = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+(?:[.,'’-][\p{L}\p{N}]+)*/gu) ?? [];

/** Scores the lines read from an image of `width` x `height` pixels against the printed lines. */
export function scoreOcr(truth: readonly TruthLine[], read: readonly ReadLine[], width: number, height: number): OcrScore {
  const frames = truth.map((t) => lineFrame(t.quad));
  const assigned: { along: number; text: string }[][] = truth.map(() => []);
  let inserted = 0;
  for (const r of read) {
    const c: Point = [(r.box.x + r.box.width / 2) * width, (r.box.y + r.box.height / 2) * height];
    let best = -1,
      bestDist = Infinity;
    frames.forEach((f, i) => {
      const dx = c[0] - f.tl[0],
        dy = c[1] - f.tl[1];
      const along = dx * f.u[0] + dy * f.u[1],
        across = dx * f.v[0] + dy * f.v[1];
      if (along < -f.hgt || along > f.len + f.hgt || across < -0.5 * f.hgt || across > 1.5 * f.hgt) return;
      const dist = Math.abs(across - f.hgt / 2);
      if (dist < bestDist) {
        bestDist = dist;
        best = i;
      }
    });
    if (best < 0) {
      inserted += squash(r.text).length;
      continue;
    }
    const f = frames[best]!;
    assigned[best]!.push({ along: (c[0] - f.tl[0]) * f.u[0] + (c[1] - f.tl[1]) * f.u[1], text: r.text });
  }
  let errors = inserted,
    chars = 0;
  truth.forEach((t, i) => {
    const got = squash(
      assigned[i]!.sort((a, b) => a.along - b.along)
        .map((a) => a.text)
        .join(' '),
    );
    const want = squash(t.text);
    errors += editDistance(want, got);
    chars += want.length;
  });
  const readWords = new Set(read.flatMap((r) => wordsOf(r.text)));
  const truthWords = truth.flatMap((t) => wordsOf(t.text));
  return { errors, chars, inserted, wordsFound: truthWords.filter((w) => readWords.has(w)).length, words: truthWords.length };
}

/** Sums scores (a kind, a whole benchmark). */
export function addScores(scores: readonly OcrScore[]): OcrScore {
  const z: OcrScore = { errors: 0, chars: 0, inserted: 0, wordsFound: 0, words: 0 };
  for (const s of scores) for (const k of Object.keys(z) as (keyof OcrScore)[]) z[k] += s[k];
  return z;
}

/** Character error rate: edit operations per printed character. */
export const cer = (s: OcrScore) => (s.chars ? s.errors / s.chars : 0);
/** Share of printed words found among the words read: what a text search sees. */
export const wordRecall = (s: OcrScore) => (s.words ? s.wordsFound / s.words : 1);
