// The real-photo development suite of vlm2vec-nano: MMEB-format datasets (classification,
// VQA, retrieval) over the photos of the search dev library (build-search-dev.ts: real photos
// from non-reserved Debian packages, tuxpaint photo cut-outs set into real backgrounds,
// photographed documents), with the labels, people counts and document text its manifest
// records. Never gcompris-qt-data or python3-skimage (reserved for evaluation).
//
//   npx tsx native-models/recipes/build-real-dev.ts [--search-dev DIR] [--out DIR]
//
// - search-dev (default .trove-build/search-dev): the built library (manifest.json, library/)
// - out (default .trove-build/real-dev): suite.json + one parquet per dataset; the images
//   stay in the library (suite.json's imageRoot points there), so the model sees the same
//   camera files indexing would.
// Deterministic: the same library gives byte-identical files. `trove eval --mmeb DIR
// [--baselines]` scores a model on it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { writeMmebEvalParquet, type MmebEvalRow } from './lib/mmeb-parquet';
import { Rng } from './lib/rng';

const IMAGE = '<|image_1|>';

/** A file of the search dev library's manifest (build-search-dev.ts). */
export interface DevFile {
  path: string;
  id: string;
  source: 'photo' | 'cutout' | 'document' | 'screenshot' | 'note';
  labels: string[];
  people?: number;
  text?: string;
}

/** The answer to "what animal is this?": the first of these the photo's labels hold (a basic-level word, not the species). */
export const ANIMAL_ANSWERS = [
  'dog', 'cat', 'bird', 'fish', 'insect', 'rabbit', 'horse', 'cow', 'sheep', 'pig', 'goat', 'donkey', 'monkey', 'bear', 'deer',
  'tiger', 'lion', 'elephant', 'giraffe', 'zebra', 'camel', 'kangaroo', 'koala', 'squirrel', 'fox', 'badger', 'otter', 'sea lion',
  'hippo', 'frog', 'lizard', 'slug',
] as const;

/** Categories of photos (classification labels), most specific first: a photo's label is the first it holds. */
export const PHOTO_CATEGORIES = [
  'dog', 'cat', 'bird', 'fish', 'insect', 'rabbit', 'horse', 'cow', 'sheep', 'monkey', 'tiger', 'deer', 'squirrel', 'lizard',
  'car', 'bus', 'airplane', 'bicycle', 'boat', 'truck', 'musical instrument', 'ball', 'fruit', 'vegetables', 'food', 'flower',
  'plant', 'sign', 'portrait', 'building', 'street', 'beach', 'lake', 'mountain', 'forest', 'field', 'sky', 'sea',
] as const;

const ask = (q: string) => `${IMAGE}\nRepresent the given image with the following question: ${q}`;
const classify = `${IMAGE}\nIdentify the object shown in the image`;
const t2i = (caption: string) => `Find me an everyday image that matches the given caption: ${caption}`;
const i2t = `${IMAGE}\nFind an image caption describing the given everyday image.`;
const imageTarget = `${IMAGE}\nRepresent the given image.`;

const firstOf = <T extends string>(list: readonly T[], labels: readonly string[]): T | undefined => list.find((c) => labels.includes(c));

/** Rows of a closed-answer set: the right answer first, then every other answer the photo does not also fit. */
function closedRows(items: { image: string; query: string; answer: string; fits: readonly string[] }[], answers: readonly string[]): MmebEvalRow[] {
  return items.map((it) => {
    const others = answers.filter((a) => a !== it.answer && !it.fits.includes(a));
    return { qry_text: it.query, qry_img_path: it.image, tgt_text: [it.answer, ...others], tgt_img_path: [it.answer, ...others].map(() => '') };
  });
}

/** The caption of a photo: its labels, most specific (rarest in the library) first. */
function caption(f: DevFile, freq: Map<string, number>): string {
  const ls = [...f.labels].sort((a, b) => (freq.get(a) ?? 0) - (freq.get(b) ?? 0) || a.localeCompare(b)).slice(0, 3);
  return `A photo of ${ls.join(', ')}.`;
}

