// The recognizer's alphabet and CTC greedy decoding, with PaddleOCR's conventions
// (ppocr/postprocess/rec_postprocess.py, CTCLabelDecode): class 0 is the CTC blank,
// classes 1..n are the lines of the keys file, and with use_space_char the last class is
// a space. Decoding takes the best class at each time step, merges repeats, drops blanks,
// and scores the line by the mean probability of the characters it kept.

export interface Charset {
  /** the character of each class; index 0 (the blank) is '' */
  chars: readonly string[];
  /** classes decoding may choose (the blank always); null = all */
  allowed: Uint8Array | null;
}

/** The classes of a PaddleOCR keys file: blank, one per line, then the space. */
export function charsetFromKeys(keysText: string, { useSpaceChar = true }: { useSpaceChar?: boolean } = {}): Charset {
  const keys = keysText.split(/\r?\n/);
  if (keys[keys.length - 1] === '') keys.pop();
  if (keys.length === 0) throw new Error('the keys file is empty: expected one character per line');
  const chars = ['', ...keys];
  if (useSpaceChar) chars.push(' ');
  return { chars, allowed: null };
}

/** Printable ASCII, Latin-1 letters and the typographic marks English text uses. */
export function isLatinChar(c: string): boolean {
  if (c.length !== 1) return false;
  const code = c.charCodeAt(0);
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xc0 && code <= 0x17f && code !== 0xd7 && code !== 0xf7) || '°•·—’‘“”'.includes(c);
}

/** The same classes, with decoding restricted to those whose character passes `keep` (the blank always). */
export function restrictCharset(cs: Charset, keep: (c: string) => boolean): Charset {
  const allowed = new Uint8Array(cs.chars.length);
  allowed[0] = 1;
  cs.chars.forEach((c, i) => {
    if (i > 0 && keep(c)) allowed[i] = 1;
  });
  return { chars: cs.chars, allowed };
}

export interface DecodedLine {
  text: string;
  /** mean probability of the kept characters (0 when none) */
  score: number;
  /** the characters emitted, in order (text is their concatenation) */
  symbols: string[];
  /**
   * for each symbol, the highest probability of the space class at the time steps between
   * it and the symbol before (0 for the first): the model's own evidence for a word gap
   */
  spaceBefore: number[];
}

/**
 * Greedy CTC decoding of one sequence: `probs` holds `steps` rows of `classes` softmax
 * probabilities (row-major), as the recognizer outputs them.
 */
export function ctcGreedyDecode(probs: Float32Array, steps: number, classes: number, cs: Charset, offset = 0): DecodedLine {
  if (classes !== cs.chars.length) throw new Error(`the recognizer has ${classes} classes but the charset has ${cs.chars.length}: the keys file does not belong to this model`);
  const space = cs.chars[classes - 1] === ' ' ? classes - 1 : -1;
  const symbols: string[] = [];
  const spaceBefore: number[] = [];
  let sum = 0,
    prev = -1,
    gapSpace = 0;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0,
      bestP = -1;
    for (let k = 0; k < classes; k++) {
      if (cs.allowed && !cs.allowed[k]) continue;
      const p = probs[row + k]!;
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    if (best === 0 && space >= 0) gapSpace = Math.max(gapSpace, probs[row + space]!);
    if (best !== 0 && best !== prev) {
      symbols.push(cs.chars[best]!);
      spaceBefore.push(symbols.length > 1 ? gapSpace : 0);
      sum += bestP;
    }
    if (best !== 0) gapSpace = 0;
    prev = best;
  }
  return { text: symbols.join(''), score: symbols.length ? sum / symbols.length : 0, symbols, spaceBefore };
}

/**
 * The text with a space wherever the model saw one with at least `threshold` probability
 * but a blank won the time step. PaddleOCR's Chinese-trained recognizer rarely lets the
 * space win, so greedy decoding runs English words together ("1344ElmStreet"); the space
 * probability between the words still rises, and this reads it.
 */
export function textWithSpaces(line: DecodedLine, threshold: number): string {
  let out = '';
  line.symbols.forEach((s, i) => {
    if (i > 0 && line.spaceBefore[i]! >= threshold && s !== ' ' && line.symbols[i - 1] !== ' ') out += ' ';
    out += s;
  });
  return out;
}
