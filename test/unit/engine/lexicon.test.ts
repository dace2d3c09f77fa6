// The WordNet lexicon (native-models/lexicon, built from Debian's wordnet-base) and the
// label / query expansions designed to meet in the full-text index.
import { describe, expect, it } from 'vitest';
import { cocoClasses, cocoWnid } from '../../../main/engine/lexicon/coco';
import { expandLabel, expandQueryWord, indexWords, labelCoverage, QUERY_OVERRIDES, UNINFORMATIVE } from '../../../main/engine/lexicon/expand';
import { decodeLexicon, encodeLexicon } from '../../../main/engine/lexicon/lexicon-file';
import { findLexiconFile, loadLexicon } from '../../../main/engine/lexicon/lexicon';
import { nounBaseForms } from '../../../main/engine/lexicon/morphology';

const lex = loadLexicon(findLexiconFile() ?? 'native-models/lexicon/lexicon.json.gz');
const coverage = labelCoverage(lex, cocoClasses().map((c) => c.wnid));
const words = (xs: { word: string }[]) => xs.map((x) => x.word);
const weightOf = (xs: { word: string; weight: number }[], w: string) => xs.find((x) => x.word === w)?.weight ?? 0;

describe('the lexicon file', () => {
  it('holds all of WordNet 3.0 nouns', () => {
    expect(lex.size).toBe(82115);
    expect(lex.synset('n02084071')).toMatchObject({ lemmas: ['dog', 'domestic dog', 'Canis familiaris'], lexfile: 'animal', instance: false });
    expect(lex.synset('n08932568')).toMatchObject({ lemmas: expect.arrayContaining(['Paris']), instance: true });
    expect(lex.synset('n99999999')).toBeNull();
    expect(lex.synset('dog')).toBeNull();
  });

  it('a synset has its hypernym chain to the root and its direct hyponyms', () => {
    const dog = lex.indexOf('n02084071')!;
    const up = [...lex.ancestors(dog).keys()].map((i) => lex.lemmas(i)[0]);
    expect(up.slice(0, 3)).toEqual(['dog', 'canine', 'domestic animal']);
    expect(up).toEqual(expect.arrayContaining(['carnivore', 'mammal', 'animal', 'organism', 'entity']));
    expect(up[up.length - 1]).toBe('entity');
    const down = lex.hyponyms(dog).map((i) => lex.lemmas(i)[0]);
    expect(down).toEqual(expect.arrayContaining(['puppy', 'hunting dog', 'working dog', 'toy dog']));
    expect(lex.isA('n02099601', 'n02084071')).toBe(true); // golden retriever is a dog
    expect(lex.isA('n02084071', 'n02099601')).toBe(false);
    expect(lex.isA('n01530575', 'n01503061')).toBe(true); // brambling is a bird
  });

  it('refuses data that is not a lexicon, with what to do', () => {
    expect(() => decodeLexicon(Buffer.from('nope'))).toThrow(/build-lexicon/);
    const wrong = encodeLexicon({ format: 1 } as never);
    expect(() => decodeLexicon(wrong)).toThrow(/format 1/);
    expect(() => loadLexicon('/nonexistent/lexicon.json.gz')).toThrow(/build-lexicon/);
  });
});

