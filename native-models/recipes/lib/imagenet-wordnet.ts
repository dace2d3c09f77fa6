// WordNet 3.0 noun synset ids for ImageNet-1k class names. The label files that ship with
// ImageNet models often give names only ("tench, Tinca tinca"); the standard class order is
// by ascending wnid, so the synset offsets must increase with the class index. Each class is
// matched to the noun synsets that have its names as lemmas (Trove's lexicon,
// main/engine/lexicon), and the increasing assignment that matches the most classes is
// picked by dynamic programming (a weighted longest increasing subsequence over the
// candidates, with a Fenwick tree of prefix maxima). Among assignments matching as many
// classes, it prefers per class, in this order: a synset whose lemmas are exactly the class's
// names in order (ImageNet's names are its synsets' lemma lists), whose first lemma is the
// class's first name, with more of the names, and the more frequent sense of the first name.
import type { Lexicon } from '../../../main/engine/lexicon/lexicon';
import { normalizeWord } from '../../../main/engine/lexicon/lexicon';

/** What the assignment needs of the lexicon (synset positions increase with the offset). */
export type WnidLexicon = Pick<Lexicon, 'senses' | 'lemmas' | 'synset'>;

export interface WnidAssignment {
  /** per class, the chosen wnid (undefined: unmatched) */
  wnids: (string | undefined)[];
  /** classes no synset matched, or whose candidates (or pin) the increasing order ruled out */
  unmatched: number[];
  /** classes with more than one candidate synset before the order constraint */
  ambiguous: number[];
  /** classes where another candidate matching the names as well fits between the neighbours: decided by a pin or by sense frequency alone */
  unresolved: number[];
}

interface Candidate {
  /** the synset's position in the lexicon (increases with its offset) */
  synset: number;
  /** how well the synset's lemmas match the class's names (0..9900), sense order aside */
  fit: number;
  /** 0..49, more for a more frequent sense of the class's first name */
  sense: number;
}

/** Lexicographic: exact lemma list, first lemma, share of the names found (in steps of >= 100 for up to 9 names). */
function nameFit(names: readonly string[], lemmas: readonly string[]): number {
  const exact = names.length === lemmas.length && names.every((n, k) => lemmas[k] === n);
  const matched = names.filter((n) => lemmas.includes(n)).length;
  return (exact ? 6000 : 0) + (lemmas[0] === names[0] ? 3000 : 0) + Math.round((900 * matched) / names.length);
}

/** The class's candidate synsets: every noun synset that has one of its names as a lemma (no inflection). */
function candidates(names: readonly string[], lex: WnidLexicon): Candidate[] {
  if (!names.length) return [];
  const norm = names.map(normalizeWord);
  const rank = new Map(lex.senses(norm[0]!).filter((s) => s.lemma === norm[0]).map((s) => [s.synset, s.rank]));
  const seen = new Map<number, Candidate>();
  for (const n of norm) {
    for (const s of lex.senses(n)) {
      if (s.lemma !== n || seen.has(s.synset)) continue;
      const r = rank.get(s.synset);
      seen.set(s.synset, { synset: s.synset, fit: nameFit(norm, lex.lemmas(s.synset).map(normalizeWord)), sense: r === undefined ? 0 : Math.max(0, 49 - 5 * (r - 1)) });
    }
  }
  return [...seen.values()];
}

/**
 * `classes[i]` are the names of class i (synonyms, first the main one); classes that must not
 * be matched (e.g. a 'background' class) are given as []. Returns the increasing assignment.
 */
export function assignWnids(
  classes: readonly (readonly string[])[],
  lex: WnidLexicon,
  /** class index -> wnid decided by hand: the class's only candidate (it must be one of them) */
  pinned: ReadonlyMap<number, string> = new Map(),
): WnidAssignment {
  const idOf = (synset: number) => lex.synset(synset)!.id;
  const all = classes.map((names) => candidates(names, lex));
  const cands = all.map((cs, i) => {
    const pin = pinned.get(i);
    if (pin === undefined) return cs;
    const hit = cs.filter((c) => idOf(c.synset) === pin);
    if (!hit.length) throw new Error(`class ${i} (${classes[i]!.join(', ')}) is pinned to ${pin}, which is not among its synsets (${cs.map((c) => idOf(c.synset)).join(', ') || 'none'})`);
    return hit;
  });

  // One more class outweighs any sum of tie-breaks (< 1e4 per class, 1,000 classes).
  const scoreOf = (c: Candidate): number => 1e7 + c.fit + c.sense;
  const positions = [...new Set(cands.flat().map((c) => c.synset))].sort((a, b) => a - b);
  const rank = new Map(positions.map((o, r) => [o, r + 1]));
  const tree = new PrefixMax(positions.length);
  // nodes: (class, candidate) with the predecessor node of the best chain ending in it
  const nodes: { cls: number; cand: Candidate; prev: number }[] = [];
  for (let i = 0; i < classes.length; i++) {
    const pending = cands[i]!.map((c) => {
      const best = tree.query(rank.get(c.synset)! - 1);
      nodes.push({ cls: i, cand: c, prev: best.id });
      return { r: rank.get(c.synset)!, value: best.value + scoreOf(c), id: nodes.length - 1 };
    });
    // Added after the whole class so two candidates of one class never chain.
    for (const p of pending) tree.update(p.r, p.value, p.id);
  }
  const chosen: (Candidate | undefined)[] = new Array(classes.length).fill(undefined);
  for (let id = tree.query(positions.length).id; id >= 0; id = nodes[id]!.prev) chosen[nodes[id]!.cls] = nodes[id]!.cand;

  const unmatched: number[] = [];
  const ambiguous: number[] = [];
  const unresolved: number[] = [];
  for (let i = 0; i < classes.length; i++) {
    const mine = chosen[i];
    if (!classes[i]!.length) continue;
    if (!mine) {
      unmatched.push(i);
      continue;
    }
    if (all[i]!.length > 1) ambiguous.push(i);
    const lo = chosen.slice(0, i).reduce<number>((m, c) => (c ? Math.max(m, c.synset) : m), -1);
    const hi = chosen.slice(i + 1).find((c) => c)?.synset ?? Infinity;
    if (all[i]!.some((c) => c.synset !== mine.synset && c.synset > lo && c.synset < hi && c.fit >= mine.fit)) unresolved.push(i);
  }
  return { wnids: chosen.map((c) => (c ? idOf(c.synset) : undefined)), unmatched, ambiguous, unresolved };
}

/** Fenwick tree of prefix maxima over ranks 1..n, each value carrying the id it came from. */
class PrefixMax {
  private readonly value: number[];
  private readonly id: number[];
  constructor(private readonly n: number) {
    this.value = new Array<number>(n + 1).fill(0);
    this.id = new Array<number>(n + 1).fill(-1);
  }
  update(r: number, value: number, id: number): void {
    for (let k = r; k <= this.n; k += k & -k) {
      if (value > this.value[k]!) {
        this.value[k] = value;
        this.id[k] = id;
      }
    }
  }
  /** max over ranks 1..r (value 0, id -1 when empty) */
  query(r: number): { value: number; id: number } {
    let value = 0;
    let id = -1;
    for (let k = r; k > 0; k -= k & -k) {
      if (this.value[k]! > value) {
        value = this.value[k]!;
        id = this.id[k]!;
      }
    }
    return { value, id };
  }
}
