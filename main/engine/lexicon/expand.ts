// Words for matching what a photo shows with what a person types, designed as two halves
// of one match:
// (a) expandLabel, at index time: a label (an ImageNet wnid, a COCO class, a word) ->
//     the words of its synset and of every hypernym up to the uninformative roots, with
//     weights that fall with distance ("golden retriever" 1, "retriever" 0.8, ... "dog"
//     0.41, ... "animal" 0.21). Put them in the tag column of the full-text index.
// (b) expandQueryWord, at query time: a typed word -> the same kind of words, for the
//     labels it covers: itself and its base form ("puppies" -> "puppy"), the index words of
//     its likely senses, and for a sense below every label ("puppy", "kitten", "sedan") the
//     index words of the nearest label above it ("dog", "domestic cat", "car"). Since (a)
//     already put "bird" on every bird species, "birds" needs only "bird".
// (c) the same call gives synonyms ("automobile" -> "car", "auto") as weaker terms, for
//     matching note text by meaning.
// Both halves use indexWords(), so a sense's words on the query side are exactly the words
// that sense put on photos.
import type { Lexicon, Sense } from './lexicon';
import { normalizeWord } from './lexicon';

export interface WeightedWord {
  /** lower case, spaces between words ('golden retriever') */
  word: string;
  weight: number;
  /** the synset it names ('n02099601'); null for a typed word not in WordNet */
  synset: string | null;
}

export interface LabelWord extends WeightedWord {
  /** hypernym steps from the label's own synset (0 = its own words) */
  distance: number;
}

export interface QueryWord extends WeightedWord {
  /**
   * exact: as typed; form: its base form ("puppies" -> "puppy"); sense: another index word
   * of one of its senses ("automobile" -> "car"); broader: a word of the synset above a sense
   * no label reaches ("puppy" -> "dog")
   */
  relation: 'exact' | 'form' | 'sense' | 'broader';
}

export interface QueryExpansion {
  /** words to match against the tag column filled by expandLabel (includes the word itself) */
  labels: QueryWord[];
  /** other words of the same meaning, weaker: for matching note text by meaning */
  synonyms: WeightedWord[];
  /** the lemma the word was read as, null when WordNet has no such noun */
  lemma: string | null;
}

/** Weight kept per hypernym step at index time. */
export const LABEL_DECAY = 0.8;
/** Weight kept per step a query sense climbs to reach a label. */
export const CLIMB_DECAY = 0.7;
/** How many steps a query sense may climb to reach a label ("golden retriever" > retriever > sporting dog > hunting dog > dog). */
export const MAX_CLIMB = 4;
/** Only a sense at least this likely may climb (so "puppy" the young person does not become "person"), and only a word's first sense or one the tagged corpora saw. */
export const MIN_CLIMB_SENSE = 0.5;
/**
 * A query sense may match its siblings through their parent only when the parent has at
 * most this many labels directly below it: "ship" -> vessel (above "boat"), but "beach" not
 * -> geological formation (above cliff, valley, volcano, seashore, ...).
 */
export const MAX_SIBLINGS = 3;
/** Senses less likely than this (relative to the word's likeliest) are ignored. */
export const MIN_SENSE_WEIGHT = 0.1;
/** A lemma names a synset in the index only when that synset is (about) its likeliest meaning. */
export const MIN_INDEX_SENSE = 0.5;
/** Synonyms are weaker than the word typed. */
export const SYNONYM_WEIGHT = 0.7;

/**
 * Hypernyms whose words say nothing a search can use: every photo of a thing is under them
 * (entity, physical entity, object, whole, artifact, instrumentality, living thing,
 * organism, matter, substance), they are technical classes nobody searches by (durables,
 * consumer goods, commodity, natural object, flat solid), or their everyday meaning is
 * another (thing, article, creation, product, way, part, solid, sheet). Label expansion
 * stops at them (nothing above them is used either) and a query never climbs to them.
 */
