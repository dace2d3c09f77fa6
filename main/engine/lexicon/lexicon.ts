// WordNet 3.0's nouns, in memory: a word or phrase -> its noun synsets (with WordNet's
// morphology), a synset -> its lemmas, hypernyms (to the root) and direct hyponyms. Pure
// once loaded; the file (native-models/lexicon/lexicon.json.gz, built by
// native-models/recipes/build-lexicon.ts) is read once, on first use.
import { installedData } from '../installed';
import { fold } from '../text/fold';
import { decodeLexicon, LexiconFileError, type LexiconFile } from './lexicon-file';
import { nounBaseForms } from './morphology';

/** WordNet's noun lexicographer files by number (lexnames(5WN)). */
const LEXFILES: Record<number, string> = {
  3: 'Tops', 4: 'act', 5: 'animal', 6: 'artifact', 7: 'attribute', 8: 'body', 9: 'cognition', 10: 'communication', 11: 'event', 12: 'feeling',
  13: 'food', 14: 'group', 15: 'location', 16: 'motive', 17: 'object', 18: 'person', 19: 'phenomenon', 20: 'plant', 21: 'possession',
  22: 'process', 23: 'quantity', 24: 'relation', 25: 'shape', 26: 'state', 27: 'substance', 28: 'time',
};

export interface Synset {
  /** ImageNet-style id: 'n' + the 8-digit data.noun offset ('n02084071') */
  id: string;
  /** position in the lexicon (what the other methods take) */
  index: number;
  /** as WordNet writes them, with spaces: ['dog', 'domestic dog', 'Canis familiaris'] */
  lemmas: string[];
  /** the lexicographer file without 'noun.': 'animal', 'artifact', 'person', 'food', ... */
  lexfile: string;
  /** an instance of something (a named place, person or event: "Paris", "Einstein") */
  instance: boolean;
}

/** One meaning of a word. */
export interface Sense {
  synset: number;
  /** 1 = the word's most frequent noun sense */
  rank: number;
  /** how often WordNet's sense-tagged corpora used the word in this sense (cntlist) */
  count: number;
  /**
   * how likely this sense is, relative to the word's most likely one (which has 1):
   * (count + 0.5) / (top count + 0.5); 1 / rank when the corpora never saw the word
   */
  weight: number;
  /** the base form the word was read as ('puppies' -> 'puppy') */
  lemma: string;
}

export const wnid = (offset: number) => 'n' + String(offset).padStart(8, '0');

