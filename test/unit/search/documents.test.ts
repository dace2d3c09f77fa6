// What the full-text index holds for an item: words of names a person chose (not the
// camera's), the text read or written, the tags with broader words, the places.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVERYDAY_FILE, parseEverydayTable } from '../../../main/engine/lexicon/everyday';
import { expandLabel, LABEL_DECAY } from '../../../main/engine/lexicon/expand';
import { describe, expect, it } from 'vitest';
import { colourName, dominantColours } from '../../../main/engine/passes/colours';
import { documentKinds } from '../../../main/engine/passes/document-kinds';
import { nameWords, pathWords, photoDocument } from '../../../main/engine/text-index/documents';
import { tagWordsWith } from '../../../main/engine/text-index/tag-words';
import { defaultLexicon } from '../../../main/engine/lexicon/lexicon';

describe('name words', () => {
  it.each([
    ['IMG_4012', []],
    ['DSC01234', []],
    ['PXL_20190612_101530123', []],
    ['IMG-20190613-WA0004', []],
    ['Screenshot 2021-03-04 at 10.12.33', ['Screenshot', '2021', 'at']],
    ['grandmas-blue-house', ['grandmas', 'blue', 'house']],
    ['BikeShopReceipt', ['Bike', 'Shop', 'Receipt']],
    ['Lisbon 2019', ['Lisbon', '2019']],
  ])('%s -> %j', (name, words) => {
    expect(nameWords(name)).toEqual(words);
  });

  it('takes folder words between the library folder and the file', () => {
    expect(pathWords('/lib/Photos/Lisbon 2019/IMG_0001.JPG', '/lib')).toEqual({ name: '', folder: 'Photos Lisbon 2019' });
    expect(pathWords('/lib/sourdough.md', '/lib')).toEqual({ name: 'sourdough', folder: '' });
  });
});

describe('a photo document', () => {
  it('has the text read in the photo, the tags with broader words, and the places apart', () => {
    const doc = photoDocument({
      path: '/lib/Iceland trip/IMG_1.jpg',
      sourceRoot: '/lib',
      tags: [
        { pass: 'labels', tag: 'golden retriever', score: 0.8, count: 1, ref: 'n02099601' },
        { pass: 'places', tag: 'Reykjavik', score: 1, count: 1, ref: 'city' },
        { pass: 'places', tag: 'Iceland', score: 1, count: 1, ref: 'country' },
      ],
      lines: [{ text: 'GUEST WIFI', score: 0.9, x: 0, y: 0, w: 1, h: 0.1 }],
      tagWords: tagWordsWith(defaultLexicon()),
    });
    expect(doc.folder).toBe('Iceland trip');
    expect(doc.body).toBe('GUEST WIFI');
    expect(doc.place).toBe('Reykjavik ; Iceland');
    // a multi-word tag is one token: "dog" must not find a hot dog
    for (const w of ['golden_retriever', 'retriever', 'dog', 'animal']) expect(doc.tags.split(' ; ')).toContain(w);
    expect(doc.tags).not.toMatch(/\bentity\b|\borganism\b/);
  });

  it('an unlikely label gives only its own name, a very unlikely one nothing', () => {
    const words = tagWordsWith(defaultLexicon());
    expect(words({ pass: 'labels', tag: 'golden retriever', score: 0.07, count: 1, ref: 'n02099601' }).map((w) => w.word)).toEqual(['golden retriever']);
    expect(words({ pass: 'labels', tag: 'golden retriever', score: 0.03, count: 1, ref: 'n02099601' })).toEqual([]);
  });
});

describe('colours', () => {
  it('names basic colours', () => {
    expect(colourName([250, 20, 20])).toBe('red');
    expect(colourName([20, 60, 220])).toBe('blue');
    expect(colourName([250, 250, 250])).toBe('white');
    expect(colourName([30, 140, 40])).toBe('green');
  });

  it('lists the colours covering a good share of the photo, largest first', () => {
    const w = 40;
    const h = 40;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set(i < w * h * 0.7 ? [20, 60, 220] : [250, 250, 250], i * 3);
    const tags = dominantColours({ width: w, height: h, data }).tags!;
    expect(tags.map((t) => t.tag)).toEqual(['blue', 'white']);
    expect(tags[0]!.score).toBeCloseTo(0.7, 1);
  });
});

