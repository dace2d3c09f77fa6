// Background rarity of English words (WordNet's glosses): common words weigh less in a
// query than specific ones, even when one person's library makes them look rare.
import { describe, expect, it } from 'vitest';
import { countGlosses, defaultGenerality, Generality, generalityKey } from '../../../main/engine/lexicon/generality';
import { glossesOf } from '../../../native-models/recipes/build-word-generality';

describe('word generality', () => {
  it('counts each word once per gloss, plurals with their singular, rare words left out', () => {
    const counts = countGlosses(['a dog that barks at dogs', 'the dog of a neighbour', 'bread and dogs', 'sourdough bread']);
    expect(counts).toEqual({ dog: 3 });
    expect(generalityKey('Puppies')).toBe('puppy');
  });

  it('reads glosses from WordNet data lines, skipping the licence header', () => {
    const data = '  1 This software and database is being provided\n02084071 05 n 03 dog 0 domestic_dog 0 | a member of the genus Canis; "the dog barked"\n';
    expect([...glossesOf(data)]).toEqual(['a member of the genus Canis; "the dog barked"']);
  });

  it('weighs a common word below a specific one, between 0.3 and 1', () => {
    const g = new Generality({ format: 1, source: 't', glosses: 100_000, counts: { make: 3000, bread: 40 } });
    expect(g.weight('make')).toBeLessThan(0.7);
    expect(g.weight('bread')).toBe(1);
    expect(g.weight('zeppelin')).toBe(1);
    expect(g.weight('make bread')).toBe(1);
  });

  it('the installed table knows English: "make" and "things" are general, "receipt" and "sourdough" specific', () => {
    const g = defaultGenerality();
    for (const w of ['make', 'things']) expect(g.weight(w)).toBeLessThan(0.9);
    for (const w of ['receipt', 'sourdough', 'ticket']) expect(g.weight(w)).toBe(1);
  });
});
