// The query parser on a table of phrasings (dates, places, kinds, phrases, objects) and
// the ones that must NOT parse, with the real WordNet lexicon and a library's place list.
import { describe, expect, it } from 'vitest';
import { cocoClasses } from '../../../main/engine/lexicon/coco';
import { labelCoverage } from '../../../main/engine/lexicon/expand';
import { defaultLexicon } from '../../../main/engine/lexicon/lexicon';
import { spanOfChipId } from '../../../main/engine/queries/parse/chips';
import { dateFilters, matchesDate, parseQuery } from '../../../main/engine/queries/parse/parse';
import { EARLIEST, LATEST } from '../../../main/engine/queries/parse/periods';
import type { LibraryPlace, ParseContext, ParsedQuery } from '../../../main/engine/queries/parse/types';

const lexicon = defaultLexicon();
const places: LibraryPlace[] = [
  { name: 'Lisbon', kind: 'city', count: 40 },
  { name: 'Lisbon', kind: 'region', count: 45 },
  { name: 'Portugal', kind: 'country', count: 60 },
  { name: 'Reykjavík', kind: 'city', count: 10 },
  { name: 'Iceland', kind: 'country', count: 30 },
  { name: 'New York City', kind: 'city', count: 5 },
  { name: 'New York', kind: 'region', count: 6 },
  { name: 'San Francisco', kind: 'city', count: 3 },
  { name: 'California', kind: 'region', count: 3 },
  { name: 'United States', kind: 'country', count: 9 },
  { name: 'United Kingdom', kind: 'country', count: 2 },
  { name: 'Nice', kind: 'city', count: 4 },
  { name: 'France', kind: 'country', count: 4 },
  { name: 'Netherlands', kind: 'country', count: 1 },
  { name: 'Saint-Louis', kind: 'city', count: 1 },
];
// Saturday 15 March 2025, noon, local time
const now = new Date(2025, 2, 15, 12);
const ctx: ParseContext = { now, places, lexicon, coverage: labelCoverage(lexicon, cocoClasses().map((c) => c.wnid)) };
const parse = (q: string, ignore?: string[]) => parseQuery(q, ctx, { ignore });

/** Local-time range [first ms of day a, last ms of day b], as the store keeps dates taken. */
const range = (a: [number, number, number], b: [number, number, number]) => ({ from: new Date(a[0], a[1] - 1, a[2]).getTime(), to: new Date(b[0], b[1] - 1, b[2] + 1).getTime() - 1 });

interface Want {
  text?: string;
  date?: { from: number; to: number } | null;
  label?: string;
  months?: number[];
  places?: string[];
  kinds?: ('image' | 'note')[];
  phrases?: string[];
  objects?: string[];
  /** a word that must match in the tag column with at least this weight */
  expands?: [string, string, number];
  terms?: string[];
}

function check(p: ParsedQuery, w: Want): void {
  if (w.text !== undefined) expect(p.text).toBe(w.text);
  if (w.date === null) expect(p.dateRange).toBeUndefined();
  else if (w.date) expect({ from: p.dateRange?.from, to: p.dateRange?.to }).toEqual(w.date);
  if (w.label !== undefined) expect(p.dateRange?.label ?? p.monthsOfYear?.label).toBe(w.label);
  if (w.months) expect(p.monthsOfYear?.months).toEqual(w.months);
  if (w.places) expect([...new Set(p.places.map((x) => x.name))]).toEqual(w.places);
  if (w.kinds) expect(p.kinds ?? []).toEqual(w.kinds);
  if (w.phrases) expect(p.phrases).toEqual(w.phrases);
  if (w.objects) expect(p.objects.map((o) => o.word)).toEqual(w.objects);
  if (w.terms) expect(p.terms).toEqual(w.terms);
  if (w.expands) {
    const [word, match, min] = w.expands;
    const o = p.objects.find((x) => x.word === word);
    expect(o, `${word} is an object`).toBeDefined();
    expect(o!.expansions.find((e) => e.word === match)?.weight ?? 0).toBeGreaterThanOrEqual(min);
  }
}

