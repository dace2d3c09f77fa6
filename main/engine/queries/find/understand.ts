// From the words a user typed to a search plan: the query parser (queries/parse) finds
// dates, places of this library, kinds and quoted phrases (filters) and the content words
// with their expansions (what to match); each content word becomes a term group whose
// alternatives are the word, its forms, the labels it covers and its synonyms.
import type { ParsedQuery as ParsedView } from '../../../contract/api';
import type { Coverage } from '../../lexicon/expand';
import type { Lexicon } from '../../lexicon/lexicon';
import { dateFilters, parseQuery } from '../parse/parse';
import type { LibraryPlace, ParsedQuery } from '../parse/types';
import type { Alternative, SearchPlan, TermGroup } from './plan';

export interface UnderstandContext {
  now: Date;
  /** chip ids the user removed: their words are plain text */
  ignore: readonly string[];
  lexicon: Lexicon | null;
  places: readonly LibraryPlace[];
  coverage?: Coverage;
}

/** Synonyms match note text by meaning: weaker than the word typed. */
const SYNONYM_SCALE = 0.8;

export function termGroups(q: ParsedQuery): TermGroup[] {
  const groups: TermGroup[] = q.phrases.map((p) => ({ said: p, alternatives: [{ text: p, weight: 1 }], exact: true }));
  // a place is a strong boost, not a filter: "train ticket to Porto" is a ticket photographed elsewhere
  const byLabel = new Map<string, string[]>();
  for (const p of q.places) byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p.name]);
  for (const [label, names] of byLabel) groups.push({ said: label, alternatives: [...new Set(names)].map((text) => ({ text, weight: 1 })), place: true });
  for (const w of q.words) {
    const alts = new Map<string, Alternative>();
    const add = (text: string, weight: number) => {
      const cur = alts.get(text);
      if (!cur || weight > cur.weight) alts.set(text, { text, weight });
    };
    add(w.said, 1);
    for (const l of w.labels) add(l.word, l.weight);
    for (const s of w.synonyms) add(s.word, s.weight * SYNONYM_SCALE);
    groups.push({ said: w.said, alternatives: [...alts.values()], object: w.object });
  }
  return groups;
}

export function understand(text: string, ctx: UnderstandContext): { plan: SearchPlan; parsed: ParsedView } {
  const q = parseQuery(text, { now: ctx.now, places: ctx.places, lexicon: ctx.lexicon, coverage: ctx.coverage }, { ignore: ctx.ignore });
  const filterReasons: SearchPlan['filterReasons'] = [];
  if (q.dateRange) filterReasons.push({ kind: 'date', label: q.dateRange.label });
  if (q.monthsOfYear) filterReasons.push({ kind: 'date', label: q.monthsOfYear.label });
  const plan: SearchPlan = {
    groups: termGroups(q),
    filters: {
      ...dateFilters(q),
      ...(q.monthsOfYear ? { months: q.monthsOfYear.months } : {}),
      ...(q.kinds ? { kinds: q.kinds } : {}),
    },
    embedText: q.text,
    filterReasons,
  };
  const chips = q.chips.map((c) => (c.kind === 'place' ? { ...c, effect: 'boost' as const } : c));
  return { plan, parsed: { text: q.text, chips } };
}