describe('words -> senses, with WordNet morphology', () => {
  it.each([
    ['puppies', ['puppy']],
    ['boxes', ['box']],
    ['geese', ['goose']],
    ['mice', ['mouse']],
    ['children', ['child']],
    ['women', ['woman']],
    ['dogs', ['dog']],
    ['glasses', ['glasses', 'glass']], // a lemma of its own first
    ['Golden Retrievers', ['golden retriever']],
    ['bus', ['bus']],
    ['xyzzies', []],
  ])('%s -> %j', (word, forms) => {
    expect(lex.baseForms(word)).toEqual(forms);
  });

  it('morphology rules alone, on a toy vocabulary', () => {
    const known = new Set(['church', 'dish', 'fox', 'fly', 'man', 'pass']);
    const exc = new Map([['oxen', ['ox']]]);
    expect(nounBaseForms('churches', exc, (w) => known.has(w))).toEqual(['church']);
    expect(nounBaseForms('flies', exc, (w) => known.has(w))).toEqual(['fly']);
    expect(nounBaseForms('men', exc, (w) => known.has(w))).toEqual(['man']);
    expect(nounBaseForms('oxen', exc, (w) => known.has(w) || w === 'ox')).toEqual(['ox']);
    expect(nounBaseForms('pass', exc, (w) => known.has(w))).toEqual(['pass']);
  });

  it('senses come most likely first, weighted by WordNet tag counts', () => {
    const dog = lex.senses('dog');
    expect(lex.synset(dog[0]!.synset)!.id).toBe('n02084071');
    expect(dog[0]!.weight).toBe(1);
    expect(dog[1]!.weight).toBeLessThan(0.05); // "frump"
    const tv = lex.senses('tv');
    expect(lex.synset(tv[0]!.synset)!.lexfile).toBe('communication'); // broadcasting first
    expect(tv.map((s) => lex.synset(s.synset)!.id)).toContain('n04405907');
  });

  it('tells common words from names', () => {
    for (const w of ['china', 'reading', 'nice', 'split', 'bath', 'turkey', 'may', 'march']) expect(lex.isCommonWord(w)).toBe(true);
    for (const w of ['paris', 'lisbon', 'reykjavik', 'kyoto', 'iceland']) expect(lex.isCommonWord(w)).toBe(false);
  });
});

describe('COCO-80 -> WordNet', () => {
  it('names 80 classes, each an existing noun synset carrying the lemma the table says', () => {
    const classes = cocoClasses();
    expect(classes).toHaveLength(80);
    expect(new Set(classes.map((c) => c.name)).size).toBe(80);
    for (const c of classes) {
      const s = lex.synset(c.wnid);
      expect(s, `${c.name} -> ${c.wnid}`).not.toBeNull();
      expect(s!.lemmas.map((l) => l.toLowerCase()), c.name).toContain(c.lemma.toLowerCase());
      expect(s!.instance).toBe(false);
    }
  });

  it('picks the sense the detector means', () => {
    expect(cocoWnid('person')).toBe('n00007846');
    expect(cocoWnid('dog')).toBe('n02084071');
    expect(lex.synset(cocoWnid('tv')!)!.lemmas).toContain('television receiver');
    expect(lex.synset(cocoWnid('mouse')!)!.lemmas).toContain('computer mouse');
    expect(lex.synset(cocoWnid('orange')!)!.lexfile).toBe('food');
    expect(cocoWnid('unicorn')).toBeNull();
  });
});

describe('(a) expandLabel: index words of a label', () => {
  it('golden retriever -> itself, retriever, dog, canine, carnivore, mammal, animal, weights falling with distance', () => {
    const e = expandLabel(lex, 'n02099601', 'golden retriever');
    expect(words(e)).toEqual(expect.arrayContaining(['golden retriever', 'retriever', 'dog', 'canine', 'carnivore', 'mammal', 'animal']));
    const w = (x: string) => weightOf(e, x);
    expect(w('golden retriever')).toBe(1);
    expect(w('golden retriever')).toBeGreaterThan(w('retriever'));
    expect(w('retriever')).toBeGreaterThan(w('dog'));
    expect(w('dog')).toBeGreaterThan(w('mammal'));
    expect(w('mammal')).toBeGreaterThan(w('animal') - 0.1);
    expect(w('animal')).toBeGreaterThan(0);
  });

  it('stops before the uninformative roots and leaves out scientific names and rare senses', () => {
    const e = words(expandLabel(lex, 'n02099601'));
    for (const root of ['entity', 'physical entity', 'object', 'whole', 'organism', 'living thing']) expect(e).not.toContain(root);
    expect(e).not.toContain('canis familiaris');
    const person = words(expandLabel(lex, cocoWnid('person')!, 'person'));
    expect(person).toEqual(expect.arrayContaining(['person', 'individual', 'someone']));
    expect(person).not.toContain('soul'); // "soul" mostly means the psyche
    const tv = expandLabel(lex, cocoWnid('tv')!, 'tv');
    expect(words(tv)).toEqual(expect.arrayContaining(['tv', 'television receiver', 'television set']));
    expect(words(tv)).not.toContain('artifact');
    for (const id of UNINFORMATIVE) expect(lex.synset(id), id).not.toBeNull();
  });

  it('a COCO class resolves through the table (mouse = computer mouse), a plain word through its likeliest sense', () => {
    expect(words(expandLabel(lex, cocoWnid('mouse')!, 'mouse'))).toEqual(expect.arrayContaining(['mouse', 'computer mouse', 'electronic device']));
    expect(words(expandLabel(lex, 'mouse'))).toEqual(expect.arrayContaining(['mouse', 'rodent']));
    expect(expandLabel(lex, 'qwertyuiop')).toEqual([{ word: 'qwertyuiop', weight: 1, synset: null, distance: 0 }]);
  });

  it('indexWords keeps lemmas whose likeliest meaning the synset is', () => {
    expect(indexWords(lex, lex.indexOf('n02958343')!)).toEqual(['car', 'auto', 'automobile', 'motorcar']); // not "machine"
  });
});