const TABLE: [string, Want][] = [
  // dates
  ['December 2022', { date: range([2022, 12, 1], [2022, 12, 31]), label: 'December 2022', text: '' }],
  ['photos from December 2022', { date: range([2022, 12, 1], [2022, 12, 31]), kinds: ['image'], text: '' }],
  ['in May 2019', { date: range([2019, 5, 1], [2019, 5, 31]) }],
  ['dec 2021', { date: range([2021, 12, 1], [2021, 12, 31]) }],
  ['December, 2022', { date: range([2022, 12, 1], [2022, 12, 31]) }],
  ['summer 2019', { date: range([2019, 6, 1], [2019, 8, 31]), label: 'summer 2019' }],
  ['the summer of 2019', { date: range([2019, 6, 1], [2019, 8, 31]) }],
  ['winter 2020', { date: range([2020, 12, 1], [2021, 2, 28]), label: 'winter 2020' }],
  ['fall 2018', { date: range([2018, 9, 1], [2018, 11, 30]) }],
  ["summer '19", { date: range([2019, 6, 1], [2019, 8, 31]) }],
  ['2021', { date: range([2021, 1, 1], [2021, 12, 31]), label: '2021', text: '' }],
  ['in 2019', { date: range([2019, 1, 1], [2019, 12, 31]) }],
  ['receipts from 2021', { date: range([2021, 1, 1], [2021, 12, 31]), text: 'receipts', terms: ['receipts'] }],
  ['receipts 2021', { date: range([2021, 1, 1], [2021, 12, 31]), text: 'receipts' }],
  ['last year', { date: range([2024, 1, 1], [2024, 12, 31]), label: 'last year (2024)' }],
  ['this year', { date: range([2025, 1, 1], [2025, 12, 31]) }],
  ['last summer', { date: range([2024, 6, 1], [2024, 8, 31]) }],
  ['last winter', { date: range([2024, 12, 1], [2025, 2, 28]) }],
  ['last December', { date: range([2024, 12, 1], [2024, 12, 31]) }],
  ['yesterday', { date: range([2025, 3, 14], [2025, 3, 14]), label: 'yesterday' }],
  ['today', { date: range([2025, 3, 15], [2025, 3, 15]) }],
  ['this month', { date: range([2025, 3, 1], [2025, 3, 31]) }],
  ['last month', { date: range([2025, 2, 1], [2025, 2, 28]) }],
  ['last week', { date: range([2025, 3, 3], [2025, 3, 9]), label: 'last week' }],
  ['last weekend', { date: range([2025, 3, 8], [2025, 3, 9]) }],
  ['3 days ago', { date: range([2025, 3, 12], [2025, 3, 12]) }],
  ['two years ago', { date: range([2023, 1, 1], [2023, 12, 31]) }],
  ['the last 7 days', { date: { from: new Date(2025, 2, 8).getTime(), to: range([2025, 3, 15], [2025, 3, 15]).to } }],
  ['from 2018 to 2020', { date: range([2018, 1, 1], [2020, 12, 31]), label: '2018 – 2020' }],
  ['2018-2020', { date: range([2018, 1, 1], [2020, 12, 31]) }],
  ['between 2016 and 2017', { date: range([2016, 1, 1], [2017, 12, 31]) }],
  ['before 2015', { date: { from: EARLIEST, to: range([2014, 12, 31], [2014, 12, 31]).to }, label: 'before 2015' }],
  ['after 2020', { date: { from: new Date(2021, 0, 1).getTime(), to: LATEST } }],
  ['since March', { date: { from: new Date(2025, 2, 1).getTime(), to: range([2025, 3, 15], [2025, 3, 15]).to }, label: 'since March 2025' }],
  ['in December', { date: null, months: [12], label: 'December, any year' }],
  ['every summer', { date: null, months: [6, 7, 8] }],
  ['during winter', { months: [1, 2, 12] }],
  ['the 90s', { date: range([1990, 1, 1], [1999, 12, 31]) }],
  ['photos from the 1980s', { date: range([1980, 1, 1], [1989, 12, 31]), kinds: ['image'] }],
  ['dec 25', { date: range([2024, 12, 25], [2024, 12, 25]) }], // the last one that has been
  ['25 December 2022', { date: range([2022, 12, 25], [2022, 12, 25]) }],
  ['2022-12-25', { date: range([2022, 12, 25], [2022, 12, 25]) }],
  ['last friday', { date: range([2025, 3, 14], [2025, 3, 14]) }],
  // places
  ['photos from Lisbon', { places: ['Lisbon'], kinds: ['image'], text: '', date: null }],
  ['pictures taken in Iceland', { places: ['Iceland'], kinds: ['image'], text: '' }],
  ['reykjavik', { places: ['Reykjavík'], text: '' }],
  ['REYKJAVÍK harbour', { places: ['Reykjavík'], text: 'harbour' }],
  ['New York City at night', { places: ['New York City'], text: 'night' }],
  ['new york', { places: ['New York'] }],
  ['sunset over san francisco', { places: ['San Francisco'], text: 'sunset' }],
  ['pictures from the USA', { places: ['United States'], text: '' }],
  ['trip to the US', { places: ['United States'], text: 'trip' }],
  ['holiday in Britain', { places: ['United Kingdom'], text: 'holiday' }],
  ['tulips in holland', { places: ['Netherlands'], text: 'tulips' }],
  ['sunset in Nice', { places: ['Nice'], text: 'sunset' }],
  ['saint louis', { places: ['Saint-Louis'] }],
  ['Lisbon or Iceland', { places: ['Lisbon', 'Iceland'] }],
  ['dogs in Lisbon last summer', { places: ['Lisbon'], date: range([2024, 6, 1], [2024, 8, 31]), text: 'dogs', objects: ['dogs'] }],
  // kinds, phrases, filler
  ['"guest wifi"', { phrases: ['guest wifi'], text: 'guest wifi', terms: [] }],
  ['the “wifi password” note', { phrases: ['wifi password'], kinds: ['note'] }],
  ['my notes on sourdough', { kinds: ['note'], text: 'sourdough' }],
  ['show me pics of the beach', { kinds: ['image'], text: 'beach', objects: ['beach'] }],
  ['find screenshots of receipts', { kinds: ['image'], text: 'screenshots of receipts' }],
  ['photos and notes about taxes', { kinds: ['image', 'note'], text: 'taxes' }],
  // objects
  ['puppy', { objects: ['puppy'], expands: ['puppy', 'dog', 0.5] }],
  ['birds', { objects: ['birds'], expands: ['birds', 'bird', 1] }],
  ['animals', { objects: ['animals'], expands: ['animals', 'animal', 1] }],
  ['people', { objects: ['people'], expands: ['people', 'person', 1] }],
  ['golden retriever puppies', { objects: ['golden retriever', 'puppies'] }],
  ['picture frame', { kinds: [], objects: ['picture frame'] }],
  // must NOT parse
  ['what may I bring', { date: null, text: 'what may I bring', kinds: [] }],
  ['march on washington', { date: null, text: 'march on washington' }],
  ['8 mile', { date: null, text: '8 mile' }],
  ['1984 novel', { date: null, text: '1984 novel' }],
  ['2021 tax return', { date: null, text: '2021 tax return' }],
  ['summer dress', { date: null, text: 'summer dress', objects: ['dress'] }],
  ['spring water', { date: null, text: 'spring water' }],
  ['pictures of June', { date: null, kinds: ['image'], text: 'June' }],
  ['Paris', { places: [], text: 'Paris' }],
  ['photos of Paris in the rain', { places: [], text: 'Paris in the rain' }],
  ['photos of us at the beach', { places: [], text: 'beach' }],
  ['nice sunset', { places: [], text: 'nice sunset' }],
  ['route 66', { date: null, text: 'route 66' }],
  ['sunday brunch', { date: null, text: 'sunday brunch' }],
];

