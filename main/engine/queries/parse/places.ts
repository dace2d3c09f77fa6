// Place names in a query: only places the library's photos were taken at, matched on
// whole words, case- and diacritics-insensitively ("reykjavik" finds Reykjavík), longest
// name first ("New York City" before "New York"), with an optional cue word ("in", "at",
// "from", "near"...). Countries also by their aliases ("USA", "UK", "Holland"); "US" only
// in capitals ("photos of us" is not America). A name that is also a common English word
// ("Nice", "Reading", "China", "Turkey") needs a cue word or a capital letter.
import type { Lexicon } from '../../lexicon/lexicon';
import { CASE_SENSITIVE_ALIASES, COUNTRY_ALIASES, countryNames } from '../../places/countries';
import { tokenize, type Token } from './tokens';
import type { LibraryPlace, PlaceMatch } from './types';
import { PLACE_CUES, STOP_WORDS } from './words';

export interface PlaceHit {
  /** token indexes [start, end), the cue word included */
  start: number;
  end: number;
  places: PlaceMatch[];
  label: string;
}

interface Entry {
  places: PlaceMatch[];
  /** spellings that match as typed ("US", "U.S.") when no name of this key matches in any case */
  exact: string[];
  anyCase: boolean;
  /** a single common word ("nice"): needs a cue word or a capital */
  common: boolean;
}

const keyOf = (s: string) =>
  tokenize(s)
    .filter((t) => t.word)
    .map((t) => t.key)
    .join(' ');

export class PlaceMatcher {
  private readonly entries = new Map<string, Entry>();
  private readonly longest: number;

  constructor(places: readonly LibraryPlace[], lexicon?: Lexicon | null) {
    const add = (key: string, place: PlaceMatch, exact?: string) => {
      if (!key || (STOP_WORDS.has(key) && !exact)) return;
      let e = this.entries.get(key);
      if (!e) {
        e = { places: [], exact: [], anyCase: false, common: !key.includes(' ') && (key.length <= 2 || (lexicon?.isCommonWord(key) ?? false)) };
        this.entries.set(key, e);
      }
      if (exact) e.exact.push(exact.replace(/\.$/, ''));
      else e.anyCase = true;
      if (!e.places.some((p) => p.name === place.name && p.kind === place.kind)) e.places.push(place);
    };
    const countries = new Map<string, LibraryPlace>();
    for (const p of places) {
      add(keyOf(p.name), { name: p.name, kind: p.kind, label: p.name });
      if (p.kind === 'country') countries.set(keyOf(p.name), p);
    }
    // aliases of the library's countries, found through the countries that have aliases
    for (const code of Object.keys(COUNTRY_ALIASES)) {
      const names = countryNames(code);
      const country = names.map(keyOf).map((k) => countries.get(k)).find(Boolean);
      if (!country) continue;
      for (const n of names) add(keyOf(n), { name: country.name, kind: 'country', label: country.name }, CASE_SENSITIVE_ALIASES.has(n) ? n : undefined);
    }
    this.longest = Math.max(1, ...[...this.entries.keys()].map((k) => k.split(' ').length));
  }

  /** The longest place name at token i (after an optional cue word), or null. `free(j)`: token j may be taken. */
  at(tokens: Token[], i: number, free: (j: number) => boolean): PlaceHit | null {
    const cue = PLACE_CUES.has(tokens[i]?.key.toLowerCase() ?? '') ? 1 : 0;
    const start = i + cue;
    for (let n = this.longest; n >= 1; n--) {
      const span = this.wordsFrom(tokens, start, n, free);
      if (!span) continue;
      const key = span.words.map((t) => t.key.toLowerCase()).join(' ');
      const e = this.entries.get(key);
      if (!e) continue;
      const typed = tokens.slice(start, span.end).map((t) => t.text).join('').replace(/\.$/, '');
      if (!e.anyCase && !e.exact.includes(typed)) continue;
      if (e.common && !cue && !/^\p{Lu}/u.test(span.words[0]!.text)) continue;
      if (cue && !free(i)) return null;
      return { start: cue ? i : start, end: span.end, places: e.places, label: e.places[0]!.name };
    }
    return null;
  }

  /** n word tokens from `start`, allowing hyphens and apostrophes between them ("Saint-Louis"). */
  private wordsFrom(tokens: Token[], start: number, n: number, free: (j: number) => boolean): { words: Token[]; end: number } | null {
    const words: Token[] = [];
    let j = start;
    while (words.length < n) {
      const t = tokens[j];
      if (!t || !free(j)) return null;
      if (t.word) words.push(t);
      else if (!words.length || !['-', '–', "'", '’'].includes(t.text)) return null;
      j++;
    }
    return { words, end: j };
  }
}
