// The small vocabularies of the query parser: stop words, commands and filler, kind words,
// the cue words that may precede a date or a place, and month and season names.
import type { ItemKind } from '../../../contract/api';

/** Words that say nothing about what to find: kept in the text the embedding reads, left out of `terms`. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the of in on at to from for with by and or but not no my our your his her their its me i we you it he she they them us ' +
    'is are was were be been being am do does did have has had this that these those some any all each every there here about into onto ' +
    'near around over under than then so very just also too can could would should may might will shall must what which who whom whose ' +
    'when where why how if as up down out off again please'
  ).split(' '),
);

/** Opening commands removed from the start of a query ("show me", "find", "search for"), longest first. */
export const COMMANDS: readonly string[][] = [
  ['i', 'am', 'looking', 'for'],
  ['im', 'looking', 'for'],
  ['can', 'you', 'find'],
  ['show', 'me', 'all'],
  ['show', 'me'],
  ['find', 'me'],
  ['find', 'all'],
  ['search', 'for'],
  ['look', 'for'],
  ['looking', 'for'],
  ['give', 'me'],
  ['get', 'me'],
  ['i', 'want'],
  ['show'],
  ['find'],
  ['search'],
  ['get'],
  ['all'],
];

/** Filler that says how a photo was made, removed anywhere ("pictures taken in Iceland", "photos I took"). */
export const FILLER: readonly string[][] = [
  ['that', 'i', 'took'],
  ['which', 'i', 'took'],
  ['i', 'took'],
  ['taken'],
  ['took'],
  ['snapped'],
  ['captured'],
];

/** Words that name a kind of item: they become a kind chip and leave the text. */
export const KIND_WORDS: Readonly<Record<string, ItemKind>> = {
  photo: 'image',
  photos: 'image',
  photograph: 'image',
  photographs: 'image',
  picture: 'image',
  pictures: 'image',
  pic: 'image',
  pics: 'image',
  image: 'image',
  images: 'image',
  snapshot: 'image',
  snapshots: 'image',
  note: 'note',
  notes: 'note',
  memo: 'note',
  memos: 'note',
};

/** Kind words that also say what the photo is: a kind chip, and the word stays content ("screenshots" are photos of screens). */
export const KIND_AND_CONTENT: Readonly<Record<string, ItemKind>> = {
  screenshot: 'image',
  screenshots: 'image',
  selfie: 'image',
  selfies: 'image',
};

/** Words that may precede a place ("in Lisbon", "from Iceland"); included in its chip. */
export const PLACE_CUES: ReadonlySet<string> = new Set(['in', 'at', 'from', 'near', 'around', 'to', 'of']);

export const MONTHS: Readonly<Record<string, number>> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export type Season = 'spring' | 'summer' | 'autumn' | 'winter';

/** Northern-hemisphere meteorological seasons: [first month, months long]; winter Y runs Dec Y - Feb Y+1. */
export const SEASONS: Readonly<Record<string, Season>> = { spring: 'spring', summer: 'summer', autumn: 'autumn', fall: 'autumn', winter: 'winter' };
export const SEASON_START: Readonly<Record<Season, number>> = { spring: 3, summer: 6, autumn: 9, winter: 12 };
