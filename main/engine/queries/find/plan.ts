// What a Find query asks, once understood: groups of words to match (each group is one
// thing the user said, with alternatives such as synonyms or a broader word at a lower
// weight), exact phrases, the filters, and the text the embedding model reads.
import type { ItemKind } from '../../../contract/api';

export interface Alternative {
  /** one word or a short phrase, matched as a phrase in the full-text index */
  text: string;
  /** 1 for the user's own word; less for a synonym or a broader word */
  weight: number;
}

export interface TermGroup {
  /** the words as the user wrote them (for `why`) */
  said: string;
  alternatives: Alternative[];
  /** a quoted phrase: it must match as written (no alternatives) */
  exact?: boolean;
  /** a thing a photo can show: a photo's tags for it count more than a note's words */
  object?: boolean;
  /** a place of the library: photos taken there match it fully, text that names it less */
  place?: boolean;
}

export interface PlanFilters {
  kinds?: ItemKind[];
  sourceIds?: number[];
  /** epoch ms, inclusive; against the date taken, else the file's date */
  dateFrom?: number;
  dateTo?: number;
  /** months of every year (1 = January), for "in December", "in summer" */
  months?: number[];
  /** place names (as the places pass stores them): the item must be at one of them */
  places?: string[];
  /** only these items (the label filter) */
  onlyItems?: ReadonlySet<number>;
}

export interface SearchPlan {
  groups: TermGroup[];
  filters: PlanFilters;
  /** what the embedding model reads ('' when nothing is left to embed) */
  embedText: string;
  /** shown on results matched through a filter: `date: December 2022`, `place: Lisbon` */
  filterReasons: { kind: 'date' | 'place'; label: string }[];
}

/** Small words that say nothing about what to find. */
export const STOP_WORDS = new Set(
  (
    'a an the of in on at to from for with by and or my our your his her their its me i we you it is are was were be been this that these those ' +
    'some any all find show search get give look looking see want wanted where what which who whom when how there here about into onto near ' +
    'photo photos picture pictures pic pics image images note notes shot shots taken'
  ).split(' '),
);

/** The words of a text as term groups (no parsing): lower case, stop words dropped. */
export function plainGroups(text: string): TermGroup[] {
  const seen = new Set<string>();
  const groups: TermGroup[] = [];
  for (const w of text.toLowerCase().split(/[^\p{L}\p{N}'’]+/u)) {
    const word = w.replace(/['’]s$/, '').replace(/['’]/g, '');
    if (!word || STOP_WORDS.has(word) || seen.has(word)) continue;
    seen.add(word);
    groups.push({ said: word, alternatives: [{ text: word, weight: 1 }] });
  }
  return groups;
}