describe('parseQuery on a table of phrasings', () => {
  it('has at least 60 phrasings', () => expect(TABLE.length).toBeGreaterThanOrEqual(60));
  it.each(TABLE)('%s', (q, want) => check(parse(q), want));
});

describe('chips', () => {
  it('each understood part is a chip with its span, cue word included, and an effect', () => {
    const q = 'show me photos of dogs in Lisbon from December 2022';
    const p = parse(q);
    const byKind = Object.fromEntries(p.chips.map((c) => [c.kind, c]));
    expect(q.slice(...byKind.place!.span)).toBe('in Lisbon');
    expect(q.slice(...byKind.date!.span)).toBe('from December 2022');
    expect(q.slice(...byKind.kind!.span)).toBe('photos');
    expect(byKind.object!.label).toBe('dogs');
    expect(byKind.object!.effect).toBe('boost');
    expect(byKind.date!.effect).toBe('filter');
    for (const c of p.chips) expect(spanOfChipId(c.id)).toEqual(c.span);
    expect(p.chips.map((c) => c.span[0])).toEqual([...p.chips.map((c) => c.span[0])].sort((a, b) => a - b));
  });

  it('removing a chip reads its span as plain text, and nothing else takes it', () => {
    const q = 'beach in May 2019';
    const date = parse(q).chips.find((c) => c.kind === 'date')!;
    const again = parse(q, [date.id]);
    expect(again.dateRange).toBeUndefined();
    expect(again.monthsOfYear).toBeUndefined();
    expect(again.text).toBe('beach in May 2019');
    expect(again.terms).toEqual(['beach', '2019']);

    const place = parse('dogs in Lisbon').chips.find((c) => c.kind === 'place')!;
    const plain = parse('dogs in Lisbon', [place.id]);
    expect(plain.places).toEqual([]);
    expect(plain.text).toBe('dogs in Lisbon');

    const phrase = parse('"guest wifi"').chips[0]!;
    const words = parse('"guest wifi"', [phrase.id]);
    expect(words.phrases).toEqual([]);
    expect(words.terms).toEqual(['guest', 'wifi']);

    const kind = parse('photos of cats').chips.find((c) => c.kind === 'kind')!;
    expect(parse('photos of cats', [kind.id]).kinds).toBeUndefined();
  });

  it('an unknown or stale chip id changes nothing', () => {
    expect(parse('December 2022', ['date:40-50', 'nonsense']).dateRange?.label).toBe('December 2022');
  });
});

