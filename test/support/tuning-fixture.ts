// The personal fine-tuning tests' concepts: two made-up words a person gives groups of real
// photos of the search development library (test/fixtures/photos/tuning, PROVENANCE.md):
// "blicket" for the birds, "dax" for the food. The base model cannot know either word (they
// are in no training text). Each group is split: the first photos are labelled (the pairs
// file), the rest are never labelled, so a score on them is a score on photos the fine-tune
// never saw; the other/ photos belong to neither and only compete.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { textQueryInput, targetInput } from '../../main/engine/embedding/instructions';
import { decodeModelInput } from '../../main/engine/library/images';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';

export const TUNING_PHOTOS = resolve(__dirname, '..', 'fixtures', 'photos', 'tuning');

export interface Concept {
  word: string;
  folder: 'bird' | 'food';
  /** how many of the folder's photos (in file order) are labelled; the rest never are */
  labelled: number;
}

export const CONCEPTS: readonly Concept[] = [
  { word: 'blicket', folder: 'bird', labelled: 16 },
  { word: 'dax', folder: 'food', labelled: 12 },
];

const photosIn = (dir: string, folder: string): string[] =>
  readdirSync(join(dir, folder))
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => `${folder}/${f}`);

export interface ConceptSplit {
  concept: Concept;
  labelled: string[];
  unlabelled: string[];
}

/** Each concept's photos (paths relative to the photos folder), labelled and never labelled. */
export function conceptSplits(dir = TUNING_PHOTOS): ConceptSplit[] {
  return CONCEPTS.map((concept) => {
    const all = photosIn(dir, concept.folder);
    return { concept, labelled: all.slice(0, concept.labelled), unlabelled: all.slice(concept.labelled) };
  });
}

export const otherPhotos = (dir = TUNING_PHOTOS): string[] => photosIn(dir, 'other');

/** Copies the photos into `dir` and writes `dir`/pairs.jsonl (MMEB-train rows, image paths relative to the file). */
export function writeTuningLibrary(dir: string): { pairsFile: string; pairs: number } {
  for (const f of ['bird', 'food', 'other']) cpSync(join(TUNING_PHOTOS, f), join(dir, f), { recursive: true });
  const rows = conceptSplits(dir).flatMap((s) => s.labelled.map((p) => ({ qry: s.concept.word, pos_image_path: p, task: 'retrieval_text_to_image' })));
  const pairsFile = join(dir, 'pairs.jsonl');
  writeFileSync(pairsFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { pairsFile, pairs: rows.length };
}

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

export interface UnlabelledScore {
  /** never-labelled photos of the concepts scored */
  n: number;
  /** share of them that outrank every photo of another concept and every other/ photo for their word (MMEB's P@1 rule: strictly highest) */
  p1: number;
  /** per word */
  perWord: Record<string, number>;
}

/**
 * Find as the engine phrases it (the word as a text query for photos, each photo as a
 * target), on photos the fine-tune never saw: each never-labelled photo of a concept against
 * the other/ photos and the other concept's never-labelled photos.
 */
export async function scoreUnlabelled(model: EmbeddingModel, dir = TUNING_PHOTOS): Promise<UnlabelledScore> {
  if (!model.imageSize) throw new Error(`${model.id} reads no images`);
  const splits = conceptSplits(dir);
  const photos = [...splits.flatMap((s) => s.unlabelled), ...otherPhotos(dir)];
  const inputs = await Promise.all(photos.map(async (p) => targetInput(model, 'image', { image: await decodeModelInput(readFileSync(join(dir, p)), model.imageSize!) })));
  const vectors: Float32Array[] = [];
  for (let s = 0; s < inputs.length; s += 16) vectors.push(...(await model.embed(inputs.slice(s, s + 16))));
  const vec = new Map(photos.map((p, i) => [p, vectors[i]!]));
  const perWord: Record<string, number> = {};
  let hits = 0;
  let n = 0;
  for (const s of splits) {
    const [q] = await model.embed([textQueryInput(model, 'image', s.concept.word)]);
    const own = new Set(s.unlabelled);
    const best = Math.max(...photos.filter((p) => !own.has(p)).map((p) => dot(q!, vec.get(p)!)));
    const wins = s.unlabelled.filter((p) => dot(q!, vec.get(p)!) > best).length;
    perWord[s.concept.word] = wins / s.unlabelled.length;
    hits += wins;
    n += s.unlabelled.length;
  }
  return { n, p1: hits / n, perWord };
}
