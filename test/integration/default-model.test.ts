// The committed default model, native-models/vlm2vec-nano: its files match the manifest's
// SHA-256s (and a damaged copy is refused), and through the real engine each instruction
// mode does what only a working model can do, on fixtures made here that no training or
// eval set contains (the eval-set images of Sort into labels excepted: no model trained on
// them). Every quality check fails with the hashed test double swapped in
// (TROVE_TEST_SWAP_IN_DOUBLE=hashed; test/README.md, "Mutation checks"):
// - Find by image: a view of a real photo, mirrored, in grey, cropped and darker, finds
//   that photo (colours, the double's only image signal, are gone);
// - Ask: the background's colour among the built-in answers, and among the user's options;
// - Sort into labels: Fashion-MNIST test images into their 10 classes;
// - Point at: in a photo of one object on a bare background, the box lands on the object.
// The embedding is what is tested, so Find ranks by it alone (ranking: 'embedding') and
// the perception models stay off.
// Text Find is not here: this model ranks a note by its meaning no better than chance
// when query and note share no words, so any text check it passes, a bag of words passes
// too; mini-mmeb-slice.test.ts checks text retrieval where it beats bag-of-words (WordNet).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../main/contract/api';
import { findModelDir } from '../../main/engine/model-loader';
import { TroveEngine } from '../../main/engine/service';
import { loadModel } from '../../main/ml/models';
import { readModelPackage } from '../../main/ml/models/model-package';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import { writeSliceImages } from '../support/mini-mmeb-slice';
import { DOUBLE_SWAPPED_IN, modelUnderTest } from '../support/model-under-test';
import { tempDir } from '../support/tmp';

const CORAL = resolve(__dirname, '..', 'fixtures', 'photos', 'coral');

type Rgb = [number, number, number];
const BACKGROUNDS: Record<string, Rgb> = { red: [220, 30, 30], blue: [30, 60, 220], green: [30, 170, 60], yellow: [240, 220, 40] };