/** The first line of a document: what a person reads first ("MacBike Rental", "Gentle Yoga"). */
const headline = (f: DevFile): string => (f.text ?? '').split('\n')[0]!.trim();

/** A line of a document that no other document shares, after its headline (a phrase to search for). */
function phraseOf(f: DevFile, all: DevFile[]): string {
  const lines = (f.text ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length >= 8);
  const elsewhere = (l: string) => all.some((g) => g !== f && (g.text ?? '').toLowerCase().includes(l.toLowerCase()));
  return lines.slice(1).find((l) => !elsewhere(l) && /[a-z]{3}/i.test(l)) ?? lines[0]!;
}

export interface DevDataset {
  name: string;
  metaTask: 'classification' | 'vqa' | 'retrieval';
  description: string;
  rows: MmebEvalRow[];
}

/** The datasets, from the library's manifest files; image paths relative to the library. */
export function devDatasets(files: DevFile[]): DevDataset[] {
  const pictures = files.filter((f) => f.source === 'photo' || f.source === 'cutout');
  const documents = files.filter((f) => f.source === 'document' && f.text);
  const freq = new Map<string, number>();
  for (const f of pictures) for (const l of f.labels) freq.set(l, (freq.get(l) ?? 0) + 1);
  const rng = new Rng('real-dev-v1');
  const out: DevDataset[] = [];

  const animals = pictures.flatMap((f) => {
    const a = firstOf(ANIMAL_ANSWERS, f.labels);
    return a ? [{ image: f.path, answer: a, fits: f.labels }] : [];
  });
  out.push({
    name: 'vqa-real-animal',
    metaTask: 'vqa',
    description: `"What animal is this?" on photos of animals; answers: ${ANIMAL_ANSWERS.length} basic-level animal words`,
    rows: closedRows(animals.map((x) => ({ ...x, query: ask('What animal is this?') })), ANIMAL_ANSWERS),
  });

  const counts = ['0', '1', '2', '3', '4', '5', '6', '7'];
  const withPeople = pictures.filter((f) => (f.people ?? 0) > 0);
  const without = rng.sample(pictures.filter((f) => (f.people ?? 0) === 0 && !f.labels.includes('portrait') && !f.labels.includes('face')), withPeople.length);
  out.push({
    name: 'vqa-real-people',
    metaTask: 'vqa',
    description: '"How many people are in the image?" (0-7) on every photo with people and as many without',
    rows: closedRows(
      [...withPeople, ...without].sort((a, b) => a.path.localeCompare(b.path)).map((f) => ({ image: f.path, query: ask('How many people are in the image?'), answer: String(f.people ?? 0), fits: [] })),
      counts,
    ),
  });

  const headlines = documents.map(headline);
  out.push({
    name: 'vqa-real-text',
    metaTask: 'vqa',
    description: '"What is written at the top?" on photographed documents; candidates: the first lines of every document',
    rows: closedRows(
      documents.map((f) => ({ image: f.path, query: ask('What is written at the top of this?'), answer: headline(f), fits: [] })),
      headlines,
    ),
  });

  const categorised = pictures.flatMap((f) => {
    const c = firstOf(PHOTO_CATEGORIES, f.labels);
    return c ? [{ image: f.path, query: classify, answer: c, fits: f.labels }] : [];
  });
  out.push({ name: 'cls-real-photo', metaTask: 'classification', description: `what a photo shows: ${PHOTO_CATEGORIES.length} categories (the most specific the photo has)`, rows: closedRows(categorised, PHOTO_CATEGORIES) });
  const animalSpecies = pictures.filter((f) => f.labels.includes('animal'));
  const speciesOf = (f: DevFile): string => [...f.labels].filter((l) => !['animal', 'pet'].includes(l) && (freq.get(l) ?? 0) <= 22).sort((a, b) => (freq.get(a) ?? 0) - (freq.get(b) ?? 0) || a.localeCompare(b))[0] ?? 'animal';
  const species = [...new Set(animalSpecies.map(speciesOf))].sort();
  out.push({
    name: 'cls-real-animal',
    metaTask: 'classification',
    description: `which animal exactly (${species.length} names: the rarest animal word of each photo's labels)`,
    rows: closedRows(animalSpecies.map((f) => ({ image: f.path, query: classify, answer: speciesOf(f), fits: f.labels })), species),
  });

  // retrieval: a caption -> its photo among the photos that do not also fit it
  const fitsCaption = (f: DevFile, words: string[]) => words.every((w) => f.labels.includes(w));
  const captioned = pictures.map((f) => ({ f, cap: caption(f, freq), words: [...f.labels].sort((a, b) => (freq.get(a) ?? 0) - (freq.get(b) ?? 0) || a.localeCompare(b)).slice(0, 3) }));
  out.push({
    name: 'ret-real-t2i',
    metaTask: 'retrieval',
    description: "a caption made of a photo's three most specific labels -> the photo, among every photo that does not fit it as well",
    rows: captioned.map(({ f, cap, words }) => {
      const others = pictures.filter((g) => g !== f && !fitsCaption(g, words)).map((g) => g.path);
      return { qry_text: t2i(cap), qry_img_path: '', tgt_text: [imageTarget, ...others.map(() => imageTarget)], tgt_img_path: [f.path, ...others] };
    }),
  });
  out.push({
    name: 'ret-real-i2t',
    metaTask: 'retrieval',
    description: 'a photo -> its caption, among the captions of every photo it does not also fit',
    rows: captioned.map(({ f, cap }) => {
      const others = [...new Set(captioned.filter((c) => c.f !== f && !fitsCaption(f, c.words)).map((c) => c.cap))].filter((c) => c !== cap);
      return { qry_text: i2t, qry_img_path: f.path, tgt_text: [cap, ...others], tgt_img_path: [cap, ...others].map(() => '') };
    }),
  });
  out.push({
    name: 'ret-real-t2i-text',
    metaTask: 'retrieval',
    description: 'a line written on a document (one no other document has) -> the photo of it, among every photo and document',
    rows: documents.map((f) => {
      const others = [...documents, ...pictures].filter((g) => g !== f).map((g) => g.path);
      return { qry_text: t2i(phraseOf(f, documents)), qry_img_path: '', tgt_text: [imageTarget, ...others.map(() => imageTarget)], tgt_img_path: [f.path, ...others] };
    }),
  });
  return out;
}

