// The lexicon's file (native-models/lexicon/lexicon.json.gz): WordNet 3.0's nouns, written
// by native-models/recipes/build-lexicon.ts and read by lexicon.ts. Each column is ONE
// string (rows joined by '\n'): JSON.parse then copies a few long strings instead of
// building ~400k small arrays (measured: 0.4-0.7 s for nested arrays on a loaded 2-core
// machine), and a row is decoded only when it is used. Synsets are referred to by their
// row (position); `words` is sorted so that a word is found by binary search.
import { gunzipSync, gzipSync } from 'node:zlib';
import { messageOf } from '../../base/errors';

export const LEXICON_FORMAT = 3;

export interface LexiconFile {
  format: number;
  /** where the data came from, e.g. "WordNet 3.0 (Debian wordnet-base 1:3.0-37)" */
  source: string;
  /** per synset, space-separated, ascending: its byte offset in data.noun (n02084071 -> 2084071) */
  offsets: string;
  /** per synset, one character: String.fromCharCode(48 + WordNet's lexicographer file number) */
  lexfiles: string;
  /** per synset ('\n'-separated rows): its lemmas as WordNet writes them, spaces for underscores, joined by '|' */
  lemmas: string;
  /** per synset (rows): its hypernyms (@) as space-separated synset rows; '' when none */
  hypernyms: string;
  /** per synset (rows): what it is an instance of (@i: "Paris" -> national capital); '' when none */
  instanceOf: string;
  /** index.noun's lemmas (rows), lower case with spaces, sorted by UTF-16 code units */
  words: string;
  /**
   * per word (rows): its synset rows by frequency, space-separated, each with ":count" when
   * WordNet's sense-tagged corpora used the word in that sense (cntlist.rev): "2121:42 70318 68550"
   */
  senses: string;
  /** noun.exc (rows): "inflected\tbase" ("geese\tgoose") */
  exceptions: string;
  /** single-word adjectives, verbs and adverbs, sorted, '\n'-separated: to tell a common word from a name */
  otherWords: string;
}

export class LexiconFileError extends Error {}

export function encodeLexicon(f: LexiconFile): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(f), 'utf8'), { level: 9 });
}

const COLUMNS = ['offsets', 'lexfiles', 'lemmas', 'hypernyms', 'instanceOf', 'words', 'senses', 'exceptions', 'otherWords'] as const;

export function decodeLexicon(gz: Uint8Array): LexiconFile {
  let f: LexiconFile;
  try {
    f = JSON.parse(gunzipSync(gz).toString('utf8')) as LexiconFile;
  } catch (e) {
    throw new LexiconFileError(`the lexicon file is not gzipped JSON (${messageOf(e)}); rebuild it with native-models/recipes/build-lexicon.ts`);
  }
  if (f?.format !== LEXICON_FORMAT) throw new LexiconFileError(`the lexicon file is format ${String(f?.format)}; this Trove reads format ${LEXICON_FORMAT}. Reinstall Trove or rebuild the file.`);
  for (const c of COLUMNS) if (typeof f[c] !== 'string') throw new LexiconFileError(`the lexicon file has no ${c} column; rebuild it with native-models/recipes/build-lexicon.ts`);
  return f;
}