describe('document kinds from the text in a photo', () => {
  it.each([
    [['Velo Bike Shop', 'Inner tube 700c', '6.50', 'Brake pads', '12.00', 'TOTAL', '18.50', 'VISA ****1234'], ['receipt']],
    [['BOARDING PASS', 'Icelandair FI 441', 'From Manchester MAN', 'Gate 12', 'Seat 14C'], ['ticket']],
    [['Oakwood Dental Practice', '14 January 2023', 'Dear Ms Price,', 'your check-up is due', 'Kind regards'], ['letter']],
    [['Welcome to Casa Azul', 'Guest WiFi', 'Network: CasaAzul-Guest', 'Password: sardinha2019'], ['wifi']],
    [['Kaffi Hus', 'SOUPS', 'Icelandic lamb soup 2.400', 'Fish soup 2.600', 'Coffee 600'], ['menu']],
    [['NO PARKING', 'NO PARKING'], []],
    [['Gentle Yoga', 'Tuesdays 7pm', "St Paul's Church Hall"], []],
  ])('%j -> %j', (lines, kinds) => {
    expect(documentKinds(lines).map((t) => t.tag)).toEqual(kinds);
  });

  it('a receipt is found by "bill" and "receipt" in the index', () => {
    const words = tagWordsWith(null)({ pass: 'text', tag: 'receipt', score: 0.9, count: 1, ref: null }).map((w) => w.word);
    expect(words).toEqual(expect.arrayContaining(['receipt', 'bill']));
  });
});

describe('compound tags', () => {
  it('are one token; their last word is indexed only when the compound is a kind of it', () => {
    const words = tagWordsWith(defaultLexicon());
    const of = (tag: string, ref: string) => words({ pass: 'labels', tag, score: 0.8, count: 1, ref }).map((w) => w.word);
    expect(of('hotdog', 'n07697537')).not.toContain('dog'); // a hot dog is no dog
    expect(of('sea lion', 'n02077923')).not.toContain('lion');
    expect(of('Granny Smith', 'n07742313')).toContain('food'); // via "solid food"
    expect(of('golden retriever', 'n02099601')).toContain('retriever');
  });
});

describe('everyday words WordNet does not link', () => {
  it('each link is an ImageNet label synset with the lemma it says, not already above it in WordNet', () => {
    const lex = defaultLexicon();
    const table = parseEverydayTable(readFileSync(join(__dirname, '../../../native-models/lexicon', EVERYDAY_FILE)), EVERYDAY_FILE);
    expect(table.length).toBeGreaterThan(10);
    for (const l of table) {
      const s = lex.synset(l.wnid);
      expect(s, l.wnid).not.toBeNull();
      expect(s!.lemmas.map((x) => x.toLowerCase()), l.wnid).toContain(l.lemma.toLowerCase());
      // a word WordNet already gives the label would be a useless link
      const given = expandLabel(lex, l.wnid).map((w) => w.word);
      for (const w of l.words) expect(given, `${l.lemma} -> ${w}`).not.toContain(w);
    }
  });

  it('index a label with them one step up: a bolete is found by "mushroom", a seashore by "beach"', () => {
    const words = tagWordsWith(defaultLexicon());
    const weightOf = (tag: string, ref: string, word: string, score = 0.8) => words({ pass: 'labels', tag, score, count: 1, ref }).find((w) => w.word === word)?.weight;
    expect(weightOf('bolete', 'n13054560', 'mushroom')).toBe(LABEL_DECAY);
    expect(weightOf('seashore', 'n09428293', 'beach')).toBe(LABEL_DECAY);
    expect(weightOf('bolete', 'n13054560', 'fungus')).toBe(LABEL_DECAY); // WordNet's own hypernym stays
    expect(weightOf('tabby', 'n02123045', 'mushroom')).toBeUndefined();
    // like every broader word, only for a label probable enough
    expect(weightOf('bolete', 'n13054560', 'mushroom', 0.06)).toBeUndefined();
  });
});
