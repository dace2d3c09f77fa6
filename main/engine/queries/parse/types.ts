// What the query parser gives (pure data, JSON-safe): the parts of a Find query it
// understood (dates, places, kinds, quoted phrases, object words), each shown to the user
// as a removable chip, and the content text left for matching. The API contract carries
// `text` and `chips` (main/contract/api.ts ParsedQuery / QueryChip); the rest is for the
// engine's search plan.
import type { ItemKind } from '../../../contract/api';
import type { Coverage, QueryWord, WeightedWord } from '../../lexicon/expand';
import type { Lexicon } from '../../lexicon/lexicon';

export type PlaceKind = 'city' | 'region' | 'country';

/** A place the library's photos were taken at (from the places pass), with how many photos. */
export interface LibraryPlace {
  name: string;
  kind: PlaceKind;
  count: number;
}

export interface ParseContext {
  /** "now" for relative dates ("last year", "yesterday") */
  now: Date;
  /** the places present in the library: only these parse as places */
  places?: readonly LibraryPlace[];
  /** object words and their expansions; without it no word is an object and place names need no common-word check */
  lexicon?: Lexicon | null;
  /** what the library's labels can match (labelCoverage); without it query senses do not climb ("puppy" stays "puppy") */
  coverage?: Coverage;
}

export interface ParseOptions {
  /** chip ids the user removed: their spans are plain text, and no other chip may take them */
  ignore?: readonly string[];
}

export type ChipKind = 'date' | 'place' | 'kind' | 'phrase' | 'object';

export interface QueryChip {
  /** `${kind}:${start}-${end}`: stable while the text is unchanged */
  id: string;
  kind: ChipKind;
  /** what the UI shows: "December 2022", "Lisbon", "Photos", "“guest wifi”", "puppy" */
  label: string;
  /** filter: results must match it (date, place, kind, phrase); boost: matches rank first (object) */
  effect: 'filter' | 'boost';
  /** UTF-16 offsets [start, end) into the query text, the cue word included ("in Lisbon") */
  span: [number, number];
}

/** epoch ms, inclusive, in the machine's local time (as dates taken are stored); open ends are ±8.64e15 */
export interface DateRange {
  from: number;
  to: number;
  /** "December 2022", "summer 2019", "2018 – 2020", "before 2015", "last year (2024)" */
  label: string;
}

/** A month or season without a year ("in December", "in summer"): these months of every year. */
export interface MonthsOfYear {
  /** 1 = January ... 12 = December */
  months: number[];
  label: string;
}

export interface PlaceMatch {
  /** the library's name for it (LibraryPlace.name) */
  name: string;
  kind: PlaceKind;
  /** what was typed, as the library writes it, or "United States (USA)" for an alias */
  label: string;
}

/** A content word (or phrase the lexicon knows: "golden retriever") with what it matches. */
export interface ContentWord {
  /** as typed, lower case */
  said: string;
  span: [number, number];
  /** its noun lemma ("puppies" -> "puppy"), null when the lexicon has none (or no lexicon) */
  lemma: string | null;
  /** a thing a photo can show (an animal, an object, food, a plant, a person): its chip is an object chip */
  object: boolean;
  /** words to match in the tag column (expandQueryWord labels): the word itself first */
  labels: QueryWord[];
  /** weaker words of the same meaning, for note text ("automobile" -> "car") */
  synonyms: WeightedWord[];
}

export interface ParsedQuery {
  /** the query as given */
  input: string;
  /** the content left after chips, kind words and filler were taken out (for the embedding and full-text match) */
  text: string;
  /** content words after stop-word removal, lower case, in order, each once */
  terms: string[];
  /** quoted phrases, exactly as written inside the quotes */
  phrases: string[];
  dateRange?: DateRange;
  monthsOfYear?: MonthsOfYear;
  /** any of these (OR) */
  places: PlaceMatch[];
  kinds?: ItemKind[];
  /** the content words that are things, with their expansions */
  objects: { word: string; expansions: QueryWord[] }[];
  /** every content word with its expansions (objects included) */
  words: ContentWord[];
  chips: QueryChip[];
}