export const UNINFORMATIVE: readonly string[] = [
  'n00001740', // entity
  'n00001930', // physical entity
  'n00002137', // abstraction
  'n00002452', // thing
  'n00002684', // object, physical object
  'n00003553', // whole, unit
  'n00004258', // living thing
  'n00004475', // organism, being
  'n00007347', // causal agent
  'n00019128', // natural object
  'n00019613', // substance
  'n00020827', // matter
  'n00021939', // artifact
  'n00022903', // article
  'n00023100', // psychological feature
  'n00024264', // attribute
  'n00031264', // group
  'n00031921', // relation
  'n00033020', // communication
  'n00033615', // measure, quantity
  'n03076708', // commodity, trade good
  'n03093574', // consumer goods
  'n03129123', // creation
  'n03257877', // durables
  'n03575240', // instrumentality
  'n03748886', // merchandise, product
  'n03892891', // part, portion
  'n04188643', // sheet, flat solid
  'n04550840', // ware
  'n04564698', // way
  'n15046900', // solid
];

/**
 * Covered but too broad to climb to or through: a query for "kitten" should not become
 * every mammal, nor "boxes" every container. (A query for "animal" or "container" still
 * matches all of them: it names that synset itself.)
 */
const TOO_BROAD_TO_CLIMB = [
  'n00015388', // animal
  'n01466257', // chordate
  'n01471682', // vertebrate
  'n01861778', // mammal
  'n01886756', // placental
  'n01321854', // young mammal
  'n03094503', // container
  'n03183080', // device
  'n03294048', // equipment
  'n03563967', // implement
  'n03122748', // covering
  'n04341686', // structure
];

const PERSON = 'n00007846';

/**
 * Query words whose usual meaning WordNet files elsewhere or links to nothing a label
 * reaches: "people" is a group in WordNet but means persons in a search; young animals
 * are under "young mammal", not under their species.
 */
export const QUERY_OVERRIDES: Readonly<Record<string, string>> = {
  people: PERSON,
  folks: PERSON,
  folk: PERSON,
  human: PERSON,
  humans: PERSON,
  kitten: 'n02121808', // domestic cat
  kittens: 'n02121808',
  kitty: 'n02121808',
  foal: 'n02374451', // horse
  foals: 'n02374451',
  calf: 'n02402425', // cattle
  calves: 'n02402425',
  lamb: 'n02411705', // sheep
  lambs: 'n02411705',
};

interface Prepared {
  uninformative: Set<number>;
  noClimb: Set<number>;
  /** memos: a library has a few thousand distinct labels at most */
  indexWords: Map<number, string[]>;
  labels: Map<string, LabelWord[]>;
}
const prepared = new WeakMap<Lexicon, Prepared>();

function prep(lex: Lexicon): Prepared {
  let p = prepared.get(lex);
  if (!p) {
    const ids = (xs: readonly string[]) => new Set(xs.map((x) => lex.indexOf(x)).filter((i): i is number => i !== null));
    const uninformative = ids(UNINFORMATIVE);
    p = { uninformative, noClimb: new Set([...uninformative, ...ids(TOO_BROAD_TO_CLIMB)]), indexWords: new Map(), labels: new Map() };
    prepared.set(lex, p);
  }
  return p;
}

/**
 * The words a synset puts in the index: each lemma (lower case) whose likeliest meaning it
 * is (sense weight >= MIN_INDEX_SENSE: "tv" is mostly broadcasting, so the television
 * receiver's words are "television receiver", "television set", "tv set"...). A synset none
 * of whose lemmas qualify keeps its likeliest one, so that every synset has a word.
 */
export function indexWords(lex: Lexicon, synset: number): string[] {
  const memo = prep(lex).indexWords;
  let words = memo.get(synset);
  if (!words) memo.set(synset, (words = computeIndexWords(lex, synset)));
  return words;
}

function computeIndexWords(lex: Lexicon, synset: number): string[] {
  const lemmas = lex.lemmas(synset);
  const scored = lemmas.map((l) => ({ w: normalizeWord(l), s: lex.senseOf(synset, l)?.weight ?? 0, proper: /^[A-Z]/.test(l) && l !== lemmas[0] }));
  // capitalised scientific names ("Canis familiaris") are left out unless they are the synset's first lemma ("Frisbee")
  const kept = scored.filter((x) => x.s >= MIN_INDEX_SENSE && !x.proper).map((x) => x.w);
  if (kept.length) return [...new Set(kept)];
  return [scored.reduce((a, b) => (b.s > a.s ? b : a)).w];
}

