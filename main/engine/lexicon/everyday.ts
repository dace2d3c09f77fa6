// Words people use for what a classifier label shows that WordNet's hypernyms do not give
// ("mushroom" for a bolete, "beach" for a seashore): native-models/lexicon/everyday-words.json,
// hand-made, each entry checked against WordNet by the lexicon recipe and test/unit/search/documents.test.ts.
import { installedData } from '../installed';
import { LexiconFileError } from './lexicon-file';
import { messageOf } from '../../base/errors';

export interface EverydayLink {
  /** WordNet 3.0 noun synset of the label ('n13054560') */
  wnid: string;
  /** a lemma of that synset ('bolete') */
  lemma: string;
  /** the everyday words for it ('mushroom') */
  words: string[];
}

export const EVERYDAY_FILE = 'everyday-words.json';

/** Parses everyday-words.json: { links: [{ wnid, lemma, words }] }. */
export function parseEverydayTable(bytes: Buffer, file: string): EverydayLink[] {
  let links: unknown;
  try {
    links = (JSON.parse(bytes.toString('utf8')) as { links?: unknown }).links;
  } catch (e) {
    throw new LexiconFileError(`Cannot read the everyday words table ${file} (${messageOf(e)}). Reinstall Trove.`);
  }
  const ok = (l: unknown): l is EverydayLink => {
    const r = l as Partial<EverydayLink> | null;
    return /^n\d{8}$/.test(r?.wnid ?? '') && typeof r?.lemma === 'string' && Array.isArray(r.words) && r.words.length > 0 && r.words.every((w) => typeof w === 'string' && w.trim() === w && w.length > 0);
  };
  if (!Array.isArray(links) || !links.every(ok)) throw new LexiconFileError(`${file} must list { wnid, lemma, words } links. Reinstall Trove.`);
  return links;
}

const installed = installedData({
  path: `native-models/lexicon/${EVERYDAY_FILE}`,
  what: 'everyday words table',
  rebuild: 'npx tsx native-models/recipes/build-lexicon.ts',
  error: LexiconFileError,
  read: (bytes, file) => new Map(parseEverydayTable(bytes, file).map((l) => [l.wnid, l.words.map((w) => w.toLowerCase())])),
});

/** The everyday words for a label's synset ('n13054560' -> ['mushroom']); none for most. */
export function everydayWords(wnid: string): readonly string[] {
  return installed.shared().get(wnid) ?? [];
}
