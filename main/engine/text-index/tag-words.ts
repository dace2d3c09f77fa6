// The words a pass's tag puts in the full-text index, with how closely each names it: the
// tag itself and its synonyms (1), then broader words from WordNet at 0.8 a step
// ("golden retriever" -> retriever 0.8, ... dog 0.41, ... animal 0.21; the lexicon's
// expandLabel), and the everyday words WordNet does not link (a bolete is a mushroom), so a
// query names the thing at any level. Faces and people get the words people use for photos
// of them.
import { expandLabel, LABEL_DECAY } from '../lexicon/expand';
import { everydayWords } from '../lexicon/everyday';
import { cocoWnid } from '../lexicon/coco';
import type { Lexicon } from '../lexicon/lexicon';
import { DOCUMENT_WORDS } from '../passes/document-kinds';
import type { TaggedRow, TagWords, WeightedTagWord } from './documents';

/**
 * A classifier label is indexed when at least this probable, its broader words from a
 * little more: an unlikely label ranks low (its strength follows its probability) but a
 * photo the classifier is unsure of is still found by it.
 */
export const LABEL_MIN = 0.05;
const BROADER_MIN = 0.1;
/** A face this large a share of the photo, alone, makes it a selfie or a portrait. */
const SELFIE_FACE_SHARE = 0.04;

const own = (...words: string[]): WeightedTagWord[] => words.map((word) => ({ word: word.toLowerCase(), weight: 1 }));

export function tagWordsWith(lexicon: Lexicon | null): TagWords {
  const expand = (label: string, name: string): WeightedTagWord[] => {
    if (!lexicon) return own(name);
    const words: WeightedTagWord[] = [];
    for (const w of expandLabel(lexicon, label, name)) {
      words.push({ word: w.word, weight: w.weight });
      const head = w.synset ? headNoun(lexicon, w.word, w.synset) : null;
      if (head) words.push({ word: head, weight: w.weight });
    }
    // what people call it where WordNet's hypernyms are silent (a bolete is a mushroom), one step up
    if (/^n\d{8}$/.test(label)) for (const word of everydayWords(label)) words.push({ word, weight: LABEL_DECAY });
    return words.length ? words : own(name);
  };
  return (t: TaggedRow): WeightedTagWord[] => {
    switch (t.pass) {
      case 'labels': {
        if (t.score < LABEL_MIN) return [];
        // a species from a bird or insect model: "Blue Jay (Cyanocitta cristata)"
        const species = /^(.*) \((.*)\)$/.exec(t.tag);
        if (species) return own(species[1]!, species[2]!);
        if (!t.ref || t.score < BROADER_MIN) return own(t.tag);
        return expand(t.ref, t.tag);
      }
      case 'objects':
        if (t.tag === 'person') return [...own('person', 'people'), ...(t.count >= 3 ? own('group', 'crowd') : [])];
        return expand(cocoWnid(t.tag) ?? t.tag, t.tag);
      case 'faces': {
        const words = own('face', 'person', 'people');
        if (t.count === 1 && Number(t.ref) >= SELFIE_FACE_SHARE) words.push(...own('selfie', 'portrait'));
        if (t.count >= 3) words.push(...own('group', 'group photo'));
        return words;
      }
      case 'text':
        return own(...(DOCUMENT_WORDS[t.tag] ?? [t.tag]));
      default:
        return own(t.tag);
    }
  };
}

/**
 * The last word of a compound when the compound is a kind of it ("solid food" is food,
 * "golden retriever" a retriever), else null ("hot dog" is no dog, "sea lion" no lion):
 * compounds are single tokens of the index, so their head word is indexed only when true.
 */
function headNoun(lexicon: Lexicon, compound: string, synsetId: string): string | null {
  const words = compound.split(' ');
  if (words.length < 2) return null;
  const head = words[words.length - 1]!;
  const synset = lexicon.indexOf(synsetId);
  if (synset === null) return null;
  const ancestors = lexicon.ancestors(synset);
  return lexicon.senses(head).some((s) => ancestors.has(s.synset)) ? head : null;
}