/** The position of `key` in a sorted array of strings, or -1. */
function bsearch(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === key) return mid;
    if (v < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const numbers = (row: string): number[] => (row ? row.split(' ').map(Number) : []);

export class Lexicon {
  private readonly offsets: Int32Array;
  private readonly lexfiles: string;
  private readonly lemmaRows: string[];
  private readonly hypernymRows: string[];
  private readonly instanceRows: string[];
  private readonly words: string[];
  private readonly senseRows: string[];
  private readonly otherWords: string[];
  private readonly exceptions = new Map<string, string[]>();
  private hyponymLists: number[][] | null = null;
  private longest = 0;
  private readonly parsedSenses = new Map<number, Sense[]>();

  constructor(file: LexiconFile) {
    const offsets = file.offsets.split(' ');
    this.offsets = new Int32Array(offsets.length);
    for (let i = 0; i < offsets.length; i++) this.offsets[i] = +offsets[i]!;
    this.lexfiles = file.lexfiles;
    this.lemmaRows = file.lemmas.split('\n');
    this.hypernymRows = file.hypernyms.split('\n');
    this.instanceRows = file.instanceOf.split('\n');
    this.words = file.words.split('\n');
    this.senseRows = file.senses.split('\n');
    this.otherWords = file.otherWords.split('\n');
    const n = this.offsets.length;
    if (!n || this.lexfiles.length !== n || [this.lemmaRows, this.hypernymRows, this.instanceRows].some((r) => r.length !== n) || this.words.length !== this.senseRows.length) {
      throw new LexiconFileError('the lexicon file is inconsistent (its columns have different lengths); rebuild it with native-models/recipes/build-lexicon.ts');
    }
    for (const row of file.exceptions.split('\n')) {
      const [inflected, base] = row.split('\t') as [string, string];
      this.exceptions.set(inflected, [...(this.exceptions.get(inflected) ?? []), base]);
    }
  }

  /** The most words in one lemma ("jack in the pulpit"...): how far a phrase match need look. */
  get maxPhraseWords(): number {
    if (this.longest === 0) {
      let most = 1;
      for (const w of this.words) {
        let n = 1;
        for (let k = w.indexOf(' '); k >= 0; k = w.indexOf(' ', k + 1)) n++;
        if (n > most) most = n;
      }
      this.longest = most;
    }
    return this.longest;
  }

  get size(): number {
    return this.offsets.length;
  }

  /** The synset at a position, or for an id like 'n02084071'; null when there is none. */
  synset(ref: number | string): Synset | null {
    const i = typeof ref === 'number' ? ref : this.indexOf(ref);
    if (i === null || i < 0 || i >= this.size || !Number.isInteger(i)) return null;
    return { id: wnid(this.offsets[i]!), index: i, lemmas: this.lemmas(i), lexfile: LEXFILES[this.lexfiles.charCodeAt(i) - 48] ?? '?', instance: this.instanceRows[i] !== '' };
  }

  /** The position of a synset id ('n02084071'), or null. */
  indexOf(id: string): number | null {
    const m = /^n(\d{8})$/.exec(id);
    if (!m) return null;
    const off = Number(m[1]);
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.offsets[mid]!;
      if (v === off) return mid;
      if (v < off) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  lemmas(i: number): string[] {
    return this.lemmaRows[i]!.split('|');
  }

  /** Direct hypernyms, including what an instance is an instance of. */
  hypernyms(i: number): number[] {
    const inst = this.instanceRows[i]!;
    const hyp = numbers(this.hypernymRows[i]!);
    return inst ? [...hyp, ...numbers(inst)] : hyp;
  }

  /** Direct hyponyms (and instances). The first call inverts every hypernym link (~0.1 s). */
  hyponyms(i: number): number[] {
    if (!this.hyponymLists) {
      const lists: number[][] = Array.from({ length: this.size }, () => []);
      for (let s = 0; s < this.size; s++) for (const h of this.hypernyms(s)) lists[h]!.push(s);
      this.hyponymLists = lists;
    }
    return this.hyponymLists[i]!;
  }

  /** Every ancestor up to the roots with its shortest distance (the synset itself at 0), nearest first. */
  ancestors(i: number): Map<number, number> {
    const dist = new Map<number, number>([[i, 0]]);
    const queue = [i];
    for (let k = 0; k < queue.length; k++) {
      const s = queue[k]!;
      for (const h of this.hypernyms(s)) {
        if (dist.has(h)) continue;
        dist.set(h, dist.get(s)! + 1);
        queue.push(h);
      }
    }
    return dist;
  }

  /** Whether synset `id` is `ancestorId` or below it ('n02099601' golden retriever is a 'n02084071' dog); false for unknown ids. */
  isA(id: string, ancestorId: string): boolean {
    const i = this.indexOf(id);
    const a = this.indexOf(ancestorId);
    return i !== null && a !== null && this.ancestors(i).has(a);
  }

  /** Whether a lower-case word or phrase (spaces between words) is a noun lemma as written. */
  isLemma(word: string): boolean {
    return bsearch(this.words, word) >= 0;
  }

  /** The noun lemmas a word or phrase may be an inflection of ('puppies' -> ['puppy'], 'geese' -> ['goose']). */
  baseForms(word: string): string[] {
    return nounBaseForms(normalizeWord(word), this.exceptions, (w) => this.isLemma(w));
  }

  /** The senses of a lemma as written (no morphology), or null when it is not a noun lemma. Rows are parsed once. */
  private lemmaSenses(lemma: string): Sense[] | null {
    const w = bsearch(this.words, lemma);
    if (w < 0) return null;
    let senses = this.parsedSenses.get(w);
    if (!senses) this.parsedSenses.set(w, (senses = this.parseSenses(w, lemma)));
    return senses;
  }

  private parseSenses(w: number, lemma: string): Sense[] {
    const parsed = this.senseRows[w]!.split(' ').map((cell) => {
      const colon = cell.indexOf(':');
      return colon < 0 ? [+cell, 0] : [+cell.slice(0, colon), +cell.slice(colon + 1)];
    });
    const top = Math.max(...parsed.map(([, c]) => c!));
    return parsed.map(([synset, count], k) => ({ synset: synset!, rank: k + 1, count: count!, weight: top > 0 ? (count! + 0.5) / (top + 0.5) : 1 / (k + 1), lemma }));
  }

  /** The noun senses of a word or phrase, most frequent first, through its base forms (the word itself first). */
  senses(word: string): Sense[] {
    const out: Sense[] = [];
    const seen = new Set<number>();
    for (const lemma of this.baseForms(word)) {
      for (const sense of this.lemmaSenses(lemma)!) {
        if (seen.has(sense.synset)) continue;
        seen.add(sense.synset);
        out.push(sense);
      }
    }
    return out;
  }

  /** How `lemma` means `synset`: its sense of the lemma (weight 1 = the lemma's most likely meaning), or null. */
  senseOf(synset: number, lemma: string): Sense | null {
    return this.lemmaSenses(normalizeWord(lemma))?.find((s) => s.synset === synset) ?? null;
  }

  /**
   * A common English word (not only a name): a noun written in lower case in some synset
   * ("china" the porcelain, "reading"), or an adjective, verb or adverb ("nice", "split").
   * "Paris" and "Lisbon" are not: WordNet writes them only capitalised.
   */
  isCommonWord(word: string): boolean {
    const w = normalizeWord(word);
    if (bsearch(this.otherWords, w) >= 0) return true;
    return (this.lemmaSenses(w) ?? []).some((s) => this.lemmas(s.synset).some((l) => l === w));
  }
}

/** Lower case, no diacritics, single spaces: how the lexicon keys its words. */
export function normalizeWord(word: string): string {
  // most words are plain ASCII: skip Unicode decomposition for them
  const folded = /^[\x20-\x7e]*$/.test(word) ? word.toLowerCase() : fold(word);
  return folded.replace(/[\s_]+/g, ' ').trim();
}

export const LEXICON_FILE = 'lexicon.json.gz';

const installed = installedData({
  path: `native-models/lexicon/${LEXICON_FILE}`,
  what: 'lexicon',
  rebuild: 'npx tsx native-models/recipes/build-lexicon.ts',
  error: LexiconFileError,
  read: (bytes) => new Lexicon(decodeLexicon(bytes)),
});

/** Reads a lexicon file (lexicon.json.gz). Errors say what is wrong and what to do. */
export const loadLexicon: (file: string) => Lexicon = installed.load;
/** native-models/lexicon/lexicon.json.gz of the installation (found walking up from `from`), or null. */
export const findLexiconFile: (from?: string) => string | null = installed.find;
/** The installation's lexicon, loaded on first use and kept. */
export const defaultLexicon: () => Lexicon = installed.shared;
