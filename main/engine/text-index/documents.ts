// What the full-text index holds for an item (pure): the words of its file and folder
// names, a note chunk's text or the text read in a photo, what the passes saw (with
// broader words from the lexicon) and the place names. Camera-made names (IMG_4012,
// DSC01234, PXL_20190612_101530123) carry no words; "Lisbon 2019/" does.
import { basename, dirname, extname, relative, sep } from 'node:path';
import type { ChunkRow } from '../store/embeddings';
import type { TagRow, TextLineRow } from '../store/perception';
import type { SearchDoc } from '../store/search-text';

/** File-name tokens that cameras and phones write, which mean nothing to a person. */
const CAMERA_TOKENS = new Set(['img', 'dsc', 'dscn', 'dscf', 'pxl', 'mvimg', 'vid', 'wa', 'gopr', 'dji', 'imag', 'sam', 'pict', 'p', 'mg', 'burst', 'edited', 'copy', 'jpg', 'jpeg', 'heic', 'png']);

/** The words of a file or folder name: letters and digits, camera tokens and pure serial numbers dropped. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/(\p{L})(\p{N})|(\p{N})(\p{L})/gu, '$1$3 $2$4')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .filter((w) => !CAMERA_TOKENS.has(w.toLowerCase()))
    .filter((w) => !/^\d+$/.test(w) || /^(19|20)\d\d$/.test(w)) // keep years, drop serials and times
    .filter((w) => !/^\d{8,}/.test(w));
}

export function pathWords(path: string, sourceRoot: string): { name: string; folder: string } {
  const file = basename(path, extname(path));
  const rel = relative(sourceRoot, dirname(path));
  const folders = rel && !rel.startsWith('..') ? rel.split(sep) : [];
  return { name: nameWords(file).join(' '), folder: folders.flatMap(nameWords).join(' ') };
}

export interface TaggedRow extends TagRow {
  pass: string;
}

/** A word a tag gives the index, and how closely it names the tag (1: the tag itself or a synonym). */
export interface WeightedTagWord {
  word: string;
  weight: number;
}

/** The words each tag contributes to the `tags` column (the tag itself first, then broader words). */
export type TagWords = (t: TaggedRow) => WeightedTagWord[];

/**
 * A tag word as ONE token of the tags column: the words of "hot dog" joined by '_' (a
 * token character of the index), so that a search for "dog" does not find hot dogs.
 */
export function tagToken(word: string): string {
  return word.trim().toLowerCase().split(/\s+/).join('_');
}

export function photoDocument(p: { path: string; sourceRoot: string; tags: TaggedRow[]; lines: TextLineRow[]; tagWords: TagWords }): SearchDoc {
  const places = p.tags.filter((t) => t.pass === 'places');
  const seen = new Set<string>();
  const words: string[] = [];
  for (const t of p.tags) {
    if (t.pass === 'places') continue;
    for (const { word } of p.tagWords(t)) {
      const token = tagToken(word);
      if (!seen.has(token)) {
        seen.add(token);
        words.push(token);
      }
    }
  }
  return {
    chunkId: null,
    ...pathWords(p.path, p.sourceRoot),
    body: p.lines.map((l) => l.text).join('\n'),
    tags: words.join(' ; '),
    place: places.map((t) => t.tag).join(' ; '),
  };
}

export function noteDocuments(p: { path: string; sourceRoot: string; chunks: ChunkRow[] }): SearchDoc[] {
  const words = pathWords(p.path, p.sourceRoot);
  // a note with no text still has a name to be found by
  if (!p.chunks.length) return [{ chunkId: null, ...words, body: '', tags: '', place: '' }];
  return p.chunks.map((c) => ({ chunkId: c.id, ...words, body: c.text, tags: '', place: '' }));
}