describe('places present in the library only', () => {
  it('a place parses once the library has photos from it', () => {
    expect(parse('photos of Paris').places).toEqual([]);
    const withParis = parseQuery('photos of Paris', { ...ctx, places: [...places, { name: 'Paris', kind: 'city', count: 3 }] });
    expect(withParis.places).toEqual([{ name: 'Paris', kind: 'city', label: 'Paris' }]);
    expect(withParis.text).toBe('');
  });

  it('a place name that is a common word needs a cue word or a capital', () => {
    const c = { ...ctx, places: [{ name: 'China', kind: 'country' as const, count: 5 }, { name: 'Turkey', kind: 'country' as const, count: 5 }] };
    expect(parseQuery('china cups', c).places).toEqual([]);
    expect(parseQuery('roast turkey', c).places).toEqual([]);
    expect(parseQuery('temples in china', c).places.map((p) => p.name)).toEqual(['China']);
    expect(parseQuery('Great Wall of China', c).places.map((p) => p.name)).toEqual(['China']);
    expect(parseQuery('Turkey 2019', c).places.map((p) => p.name)).toEqual(['Turkey']);
  });
});

describe('without a lexicon or places', () => {
  it('dates, kinds and phrases still parse; words are plain and no place parses', () => {
    const p = parseQuery('photos of dogs in Lisbon 2019 "red door"', { now });
    expect(p.kinds).toEqual(['image']);
    expect(p.dateRange?.label).toBe('2019');
    expect(p.places).toEqual([]);
    expect(p.objects).toEqual([]);
    expect(p.phrases).toEqual(['red door']);
    expect(p.terms).toEqual(['dogs', 'lisbon']);
    expect(p.words[0]!.labels).toEqual([{ word: 'dogs', weight: 1, synset: null, relation: 'exact' }]);
  });
});

describe('dates against what the store keeps', () => {
  it('matchesDate: the range is inclusive; months of any year match across years', () => {
    const dec = parse('December 2022');
    expect(matchesDate(dec, new Date(2022, 11, 1, 0, 0, 0).getTime())).toBe(true);
    expect(matchesDate(dec, new Date(2022, 11, 31, 23, 59, 59, 999).getTime())).toBe(true);
    expect(matchesDate(dec, new Date(2023, 0, 1).getTime())).toBe(false);
    const anyDec = parse('in December');
    expect(matchesDate(anyDec, new Date(2015, 11, 24).getTime())).toBe(true);
    expect(matchesDate(anyDec, new Date(2015, 10, 24).getTime())).toBe(false);
  });

  it('dateFilters leaves open ends out', () => {
    expect(dateFilters(parse('before 2015'))).toEqual({ dateTo: new Date(2015, 0, 1).getTime() - 1 });
    expect(dateFilters(parse('after 2020'))).toEqual({ dateFrom: new Date(2021, 0, 1).getTime() });
    expect(dateFilters(parse('dogs'))).toEqual({});
  });

  it('the same words mean the same calendar days whatever the time of day now', () => {
    const late = parseQuery('yesterday', { now: new Date(2025, 2, 15, 23, 59) });
    const early = parseQuery('yesterday', { now: new Date(2025, 2, 15, 0, 1) });
    expect(late.dateRange).toEqual(early.dateRange);
  });
});
