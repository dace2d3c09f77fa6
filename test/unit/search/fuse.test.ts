// Fused ranking (pure): the share of the query's words an item matches, weighted by
// rarity and by how strong each match is, plus the embedding calibrated per kind.
import { describe, expect, it } from 'vitest';
import type { EmbeddingHit } from '../../../main/engine/queries/find/embedding-signal';
import { documentFrequencies, fuse, idfOf, isStrong } from '../../../main/engine/queries/find/fuse';
import type { TermGroup } from '../../../main/engine/queries/find/plan';
import { normWord, sameWords, tagEvidence } from '../../../main/engine/queries/find/tag-evidence';
import type { ItemMatches } from '../../../main/engine/queries/find/text-matches';
import type { TaggedRow } from '../../../main/engine/text-index/documents';
import { tagWordsWith } from '../../../main/engine/text-index/tag-words';

const g = (said: string, ...alts: [string, number][]): TermGroup => ({ said, alternatives: [{ text: said, weight: 1 }, ...alts.map(([text, weight]) => ({ text, weight }))] });
const words = tagWordsWith(null);
const hit = (itemId: number, kind: 'image' | 'note', z: number): EmbeddingHit => ({ itemId, kind, chunkId: null, sim: 0.3, z });

describe('fused ranking', () => {
  it('a photo whose text says all the words beats a note that says one, whatever their kinds', () => {
    const groups = [g('bike'), g('shop'), g('receipt')];
    const text = new Map<number, ItemMatches>([
      [1, { itemId: 1, kind: 'image', matches: [0, 1, 2].map((group) => ({ group, alternative: 0, column: 'body' as const, chunkId: null })) }],
      [2, { itemId: 2, kind: 'note', matches: [{ group: 0, alternative: 0, column: 'body', chunkId: 7 }] }],
    ]);
    const idf = documentFrequencies(groups, text).map((df) => idfOf(df, 100));
    const ranked = fuse({ groups, idf, text, tags: new Map(), tagWords: words, embedding: new Map([[2, hit(2, 'note', 2)]]) });
    expect(ranked.map((r) => r.itemId)).toEqual([1, 2]);
    expect(ranked[0]!.lexical).toBeCloseTo(1, 6);
    expect(ranked[0]!.why).toEqual([{ kind: 'text', label: 'text: "bike shop receipt"' }]);
    expect(ranked[1]!.chunkId).toBe(7);
  });

  it('a rarer word counts more than a common one', () => {
    const groups = [g('red'), g('lighthouse')];
    const text = new Map<number, ItemMatches>();
    for (let i = 1; i <= 20; i++) text.set(i, { itemId: i, kind: 'image', matches: [{ group: 0, alternative: 0, column: 'body', chunkId: null }] });
    text.set(99, { itemId: 99, kind: 'image', matches: [{ group: 1, alternative: 0, column: 'body', chunkId: null }] });
    const idf = documentFrequencies(groups, text).map((df) => idfOf(df, 100));
    expect(idf[1]!).toBeGreaterThan(idf[0]!);
    const ranked = fuse({ groups, idf, text, tags: new Map(), tagWords: words, embedding: new Map() });
    expect(ranked[0]!.itemId).toBe(99);
  });

  it('ranks photos of a thing by the confidence of their tags, and says which tag matched', () => {
    const groups = [g('dog')];
    const tags = new Map<number, TaggedRow[]>([
      [1, [{ pass: 'objects', tag: 'dog', score: 0.9, count: 2, ref: null }]],
      [2, [{ pass: 'objects', tag: 'dog', score: 0.32, count: 1, ref: null }]],
    ]);
    const text = new Map<number, ItemMatches>([1, 2].map((id) => [id, { itemId: id, kind: 'image' as const, matches: [{ group: 0, alternative: 0, column: 'tags' as const, chunkId: null }] }]));
    const ranked = fuse({ groups, idf: [1], text, tags, tagWords: words, embedding: new Map() });
    expect(ranked.map((r) => r.itemId)).toEqual([1, 2]);
    expect(ranked[0]!.why[0]).toMatchObject({ kind: 'object', label: 'object: dog ×2 0.90' });
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it('puts the embedding of photos and of notes on one scale (z against a sample of their own kind)', () => {
    const groups = [g('sourdough')];
    // a note far above its kind's typical similarity, a photo barely above its own
    const embedding = new Map([
      [1, hit(1, 'note', 5)],
      [2, hit(2, 'image', 0.5)],
    ]);
    const ranked = fuse({ groups, idf: [1], text: new Map(), tags: new Map(), tagWords: words, embedding });
    expect(ranked[0]!.itemId).toBe(1);
    expect(ranked[0]!.why).toContainEqual(expect.objectContaining({ kind: 'meaning' }));
    expect(ranked[1]!.semantic).toBe(0);
  });

  it('says when nothing matches well', () => {
    const weak = fuse({ groups: [g('zeppelin')], idf: [3], text: new Map(), tags: new Map(), tagWords: words, embedding: new Map([[1, hit(1, 'image', 1.5)]]) });
    expect(isStrong(weak, new Map([[1, hit(1, 'image', 1.5)]]))).toBe(false);
    const text = new Map<number, ItemMatches>([[1, { itemId: 1, kind: 'note', matches: [{ group: 0, alternative: 0, column: 'body', chunkId: null }] }]]);
    expect(isStrong(fuse({ groups: [g('zeppelin')], idf: [3], text, tags: new Map(), tagWords: words, embedding: new Map() }), new Map())).toBe(true);
  });

  it('a weaker alternative (a synonym) counts at its weight', () => {
    const groups = [g('automobile', ['car', 0.56])];
    const text = new Map<number, ItemMatches>([
      [1, { itemId: 1, kind: 'note', matches: [{ group: 0, alternative: 0, column: 'body', chunkId: null }] }],
      [2, { itemId: 2, kind: 'note', matches: [{ group: 0, alternative: 1, column: 'body', chunkId: null }] }],
    ]);
    const ranked = fuse({ groups, idf: [1], text, tags: new Map(), tagWords: words, embedding: new Map() });
    expect(ranked.map((r) => r.itemId)).toEqual([1, 2]);
    expect(ranked[1]!.lexical).toBeCloseTo(0.56, 6);
  });
});

describe('tag evidence', () => {
  it('matches a word against a tag as the same words, singular-insensitively: "dog" is not a hot dog', () => {
    expect(normWord('Puppies')).toBe('puppy');
    expect(normWord('boxes')).toBe('box');
    expect(normWord('glass')).toBe('glass');
    expect(sameWords('dogs', 'dog')).toBe(true);
    expect(sameWords('dogs', 'hot dog')).toBe(false);
    expect(sameWords('hot dogs', 'hot dog')).toBe(true);
    expect(sameWords('golden retriever', 'Golden Retriever')).toBe(true);
  });

  it('faces say how many; a tag that does not give the word is no evidence', () => {
    const tags: TaggedRow[] = [
      { pass: 'faces', tag: 'face', score: 0.95, count: 4, ref: '0.0100' },
      { pass: 'colours', tag: 'red', score: 0.4, count: 1, ref: null },
    ];
    expect(tagEvidence(tags, 'group', words)).toMatchObject({ reason: { kind: 'face', label: 'faces: 4' } });
    expect(tagEvidence(tags, 'selfie', words)).toBeNull();
    expect(tagEvidence(tags, 'red', words)!.reason.kind).toBe('colour');
    expect(tagEvidence(tags, 'dog', words)).toBeNull();
  });
});

describe('labels of one classifier run add up', () => {
  it('three dog breeds at 0.31, 0.26 and 0.14 are a dog at 0.71, stronger than any one of them', () => {
    const lex = tagWordsWith(null);
    // without a lexicon each label gives only its own name: give them a shared word by hand
    const words = (t: TaggedRow) => [...lex(t), { word: 'dog', weight: 0.5 }];
    const breeds: TaggedRow[] = [
      { pass: 'labels', tag: 'malamute', score: 0.31, count: 1, ref: null },
      { pass: 'labels', tag: 'Siberian husky', score: 0.26, count: 1, ref: null },
      { pass: 'labels', tag: 'Eskimo dog', score: 0.14, count: 1, ref: null },
    ];
    const one = tagEvidence(breeds.slice(0, 1), 'dog', words)!;
    const all = tagEvidence(breeds, 'dog', words)!;
    expect(all.strength).toBeGreaterThan(one.strength);
    expect(all.reason.label).toBe('label: malamute + Siberian husky + Eskimo dog 0.71');
  });
});