/** The synset a label names: a wnid ('n02099601'), else the dominant sense of a word or phrase; null when unknown. */
export function labelSynset(lex: Lexicon, label: string): number | null {
  if (/^n\d{8}$/.test(label)) return lex.indexOf(label);
  return lex.senses(label)[0]?.synset ?? null;
}

/**
 * (a) The index words of a label: its own name (weight 1), its synset's words, then each
 * hypernym's words at LABEL_DECAY^distance, stopping at UNINFORMATIVE synsets. `label` is a
 * wnid or a word; give `name` (the classifier's or detector's class name, e.g. 'tv') to
 * index that exact name too. A word for a detector class should be resolved through the
 * COCO table first (cocoWnid), since 'mouse' there is the computer mouse.
 */
export function expandLabel(lex: Lexicon, label: string, name?: string): LabelWord[] {
  const memo = prep(lex).labels;
  const key = `${label}\t${name ?? ''}`;
  let words = memo.get(key);
  if (!words) memo.set(key, (words = computeLabel(lex, label, name)));
  return words.map((w) => ({ ...w }));
}

function computeLabel(lex: Lexicon, label: string, name?: string): LabelWord[] {
  const out = new Map<string, LabelWord>();
  const add = (w: LabelWord) => {
    const cur = out.get(w.word);
    if (!cur || w.weight > cur.weight) out.set(w.word, w);
  };
  const root = labelSynset(lex, label);
  const own = name ?? (/^n\d{8}$/.test(label) ? null : label);
  if (own) add({ word: normalizeWord(own), weight: 1, synset: root === null ? null : lex.synset(root)!.id, distance: 0 });
  if (root === null) return [...out.values()];
  const { uninformative } = prep(lex);
  const dist = new Map<number, number>([[root, 0]]);
  const queue = [root];
  for (let k = 0; k < queue.length; k++) {
    const s = queue[k]!;
    const d = dist.get(s)!;
    const id = lex.synset(s)!.id;
    for (const word of indexWords(lex, s)) add({ word, weight: LABEL_DECAY ** d, synset: id, distance: d });
    for (const h of lex.hypernyms(s)) {
      if (dist.has(h) || uninformative.has(h)) continue;
      dist.set(h, d + 1);
      queue.push(h);
    }
  }
  return [...out.values()].sort((a, b) => b.weight - a.weight || a.word.localeCompare(b.word));
}

/** What the labels of a library's passes can match. */
export interface Coverage {
  /** the label synsets themselves */
  labels: ReadonlySet<number>;
  /**
   * their direct hypernyms with how many labels each has below it directly ("vessel" above
   * "boat"): a query sense one step below a parent of few labels is a sibling of a label ("ship")
   */
  parents: ReadonlyMap<number, number>;
  /** labels and all their hypernyms except the uninformative: a query sense here is matched by the index words as it is */
  covered: ReadonlySet<number>;
}

/** The coverage of a set of label synsets (wnids; unknown ids are skipped). */
export function labelCoverage(lex: Lexicon, wnids: Iterable<string>): Coverage {
  const { uninformative } = prep(lex);
  const labels = new Set<number>();
  const parents = new Map<number, number>();
  const covered = new Set<number>();
  for (const id of wnids) {
    const i = lex.indexOf(id);
    if (i === null || labels.has(i)) continue;
    labels.add(i);
    for (const h of lex.hypernyms(i)) if (!uninformative.has(h)) parents.set(h, (parents.get(h) ?? 0) + 1);
    const queue = [i];
    for (let k = 0; k < queue.length; k++) {
      const s = queue[k]!;
      if (covered.has(s) || uninformative.has(s)) continue;
      covered.add(s);
      queue.push(...lex.hypernyms(s));
    }
  }
  return { labels, parents, covered };
}

/**
 * Where a sense no label covers climbs to: a person-file sense ("girl", "baby") to person;
 * else the nearest label at most MAX_CLIMB hypernym steps up ("puppy" -> dog, "sedan" ->
 * car); else the parent of at most MAX_SIBLINGS labels one step up, weighed as two steps
 * ("ship" -> vessel, above "boat"). Never through broad classes (TOO_BROAD_TO_CLIMB): a
 * sense that reaches only "container" or "mammal" stays as it is.
 */
