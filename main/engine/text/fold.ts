// Folding text for matching what a person types against names and words: case,
// diacritics and punctuation do not matter ("Reykjavík" == "reykjavik", "Côte d’Ivoire"
// == "cote d'ivoire"). One definition, used by the gazetteer, the lexicon and the query
// parser so that both sides of every comparison fold alike.

/** Letters that Unicode decomposition leaves alone but that a person types as ASCII. */
const LETTERS: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h' };

/** Lower case without diacritics ("Þórshöfn" -> "thorshofn"); the length may change. */
export function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßøæœđðłþıħ]/g, (c) => LETTERS[c] ?? c);
}

/** fold() with every run of characters other than letters and digits turned into one space, trimmed: a key for names. */
export function foldKey(s: string): string {
  return fold(s)
    .replace(/['’‘`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
