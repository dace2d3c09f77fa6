// WordNet ids for ImageNet class names (native-models/recipes/lib/imagenet-wordnet.ts) on a
// small lexicon in Trove's lexicon format (main/engine/lexicon).
import { describe, expect, it } from 'vitest';
import { Lexicon } from '../../../main/engine/lexicon/lexicon';
import { LEXICON_FORMAT } from '../../../main/engine/lexicon/lexicon-file';
import { assignWnids } from '../../../native-models/recipes/lib/imagenet-wordnet';

// position: offset lemmas (synset positions increase with the offset, as in the real file)
const SYNSETS: [number, string][] = [
  [1000, 'entity'], // 0
  [2000, 'bird'], // 1
  [2100, 'crane'], // 2 the bird
  [2200, 'tench|Tinca tinca'], // 3
  [3000, 'crane'], // 4 the machine
  [3100, 'crane|derrick'], // 5
  [4000, 'abacus'], // 6 the column's tablet
  [4100, 'abacus'], // 7 the calculator
  [5000, 'zither'], // 8
];
// word -> synset positions, most frequent sense first
const WORDS: [string, string][] = [
  ['abacus', '6 7'],
  ['bird', '1'],
  ['crane', '2 4 5'],
  ['derrick', '5'],
  ['entity', '0'],
  ['tench', '3'],
  ['tinca tinca', '3'],
  ['zither', '8'],
];

const lex = new Lexicon({
  format: LEXICON_FORMAT,
  source: 'test',
  offsets: SYNSETS.map(([o]) => o).join(' '),
  lexfiles: SYNSETS.map(() => String.fromCharCode(48 + 6)).join(''),
  lemmas: SYNSETS.map(([, l]) => l).join('\n'),
  hypernyms: SYNSETS.map((_s, i) => (i === 0 ? '' : i === 2 ? '1' : '0')).join('\n'),
  instanceOf: SYNSETS.map(() => '').join('\n'),
  words: WORDS.map(([w]) => w).join('\n'),
  senses: WORDS.map(([, s]) => s).join('\n'),
  exceptions: '',
  otherWords: '',
});
const id = (offset: number) => `n${String(offset).padStart(8, '0')}`;

describe('WordNet ids for ImageNet classes', () => {
  it('picks the increasing assignment: the same name twice gets two senses in order', () => {
    const a = assignWnids([[], ['crane'], ['tench', 'Tinca tinca'], ['crane'], ['zither']], lex);
    expect(a.wnids).toEqual([undefined, id(2100), id(2200), id(3000), id(5000)]);
    expect(a.unmatched).toEqual([]);
    expect(a.ambiguous).toEqual([1, 3]);
  });

  it('prefers the synset whose lemmas are exactly the names, then the frequent sense; a pin decides by hand', () => {
    // 'crane' after tench: 3000 (exactly ['crane']) beats 3100 (['crane', 'derrick'])
    expect(assignWnids([['tench'], ['crane']], lex).wnids).toEqual([id(2200), id(3000)]);
    // 'abacus': both senses are exact; the index lists 4000 first
    const bySense = assignWnids([['abacus']], lex);
    expect(bySense.wnids).toEqual([id(4000)]);
    expect(bySense.unresolved).toEqual([0]);
    expect(assignWnids([['abacus']], lex, new Map([[0, id(4100)]])).wnids).toEqual([id(4100)]);
    expect(() => assignWnids([['abacus']], lex, new Map([[0, id(5000)]]))).toThrow(/pinned to n00005000, which is not among its synsets/);
  });

  it('leaves a class unmatched when no synset has its names or the order rules it out', () => {
    const a = assignWnids([['zither'], ['crane'], ['unicorn']], lex);
    expect(a.wnids).toEqual([id(5000), undefined, undefined]);
    expect(a.unmatched).toEqual([1, 2]);
  });
});
