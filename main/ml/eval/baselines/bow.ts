// A bag-of-words text vector with no training and no vocabulary: lower-cased word tokens
// (Unicode letters and digits), a fixed list of English function words dropped, each
// remaining word hashed (FNV-1a) into `dim` buckets with a sign bit (the "hashing trick",
// so collisions cancel on average instead of adding up), term frequency damped as
// 1 + ln(tf). L2-normalised; all zeros when no word is left.

/** Common English function words: carry no content, fixed in advance (not tuned on any data). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if of to in on at by for with from as into onto about over under ' +
    'is are was were be been being am do does did have has had it its this that these those ' +
    'there here what which who whom whose when where why how not no nor so than then too very ' +
    'can could will would shall should may might must i you he she we they me him her us them ' +
    'my your his our their'
  ).split(' '),
);

export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP_WORDS.has(w));
}

/** FNV-1a, 32 bits, over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The L2-normalised hashed bag of words of `text` (zeros when it has no content word). */
export function bagOfWords(text: string, dim = 4096): Float32Array {
  const tf = new Map<string, number>();
  for (const w of words(text)) tf.set(w, (tf.get(w) ?? 0) + 1);
  const v = new Float32Array(dim);
  for (const [w, n] of tf) {
    const h = fnv1a(w);
    v[(h >>> 1) % dim]! += (h & 1 ? 1 : -1) * (1 + Math.log(n));
  }
  let ss = 0;
  for (let i = 0; i < dim; i++) ss += v[i]! * v[i]!;
  if (ss > 0) {
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < dim; i++) v[i]! *= inv;
  }
  return v;
}