function climb(lex: Lexicon, s: number, cov: Coverage, noClimb: ReadonlySet<number>): { synset: number; steps: number } | null {
  // WordNet files people deep under person ("girl" > woman > female > adult > person); they are all persons
  const person = lex.indexOf(PERSON);
  if (person !== null && cov.labels.has(person) && lex.synset(s)!.lexfile === 'person') return { synset: person, steps: 1 };
  let level = [s];
  const seen = new Set(level);
  for (let steps = 1; steps <= MAX_CLIMB; steps++) {
    const next: number[] = [];
    for (const x of level) {
      for (const h of lex.hypernyms(x)) {
        if (seen.has(h) || noClimb.has(h)) continue;
        seen.add(h);
        next.push(h);
      }
    }
    const hit = next.find((h) => cov.labels.has(h));
    if (hit !== undefined) return { synset: hit, steps };
    // a sibling of a label: up to the parent and down again, so it weighs as two steps
    const parent = steps === 1 ? next.find((h) => (cov.parents.get(h) ?? Infinity) <= MAX_SIBLINGS) : undefined;
    if (parent !== undefined) return { synset: parent, steps: 2 };
    level = next;
  }
  return null;
}

/**
 * (b) and (c): what a typed word or phrase matches. `coverage` is labelCoverage() of the
 * labels the library's passes can give (without it every sense counts as covered and none
 * climbs). Words are lower case; weights are at most 1 and each word appears once.
 */
export function expandQueryWord(lex: Lexicon, typed: string, coverage?: Coverage): QueryExpansion {
  const word = normalizeWord(typed);
  const labels = new Map<string, QueryWord>();
  const add = (w: QueryWord) => {
    const cur = labels.get(w.word);
    if (!cur || w.weight > cur.weight) labels.set(w.word, w);
  };
  const synonyms = new Map<string, WeightedWord>();
  const { noClimb } = prep(lex);
  const isCovered = (s: number) => (coverage ? coverage.covered.has(s) : true);

  const override = QUERY_OVERRIDES[word];
  const senses: Sense[] = override ? [{ synset: lex.indexOf(override)!, rank: 1, count: 0, weight: 1, lemma: word }] : lex.senses(word);
  add({ word, weight: 1, synset: senses[0] ? lex.synset(senses[0].synset)!.id : null, relation: 'exact' });
  // base forms: a plain inflection ("puppies") is the same word; a lemma of its own ("glasses") only resembles its stem
  const forms = override ? [] : lex.baseForms(word).filter((f) => f !== word);
  const formWeight = lex.isLemma(word) ? SYNONYM_WEIGHT : 1;
  for (const f of forms) add({ word: f, weight: formWeight, synset: lex.synset(lex.senses(f)[0]!.synset)!.id, relation: 'form' });

  for (const sense of senses) {
    if (sense.weight < MIN_SENSE_WEIGHT) continue;
    const id = lex.synset(sense.synset)!.id;
    if (sense.weight >= MIN_INDEX_SENSE) {
      for (const w of indexWords(lex, sense.synset)) if (w !== word) synonyms.set(w, { word: w, weight: Math.max(synonyms.get(w)?.weight ?? 0, SYNONYM_WEIGHT * sense.weight), synset: id });
    }
    if (isCovered(sense.synset)) {
      for (const w of indexWords(lex, sense.synset)) add({ word: w, weight: sense.weight, synset: id, relation: 'sense' });
      continue;
    }
    const mayClimb = sense.weight >= MIN_CLIMB_SENSE && (sense.rank === 1 || sense.count > 0);
    const up = coverage && mayClimb ? climb(lex, sense.synset, coverage, noClimb) : null;
    if (!up) continue;
    const upId = lex.synset(up.synset)!.id;
    for (const w of indexWords(lex, up.synset)) add({ word: w, weight: sense.weight * CLIMB_DECAY ** up.steps, synset: upId, relation: 'broader' });
  }
  const byWeight = <T extends WeightedWord>(a: T, b: T) => b.weight - a.weight || a.word.localeCompare(b.word);
  return { labels: [...labels.values()].sort(byWeight), synonyms: [...synonyms.values()].sort(byWeight), lemma: senses[0]?.lemma ?? null };
}
