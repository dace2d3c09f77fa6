// How general a word is in English, from how many of WordNet's 117,000 glosses use it:
// "make", "things", "often" appear in thousands, "bread" in a hundred, "sourdough" in two.
// Within one person's library a common word can look rare (four notes say "make"), so
// query words are weighted by this background rarity as well as by the library's own
// (native-models/lexicon/word-generality.json.gz, built by build-word-generality.ts).
import { gunzipSync, gzipSync } from 'node:zlib';
import { installedData } from '../installed';
import { LexiconFileError } from './lexicon-file';
import { fold } from '../text/fold';
import { messageOf } from '../../base/errors';

export const GENERALITY_FILE = 'native-models/lexicon/word-generality.json.gz';

export interface GeneralityFile {
  format: 1;
  /** where the counts came from */
  source: string;
  /** how many glosses were counted */
  glosses: number;
  /** word -> number of glosses using it (words used in fewer than 3 are left out) */
  counts: Record<string, number>;
}

/** The key a word is counted under: folded, letters only, a plain plural's s dropped. */
export function generalityKey(word: string): string {
  const w = fold(word).replace(/[^a-z]/g, '');
  if (w.length > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) return w.slice(0, -1);
  return w;
}

/** Counts, per word, the glosses that use it. */
export function countGlosses(glosses: Iterable<string>): GeneralityFile['counts'] & { _n?: never } {
  const counts: Record<string, number> = {};
  for (const g of glosses) {
    const seen = new Set(g.split(/[^A-Za-z'’-]+/).map(generalityKey).filter((k) => k.length > 1));
    for (const k of seen) counts[k] = (counts[k] ?? 0) + 1;
  }
  for (const k of Object.keys(counts)) if (counts[k]! < 3) delete counts[k];
  return counts;
}

export function encodeGenerality(f: GeneralityFile): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(f), 'utf8'), { level: 9 });
}

export class Generality {
  constructor(private readonly f: GeneralityFile) {}

  /**
   * A weight in [MIN, 1] for a query word: 1 for words few glosses use (specific words,
   * names, typos), falling with the log of how many use them ("make" ~0.4).
   */
  weight(word: string): number {
    const parts = word.split(/\s+/).filter(Boolean);
    if (parts.length > 1) return Math.max(...parts.map((p) => this.weight(p)));
    const n = this.f.counts[generalityKey(word)] ?? 0;
    const idf = Math.log(this.f.glosses / (1 + n));
    return Math.min(1, Math.max(MIN_WEIGHT, idf / SPECIFIC_IDF));
  }
}

/** A word used by fewer than ~1 in 500 glosses counts fully. */
const SPECIFIC_IDF = Math.log(500);
const MIN_WEIGHT = 0.3;

const installed = installedData<Generality>({
  path: GENERALITY_FILE,
  what: 'word generality table',
  rebuild: 'npx tsx native-models/recipes/build-word-generality.ts',
  error: LexiconFileError,
  read: (bytes, file) => {
    let f: GeneralityFile;
    try {
      f = JSON.parse(gunzipSync(bytes).toString('utf8')) as GeneralityFile;
    } catch (e) {
      throw new LexiconFileError(`Cannot read ${file} (${messageOf(e)}). Reinstall Trove.`);
    }
    if (f.format !== 1 || !(f.glosses > 0) || typeof f.counts !== 'object') throw new LexiconFileError(`${file} is not a word generality table this Trove reads. Reinstall Trove.`);
    return new Generality(f);
  },
});

/** The installation's table, loaded on first use. */
export function defaultGenerality(): Generality {
  return installed.shared();
}
