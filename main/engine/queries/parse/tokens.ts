// Tokens of a query with their UTF-16 offsets, and the quoted phrases taken out first.
import { fold } from '../../text/fold';

export interface Token {
  /** as typed */
  text: string;
  /** lower case, no diacritics, no apostrophes or dots: the key words are compared by ("U.S." -> "us") */
  key: string;
  start: number;
  end: number;
  /** a word or number; false for punctuation */
  word: boolean;
}

// a year range "2018-2020", an abbreviated year "'19" / decade "'90s", numbers with an
// ordinal or plural ending ("25th", "1990s"), words with inner apostrophes or dots ("o'clock",
// "U.S."), then any other single character
const TOKEN = /\d{4}[-–]\d{4}|['’]\d{2}s?\b|\d+(?:st|nd|rd|th|s)?\b|[\p{L}\p{M}\p{N}]+(?:['’.][\p{L}\p{M}\p{N}]+)*\.?|[^\s]/gu;

export function tokenize(text: string, offset = 0): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    const word = /[\p{L}\p{N}]/u.test(t);
    out.push({ text: t, key: word ? fold(t).replace(/['’.]/g, '') : t, start: offset + m.index, end: offset + m.index + t.length, word });
  }
  return out;
}

export interface Quoted {
  /** the words inside the quotes */
  phrase: string;
  /** the span with its quotes */
  span: [number, number];
}

const OPEN = new Set(['"', '“', '„', '”']);
const CLOSE: Record<string, string[]> = { '"': ['"'], '“': ['”', '"'], '„': ['“', '”', '"'], '”': ['”', '"'] };

/** Quoted phrases ("guest wifi", “guest wifi”); an unclosed quote is not a phrase. Empty quotes are skipped. */
export function quotedPhrases(text: string): Quoted[] {
  const out: Quoted[] = [];
  for (let i = 0; i < text.length; i++) {
    const q = text[i]!;
    if (!OPEN.has(q)) continue;
    let j = i + 1;
    while (j < text.length && !CLOSE[q]!.includes(text[j]!)) j++;
    if (j >= text.length) break;
    const phrase = text.slice(i + 1, j).trim();
    if (phrase) out.push({ phrase, span: [i, j + 1] });
    i = j;
  }
  return out;
}