function parseArgs(argv: string[]): { searchDev: string; out: string } {
  const a = { searchDev: '.trove-build/search-dev', out: '.trove-build/real-dev' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (argv[i + 1] === undefined) throw new Error(`${k} needs a folder`);
    if (k === '--search-dev') a.searchDev = argv[++i]!;
    else if (k === '--out') a.out = argv[++i]!;
    else throw new Error(`unknown argument ${k} (known: --search-dev DIR, --out DIR)`);
  }
  return a;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(join(a.searchDev, 'manifest.json'), 'utf8')) as { files: DevFile[] };
  const out = resolve(a.out);
  mkdirSync(out, { recursive: true });
  const sets = devDatasets(manifest.files);
  for (const s of sets) await writeMmebEvalParquet(join(out, `${s.name}.parquet`), s.rows);
  const suite = {
    name: 'trove-real-dev',
    imageRoot: relative(out, resolve(a.searchDev, 'library')),
    datasets: sets.map((s) => ({ name: s.name, metaTask: s.metaTask, split: 'OOD', description: s.description })),
  };
  writeFileSync(join(out, 'suite.json'), JSON.stringify(suite, null, 2) + '\n');
  for (const s of sets) console.log(`${s.name}: ${s.rows.length} rows, ${Math.min(...s.rows.map((r) => r.tgt_text.length))}-${Math.max(...s.rows.map((r) => r.tgt_text.length))} candidates`);
  console.log(`suite: ${out} (images in ${suite.imageRoot})`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
