// The queries of the search dev library, written as a person would type them, with their
// relevant items derived from the library as built: object queries from the labels table
// (every photo that shows the thing), place and date queries from each photo's trip, GPS
// and date, text queries from the documents' content, note queries by the notes' paths.
import type { SearchQueryKind } from '../../../main/ml/eval/search-set';
import type { DocumentKind } from '../lib/document-photos';
import { EVENTS, type EventId } from './camera-roll';

export interface LibraryImage {
  /** path inside library/ */
  path: string;
  id: string;
  source: 'photo' | 'cutout' | 'document' | 'screenshot';
  /** labels with their broader words (photos.ts expandLabels) */
  labels: ReadonlySet<string>;
  people: number;
  event: EventId;
  when: Date;
  /** whether the file carries GPS */
  gps: boolean;
  docKind?: DocumentKind;
}

type Pred = (img: LibraryImage) => boolean;

interface QueryDef {
  kind: SearchQueryKind;
  query: string;
  /** photos (and photographed documents) that answer it */
  images?: Pred;
  /** notes that answer it (paths inside library/) */
  notes?: string[];
}

const has =
  (...labels: string[]): Pred =>
  (i) =>
    labels.some((l) => i.labels.has(l));
const all =
  (...ps: Pred[]): Pred =>
  (i) =>
    ps.every((p) => p(i));
const doc =
  (...ids: string[]): Pred =>
  (i) =>
    i.source === 'document' && ids.includes(i.id);
const docKind =
  (...kinds: DocumentKind[]): Pred =>
  (i) =>
    i.docKind !== undefined && kinds.includes(i.docKind);
/** taken at one of these trips, and the file says where (GPS) */
const at =
  (...events: EventId[]): Pred =>
  (i) =>
    i.gps && events.includes(i.event);
const inCountry =
  (country: string): Pred =>
  (i) =>
    i.gps && EVENTS[i.event].place.country === country;
/** taken between two UTC days, inclusive */
const between =
  (from: string, to: string): Pred =>
  (i) =>
    i.when.getTime() >= Date.parse(`${from}T00:00:00Z`) && i.when.getTime() <= Date.parse(`${to}T23:59:59Z`);
const months =
  (...ms: number[]): Pred =>
  (i) =>
    ms.includes(i.when.getUTCMonth() + 1);
const photo: Pred = (i) => i.source === 'photo' || i.source === 'cutout';
const people =
  (min: number): Pred =>
  (i) =>
    i.people >= min;

const Q = (kind: SearchQueryKind, query: string, images?: Pred, notes?: string[]): QueryDef => ({ kind, query, ...(images ? { images } : {}), ...(notes ? { notes } : {}) });
const N = (kind: 'note-words' | 'note-meaning', query: string, ...notes: string[]) => Q(kind, query, undefined, notes);