describe('(b) expandQueryWord: what a typed word matches', () => {
  // [typed word, a word it must match with at least this weight, words it must not bring]
  it.each([
    ['puppy', 'dog', 0.5, ['person']],
    ['puppies', 'dog', 0.5, []],
    ['birds', 'bird', 1, []],
    ['people', 'person', 1, []],
    ['humans', 'person', 1, ['primate']],
    ['animals', 'animal', 1, []],
    ['automobile', 'car', 1, ['machine']],
    ['kitten', 'cat', 0.5, ['mammal']],
    ['geese', 'goose', 1, []],
    ['boxes', 'box', 1, ['container']],
    ['man', 'person', 0.5, []],
    ['girl', 'person', 0.5, []],
    ['baby', 'person', 0.5, []],
    ['sedan', 'car', 0.5, []],
    ['ship', 'vessel', 0.45, []], // a sibling of boat: two steps
    ['golden retriever', 'dog', 0.2, []],
    ['furniture', 'furniture', 1, []],
    ['vehicles', 'vehicle', 1, []],
    ['tv', 'television receiver', 0.1, []],
    ['mug', 'mug', 1, ['person']], // the gullible-person sense is not its first nor ever tagged: it does not climb
  ] as [string, string, number, string[]][])('%s -> %s (>= %f)', (typed, want, min, never) => {
    const e = expandQueryWord(lex, typed, coverage);
    expect(weightOf(e.labels, want)).toBeGreaterThanOrEqual(min);
    for (const n of never) expect(words(e.labels)).not.toContain(n);
    expect(e.labels[0]!.weight).toBe(1);
  });

  it('matches what expandLabel indexed: a bird species photo is found by "birds", a dog photo by "puppy" and "animals"', () => {
    const meet = (label: string, typed: string) => {
      const indexed = new Map(expandLabel(lex, label).map((x) => [x.word, x.weight]));
      return Math.max(0, ...expandQueryWord(lex, typed, coverage).labels.map((q) => (indexed.get(q.word) ?? 0) * q.weight));
    };
    expect(meet('n01530575', 'birds')).toBeGreaterThan(0.3); // brambling
    expect(meet(cocoWnid('dog')!, 'puppy')).toBeGreaterThan(0.5);
    expect(meet(cocoWnid('dog')!, 'animals')).toBeGreaterThan(0.5);
    expect(meet('n02099601', 'dog')).toBeGreaterThan(0.3);
    expect(meet(cocoWnid('person')!, 'people')).toBe(1);
    expect(meet(cocoWnid('cat')!, 'dog')).toBe(0);
    expect(meet(cocoWnid('hot dog')!, 'dog')).toBe(0);
    expect(meet(cocoWnid('car')!, 'boxes')).toBe(0);
  });

  it('a word WordNet does not know is kept as it is; overrides name real synsets', () => {
    expect(expandQueryWord(lex, 'selfie', coverage)).toEqual({ labels: [{ word: 'selfie', weight: 1, synset: null, relation: 'exact' }], synonyms: [], lemma: null });
    for (const [w, id] of Object.entries(QUERY_OVERRIDES)) expect(lex.synset(id), w).not.toBeNull();
  });
});

describe('(c) synonyms for notes', () => {
  it.each([
    ['automobile', 'car'],
    ['sunset', 'sundown'],
    ['baby', 'infant'],
  ])('%s -> %s, weaker than the word', (typed, syn) => {
    const s = expandQueryWord(lex, typed).synonyms;
    expect(weightOf(s, syn)).toBeGreaterThan(0.3);
    expect(weightOf(s, syn)).toBeLessThan(1);
  });
});