/** A picture: a coloured background with a few shapes, all placed by `seed`. */
function scene(seed: number, bg: Rgb): Buffer {
  const r = (k: number) => (Math.sin(seed * 97.13 + k * 13.7) * 43758.5453) % 1;
  const u = (k: number) => Math.abs(r(k));
  const colours = ['#222', '#fff', '#f80', '#0aa', '#808', '#963'];
  const shapes = Array.from({ length: 4 }, (_, i) => {
    const x = Math.round(30 + u(i * 5) * 180);
    const y = Math.round(30 + u(i * 5 + 1) * 180);
    const s = Math.round(20 + u(i * 5 + 2) * 50);
    const c = colours[Math.floor(u(i * 5 + 3) * colours.length)];
    return u(i * 5 + 4) < 0.5 ? `<circle cx="${x}" cy="${y}" r="${s / 2}" fill="${c}"/>` : `<rect x="${x - s / 2}" y="${y - s / 2}" width="${s}" height="${s}" fill="${c}"/>`;
  });
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="rgb(${bg.join(',')})"/>${shapes.join('')}</svg>`);
}

/** Real photos (google-coral test_data, Apache-2.0: test/fixtures/photos/coral/PROVENANCE.md) and a caption of each. */
const OBJECTS: Record<string, string> = {
  'cat.png': 'cat',
  'bird.png': 'bird',
  'dragonfly.png': 'dragonfly',
  'hot_dog.jpg': 'hot dog',
  'parrot.jpg': 'parrot',
  'sunflower.png': 'sunflower',
  'owl.jpg': 'owl',
  'grace_hopper.png': 'woman in uniform',
};

/** Point at's photos: one object (a coral photo, `side` px square) on a bare background, in each corner of a 640x480 frame. */
const FRAME = { width: 640, height: 480 };
const MARGIN = 24;
const BARE = ['#f0f0f0', '#d8e4f0', '#e8e0d0', '#ffffff'];
interface Placed {
  file: string;
  folder: string;
  caption: string;
  object: { x: number; y: number; width: number; height: number };
}

async function writeLoneObjects(root: string): Promise<Placed[]> {
  const placed: Placed[] = [];
  const names = Object.keys(OBJECTS);
  for (let k = 0; k < names.length; k++) {
    const folder = join(root, names[k]!.split('.')[0]!);
    mkdirSync(folder, { recursive: true });
    const side = 180 + 20 * (k % 3);
    const tile = await sharp(join(CORAL, names[k]!)).resize(side, side, { fit: 'cover' }).png().toBuffer();
    for (let c = 0; c < 4; c++) {
      const x = c % 2 ? FRAME.width - side - MARGIN : MARGIN;
      const y = c >= 2 ? FRAME.height - side - MARGIN : MARGIN;
      const file = join(folder, `corner-${c}.png`);
      await sharp({ create: { ...FRAME, channels: 3, background: BARE[(k + c) % 4]! } })
        .composite([{ input: tile, left: x, top: y }])
        .png()
        .toFile(file);
      placed.push({ file, folder, caption: OBJECTS[names[k]!]!, object: { x, y, width: side, height: side } });
    }
  }
  return placed;
}

const overlap = (a: Placed['object'], b: Placed['object']) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/**
 * The box points at the object: it holds at least half of the object, and the object fills
 * at least twice the share of the box that it fills of the photo (the whole photo never
 * counts). Of the 35 regions Point at compares, 13% land so, on average over these photos.
 */
function landsOn(box: Placed['object'], object: Placed['object']): boolean {
  const inter = overlap(box, object);
  const objectArea = object.width * object.height;
  return inter >= 0.5 * objectArea && inter / (box.width * box.height) >= (2 * objectArea) / (FRAME.width * FRAME.height);
}

let dir: ReturnType<typeof tempDir>;
let model: EmbeddingModel;
let engine: TroveEngine;
const ids = new Map<string, number>();
const sources: Record<string, number> = {};
/** Point at's photos: one folder (and source) per object */
const objectSources = new Map<string, number>();
let lone: Placed[];
let fashionTruth: Map<string, string>;
const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

beforeAll(async () => {
  dir = tempDir();
  const lib = (name: string) => {
    const p = join(dir.path, 'library', name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  let seed = 0;
  for (const [name, bg] of Object.entries(BACKGROUNDS)) await sharp(scene(++seed, bg)).png().toFile(join(lib('colours'), `${name}.png`));
  for (const name of Object.keys(OBJECTS)) copyFileSync(join(CORAL, name), join(lib('photos'), name));
  lone = await writeLoneObjects(lib('objects'));
  // Fashion-MNIST test images (the committed mini-MMEB slice): the first ten of each class
  const rows = await writeSliceImages(join(dir.path, 'slice-images'));
  fashionTruth = new Map();
  for (const label of FASHION_LABELS) {
    for (const row of rows.filter((r) => r.candidates[0]!.text === label).slice(0, 10)) {
      const name = `${row.query.imagePath!.split('/').pop()}`;
      copyFileSync(row.query.image!, join(lib('fashion'), name));
      fashionTruth.set(name, label);
    }
  }
  expect(fashionTruth.size).toBe(100);

  model = await modelUnderTest();
  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model, batchSize: 8, ranking: 'embedding', perception: false });
  for (const name of ['colours', 'photos', 'fashion']) sources[name] = (await engine.addSource({ path: lib(name) })).id;
  for (const folder of new Set(lone.map((p) => p.folder))) objectSources.set(folder, (await engine.addSource({ path: folder })).id);
  await engine.startIndexing({});
  expect((await engine.waitForIndexing())?.state).toBe('done');
  const all = await engine.find({ text: 'x', k: 200, filters: {}, sort: 'relevance' });
  for (const r of all.results) ids.set(r.path.split('/').slice(-2).join('/'), r.id);
  expect(ids.size).toBe(4 + 8 + 32 + 100);
}, 600_000);

afterAll(async () => {
  await engine?.close();
  dir?.cleanup();
});

describe('the committed vlm2vec-nano package', () => {
  it('is found as the default model, and every file matches its SHA-256 in the manifest', async () => {
    const pkgDir = findModelDir({});
    expect(pkgDir).toMatch(/native-models[/\\]vlm2vec-nano$/);
    const pkg = await readModelPackage(pkgDir!);
    expect(pkg.manifest.id).toBe('vlm2vec-nano');
    const files = Object.keys(pkg.manifest.files);
    expect(files).toEqual(expect.arrayContaining(['model.onnx', 'trunk.onnx', 'tokenizer.json']));
    for (const f of files) expect(createHash('sha256').update(readFileSync(join(pkgDir!, f))).digest('hex'), f).toBe(pkg.manifest.files[f]);
    if (!DOUBLE_SWAPPED_IN) expect(model.id).toBe('vlm2vec-nano');
    if (!DOUBLE_SWAPPED_IN) expect(model.dim).toBe(pkg.manifest.dim);
  });

  it('refuses a copy with one byte changed, naming the damaged file', async () => {
    const copy = join(dir.path, 'damaged');
    mkdirSync(copy);
    const src = findModelDir({})!;
    for (const f of readdirSync(src)) copyFileSync(join(src, f), join(copy, f));
    const tok = readFileSync(join(copy, 'tokenizer.json'));
    tok[10] = tok[10] === 0x20 ? 0x09 : 0x20;
    writeFileSync(join(copy, 'tokenizer.json'), tok);
    await expect(loadModel(copy)).rejects.toThrow(/tokenizer\.json of vlm2vec-nano is damaged/);
  });

  it('Find by image: a dropped view of a real photo (mirrored, grey, cropped, darker) ranks that photo first, for every photo', async () => {
    const first: string[] = [];
    for (const name of Object.keys(OBJECTS)) {
      const view = await sharp(join(CORAL, name)).flop().greyscale().resize(200, 180, { fit: 'cover' }).modulate({ brightness: 0.85 }).jpeg({ quality: 80 }).toBuffer();
      const res = await engine.find(methods.find.request.parse({ imageBase64: view.toString('base64'), k: 20, filters: { sourceIds: [sources.photos] } }) as never);
      first.push(res.results[0]?.path.split('/').pop() ?? '');
    }
    expect(first).toEqual(Object.keys(OBJECTS));
  });

  // vqa-colour-ind on the suite is ~90% P@1, so one miss in four is within what the model does; a miss must be a near one
  it('Ask: "What colour is the background?" ranks the right colour first for at least 3 of 4 backgrounds, and in the top 2 for all', async () => {
    const ranks: Record<string, number> = {};
    for (const colour of Object.keys(BACKGROUNDS)) {
      const res = await engine.ask(methods.ask.request.parse({ itemId: ids.get(`colours/${colour}.png`), question: 'What colour is the background?' }) as never);
      ranks[colour] = res.answers.findIndex((a) => a.text === colour) + 1;
    }
    for (const [colour, rank] of Object.entries(ranks)) {
      expect(rank, `${colour}: rank ${rank}`).toBeGreaterThanOrEqual(1);
      expect(rank, `${colour}: rank ${rank}`).toBeLessThanOrEqual(2);
    }
    expect(Object.values(ranks).filter((r) => r === 1).length, JSON.stringify(ranks)).toBeGreaterThanOrEqual(3);
  });

  it("Ask with the user's options: their right option ranks first among them for every background, and in the top 3 of all answers", async () => {
    const options = Object.keys(BACKGROUNDS).map((c) => `${c} background`);
    for (const colour of Object.keys(BACKGROUNDS)) {
      const res = await engine.ask(methods.ask.request.parse({ itemId: ids.get(`colours/${colour}.png`), question: 'What colour is the background?', options, k: 50 }) as never);
      const fromOptions = res.answers.filter((a) => a.fromOptions);
      expect(fromOptions[0]?.text, `${colour}: options ranked ${fromOptions.map((a) => a.text).join(' > ')}`).toBe(`${colour} background`);
      expect(res.answers.findIndex((a) => a.text === `${colour} background`) + 1, `${colour}: ${res.answers.slice(0, 3).map((a) => a.text).join(', ')}`).toBeLessThanOrEqual(3);
    }
  });

  // cls-fashion-mnist-ind on the suite is 82.3% P@1 (1,000 images); measured here: 78 of
  // 100; the bar leaves 3 near-ties to onnxruntime versions and thread counts (chance: 10)
  it('Sort into labels: Fashion-MNIST test photos go to their class, at least 75 of 100', async () => {
    await engine.sortIntoLabels(methods.sortIntoLabels.request.parse({ labels: FASHION_LABELS }) as never);
    expect((await engine.waitForLabels())?.state).toBe('done');
    const wrong: string[] = [];
    let right = 0;
    for (const label of FASHION_LABELS) {
      const res = await engine.find({ text: 'x', k: 100, filters: { label, sourceIds: [sources.fashion] }, sort: 'relevance' });
      for (const r of res.results) {
        const name = r.path.split('/').pop()!;
        if (fashionTruth.get(name) === label) right++;
        else wrong.push(`${name} (${fashionTruth.get(name)}) -> ${label}`);
      }
    }
    expect(right + wrong.length).toBe(100);
    expect(right, wrong.join('; ')).toBeGreaterThanOrEqual(75);
  });

  // measured: 11 of 32 (the model's grounding is weak: 16.6% P@1 among 100 crops on the
  // suite); a region picked at random lands for 13%, about 4 of 32 (9 or more by chance: p = 0.02);
  // the whole photo never does
  it('Point at: in photos of one object on a bare background, the box lands on the object for at least 9 of 32', async () => {
    const misses: string[] = [];
    for (const [folder, sourceId] of objectSources) {
      const placed = lone.filter((p) => p.folder === folder);
      const res = await engine.pointAt(methods.pointAt.request.parse({ caption: placed[0]!.caption, k: placed.length, filters: { sourceIds: [sourceId] } }) as never);
      for (const p of placed) {
        const name = p.file.split('/').slice(-2).join('/');
        const hit = res.results.find((r) => r.path === p.file);
        expect(hit?.box, `${name} grounded`).toBeDefined();
        if (!landsOn(hit!.box!, p.object)) misses.push(`${name}: ${JSON.stringify(hit!.box)}`);
      }
    }
    expect(32 - misses.length, misses.join('\n')).toBeGreaterThanOrEqual(9);
  }, 300_000);
});