export const QUERIES: QueryDef[] = [
  // object: every photo that shows it
  Q('object', 'dog', has('dog')),
  Q('object', 'cat', has('cat')),
  Q('object', 'koala', has('koala')),
  Q('object', 'penguins', has('penguin')),
  Q('object', 'flowers', has('flower')),
  Q('object', 'birds', all(photo, has('bird'))),
  Q('object', 'animals', all(photo, has('animal'))),
  Q('object', 'people', people(1)),
  Q('object', 'a group of people', people(3)),
  Q('object', 'fruit', has('fruit')),
  Q('object', 'boat', has('boat')),
  Q('object', 'violin', has('violin')),
  Q('object', 'musical instruments', has('musical instrument')),
  Q('object', 'mushrooms', has('mushroom')),
  Q('object', 'christmas tree', has('christmas tree')),
  Q('object', 'elephant', has('elephant')),
  Q('object', 'insects', has('insect')),
  Q('object', 'car', has('car')),
  Q('object', 'bus', has('bus')),
  Q('object', 'fish', has('fish')),
  Q('object', 'horse', has('horse')),
  Q('object', 'beach', has('beach')),
  Q('object', 'mountains', has('mountain')),
  Q('object', 'sunset', has('sunset')),
  Q('object', 'snow', has('snow')),
  Q('object', 'screenshot of a map', all(has('screenshot'), has('map'))),

  // text in photos: the photographed documents and signs
  Q('text', 'bike shop receipt', doc('bike-shop')),
  Q('text', 'wifi password', doc('wifi-lisbon', 'wifi-vik', 'wifi-cafe')),
  Q('text', 'train ticket to Porto', doc('train-porto')),
  Q('text', 'boarding pass', doc('boarding-kef')),
  Q('text', 'Harbour Lights gig', doc('concert-poster', 'concert-ticket')),
  Q('text', 'vet bill', doc('vet-bill')),
  Q('text', 'MOT reminder letter', doc('mot-letter')),
  Q('text', 'dentist appointment', doc('dentist')),
  Q('text', 'lost cat poster', doc('lost-cat')),
  Q('text', 'lamb soup menu', doc('reykjavik-menu')),
  Q('text', 'sneaker waves sign', doc('sneaker-waves')),
  Q('text', 'museum tickets', doc('rijksmuseum', 'van-gogh', 'louvre')),
  Q('text', 'Eurostar ticket', doc('eurostar')),
  Q('text', 'petrol receipt', doc('fuel')),
  Q('text', 'hotel sign', (i) => i.id === 'ocv-hotel-sign'),
  Q('text', 'surfboard hire', doc('surf-hire')),
  Q('text', 'blackberry jam label', doc('jam-label')),
  Q('text', 'parcel tracking number', doc('parcel')),
  Q('text', 'double parking prohibited', (i) => i.id === 'ocv-sign-parking'),

  // place
  Q('place', 'photos from Lisbon', at('lisbon')),
  Q('place', 'pictures taken in Iceland', inCountry('Iceland')),
  Q('place', 'Porto', at('porto')),
  Q('place', 'Paris', at('paris')),
  Q('place', 'Amsterdam', at('amsterdam')),
  Q('place', 'Reykjavik', at('reykjavik')),
  Q('place', 'Chester', at('zoo', 'zooWinter')),
  Q('place', 'Keswick', at('lakes')),
  Q('place', 'St Ives', at('cornwall')),
  Q('place', 'photos in Denmark', inCountry('Denmark')),
  Q('place', 'York', at('york')),
  Q('place', 'London', at('london')),
  Q('place', 'Portugal', inCountry('Portugal')),
  Q('place', 'France', inCountry('France')),
  Q('place', 'Cascais', at('cascais')),
  Q('place', 'USA trip', inCountry('United States')),

  // date
  Q('date', 'December 2022', between('2022-12-01', '2022-12-31')),
  Q('date', 'summer 2019', between('2019-06-01', '2019-08-31')),
  Q('date', 'photos from 2021', between('2021-01-01', '2021-12-31')),
  Q('date', '2017', between('2017-01-01', '2017-12-31')),
  Q('date', 'February 2022', between('2022-02-01', '2022-02-28')),
  Q('date', 'spring 2023', between('2023-03-01', '2023-05-31')),
  Q('date', 'autumn 2020', between('2020-09-01', '2020-11-30')),
  Q('date', 'May 2018', between('2018-05-01', '2018-05-31')),
  Q('date', '2015', between('2015-01-01', '2015-12-31')),
  Q('date', 'July 2018', between('2018-07-01', '2018-07-31')),
  Q('date', 'April 2024', between('2024-04-01', '2024-04-30')),
  Q('date', 'pictures from August 2021', between('2021-08-01', '2021-08-31')),
  Q('date', '2016', between('2016-01-01', '2016-12-31')),

  // note words: words that appear in the note
  N('note-words', 'sourdough starter', 'Notes/Recipes/sourdough.md'),
  N('note-words', 'Edinburgh', 'Documents/Travel/Edinburgh weekend ideas.md'),
  N('note-words', 'Kyoto temples', 'Documents/Travel/Kyoto someday.md'),
  N('note-words', 'cambelt', 'Notes/car maintenance.txt'),
  N('note-words', 'Canberra', 'Notes/wedding speech draft.md'),
  N('note-words', 'Minuet in G', 'Notes/piano practice.txt'),
  N('note-words', 'magic link login', 'Notes/meetings/notes.txt'),
  N('note-words', 'accessibility audit', 'Notes/meetings/2021-03 meeting.txt', 'Notes/job interview prep.md'),
  N('note-words', 'Stevens the butler', 'Notes/books/The Remains of the Day - book club.md'),
  N('note-words', 'Dorothea and Casaubon', 'Notes/books/Middlemarch notes.md'),
  N('note-words', 'blight', 'Notes/garden log 2021.md'),
  N('note-words', 'remortgage', 'Documents/Money/mortgage questions.txt'),
  N('note-words', 'microchip', 'Notes/Biscuit the dog.md'),
  N('note-words', 'sparrowhawk', 'Notes/bird feeder log.md'),
  N('note-words', 'fungus gnats', 'Notes/houseplants.md'),
  N('note-words', 'Dino Dan', "Notes/Leo's 7th birthday party.md"),

  // note meaning: paraphrases that share few words with the note
  N('note-meaning', 'how to make bread rise', 'Notes/Recipes/sourdough.md'),
  N('note-meaning', 'what to pack for the mountains', 'Documents/Travel/camping checklist.txt', 'Documents/Travel/Iceland packing list.txt'),
  N('note-meaning', 'what to wear somewhere freezing', 'Documents/Travel/Iceland packing list.txt'),
  N('note-meaning', 'things to do in Portugal', 'Documents/Travel/Lisbon and Porto plan 2019.md'),
  N('note-meaning', 'how often should I water my plants', 'Notes/houseplants.md'),
  N('note-meaning', 'keeping slugs off the vegetables', 'Notes/garden log 2021.md'),
  N('note-meaning', 'training schedule for a long race', 'Notes/half marathon plan.md'),
  N('note-meaning', 'what to buy my dad', 'Notes/gift ideas.md'),
  N('note-meaning', 'fixing a flat on my bike', 'Notes/bike maintenance.md'),
  N('note-meaning', 'monthly spending', 'Documents/Money/budget 2023.md'),
  N('note-meaning', "toast for my sister's marriage", 'Notes/wedding speech draft.md'),
  N('note-meaning', 'checklist before relocating', 'Notes/moving house checklist.md'),
  N('note-meaning', 'what food is bad for the dog', 'Notes/Biscuit the dog.md'),
  N('note-meaning', 'polite phrases for the Lisbon trip', 'Notes/Portuguese phrases.md'),
  N('note-meaning', 'which birds come to the garden', 'Notes/bird feeder log.md'),
  N('note-meaning', 'questions to ask an employer', 'Notes/job interview prep.md'),

  // mixed
  Q('mixed', 'dog on the beach', all(has('dog'), has('beach'))),
  Q('mixed', 'receipts from 2021', all(docKind('receipt'), between('2021-01-01', '2021-12-31'))),
  Q('mixed', 'snow in Iceland', all(has('snow'), inCountry('Iceland'))),
  Q('mixed', 'beach in Portugal', all(has('beach'), inCountry('Portugal'))),
  Q('mixed', 'animals at the zoo in 2018', all(photo, has('animal'), at('zoo'))),
  Q('mixed', 'tickets from Amsterdam', all(docKind('ticket'), at('amsterdam'))),
  Q('mixed', 'food in Lisbon', all(photo, has('food'), at('lisbon'))),
  Q('mixed', 'sunset over a lake', all(has('sunset'), has('lake'))),
  Q('mixed', 'people on the beach', all(people(1), has('beach'))),
  Q('mixed', 'christmas food 2022', all(photo, has('food'), between('2022-12-01', '2022-12-31'))),
  Q('mixed', 'wifi password in Iceland', all(docKind('wifi-card'), inCountry('Iceland'))),
  Q('mixed', 'birds in winter', all(photo, has('bird'), months(12, 1, 2))),
  Q('mixed', 'mountains in autumn', all(has('mountain'), months(9, 10, 11))),
  Q('mixed', 'receipts from Portugal', all(docKind('receipt'), inCountry('Portugal'))),
  Q('mixed', 'cows and sheep', has('cow', 'sheep')),
  Q('mixed', 'menus from trips abroad', all(docKind('menu'), (i) => EVENTS[i.event].place.country !== 'United Kingdom')),
];

export interface BuiltQuery {
  kind: SearchQueryKind;
  query: string;
  relevant: string[];
}

/** Each query with its relevant paths (sorted); a query that nothing answers is an error in the tables. */
export function buildQueries(images: readonly LibraryImage[], notePaths: readonly string[]): BuiltQuery[] {
  const notes = new Set(notePaths);
  return QUERIES.map((q) => {
    for (const n of q.notes ?? []) if (!notes.has(n)) throw new Error(`query "${q.query}": no note ${n} in the library`);
    const relevant = [...(q.images ? images.filter(q.images).map((i) => i.path) : []), ...(q.notes ?? [])].sort();
    if (!relevant.length) throw new Error(`query "${q.query}" (${q.kind}) has nothing relevant in the library: fix the tables`);
    return { kind: q.kind, query: q.query, relevant };
  });
}
