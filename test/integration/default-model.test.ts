// The committed default model, native-models/vlm2vec-nano: its files match the manifest's
// SHA-256s (and a damaged copy is refused), and through the real engine it ranks known
// items first for known queries on fixtures made here (notes, photos and views of them
// that no training or eval set contains): Find text -> note, Find by a dropped view of a
// photo -> that photo, Ask "what colour is the background?" -> the right colour.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../main/contract/api';
import { findModelDir, loadDefaultModel } from '../../main/engine/model-loader';
import { TroveEngine } from '../../main/engine/service';
import { loadModel } from '../../main/ml/models';
import { readModelPackage } from '../../main/ml/models/model-package';
import type { EmbeddingModel } from '../../main/ml/models/embedding-model';
import { tempDir } from '../support/tmp';

const NOTES: Record<string, { text: string; query: string }> = {
  'chess.txt': { text: 'Chess engine with a graphical board: play chess against the computer, analyse your games and solve chess puzzles.', query: 'play chess against the computer' },
  'mail.txt': { text: 'Email client with an address book, a spam filter and encrypted mail: read, write and send email from several accounts.', query: 'send and read email' },
  'music.txt': { text: 'Music player that plays MP3, FLAC and Ogg audio files and organises your song collection into albums and playlists.', query: 'listen to music playlists' },
  'bread.txt': { text: 'Banana bread recipe: mash three ripe bananas, mix them with flour, sugar, eggs and butter, and bake the loaf for an hour.', query: 'banana bread recipe' },
  'backup.txt': { text: 'Backup tool that copies your files to an external disk every night, keeps old versions and restores deleted files.', query: 'backup my files to a disk' },
  'weather.txt': { text: 'Weather forecast applet showing temperature, rain, wind and a five-day forecast for your town on the desktop panel.', query: 'weather forecast for my town' },
};

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

let dir: ReturnType<typeof tempDir>;
let model: EmbeddingModel;
let engine: TroveEngine;
const ids = new Map<string, number>();
const PHOTOS: { name: string; seed: number; bg: Rgb }[] = [
  ...Object.entries(BACKGROUNDS).map(([name, bg], i) => ({ name: `${name}.png`, seed: i + 1, bg })),
  { name: 'grey-a.png', seed: 11, bg: [128, 128, 128] },
  { name: 'white-b.png', seed: 12, bg: [250, 250, 250] },
];

beforeAll(async () => {
  dir = tempDir();
  const lib = join(dir.path, 'library');
  mkdirSync(lib);
  for (const [name, n] of Object.entries(NOTES)) writeFileSync(join(lib, name), n.text + '\n');
  for (const p of PHOTOS) await sharp(scene(p.seed, p.bg)).png().toFile(join(lib, p.name));
  model = await loadDefaultModel();
  engine = new TroveEngine({ dataDir: join(dir.path, 'data'), model, batchSize: 8 });
  await engine.addSource({ path: lib });
  await engine.startIndexing({});
  expect((await engine.waitForIndexing())?.state).toBe('done');
  const all = await engine.find({ text: 'x', k: 100, filters: {}, sort: 'relevance' });
  for (const r of all.results) ids.set(r.path.split('/').pop()!, r.id);
  expect(ids.size).toBe(Object.keys(NOTES).length + PHOTOS.length);
}, 120_000);

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
    expect(model.id).toBe('vlm2vec-nano');
    expect(model.dim).toBe(pkg.manifest.dim);
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

  // A small model: on these six notes the committed package (step 150) puts 4 first and the
  // other two at ranks 2 and 3 (a random ranking: 1 in 6 first). The bar below keeps that.
  it('Find: each query ranks its note in the top 3 of 6 notes, and first for at least 4', async () => {
    const ranks: Record<string, number> = {};
    for (const [name, n] of Object.entries(NOTES)) {
      const res = await engine.find(methods.find.request.parse({ text: n.query, k: 20, filters: { kinds: ['note'] } }) as never);
      expect(res.results).toHaveLength(Object.keys(NOTES).length);
      ranks[n.query] = res.results.findIndex((r) => r.path.endsWith(`/${name}`)) + 1;
    }
    for (const [q, rank] of Object.entries(ranks)) expect(rank, `"${q}": rank ${rank}`).toBeGreaterThanOrEqual(1);
    for (const [q, rank] of Object.entries(ranks)) expect(rank, `"${q}": rank ${rank}`).toBeLessThanOrEqual(3);
    expect(Object.values(ranks).filter((r) => r === 1).length, JSON.stringify(ranks)).toBeGreaterThanOrEqual(4);
  });

  it('Find by image: a dropped view (flipped, cropped, darker) of a photo ranks that photo first', async () => {
    const first: string[] = [];
    for (const p of PHOTOS) {
      const view = await sharp(scene(p.seed, p.bg)).flop().extract({ left: 20, top: 12, width: 220, height: 230 }).modulate({ brightness: 0.85 }).jpeg({ quality: 80 }).toBuffer();
      const res = await engine.find(methods.find.request.parse({ imageBase64: view.toString('base64'), k: 20, filters: { kinds: ['image'] } }) as never);
      first.push(res.results[0]?.path.split('/').pop() ?? '');
    }
    expect(first).toEqual(PHOTOS.map((p) => p.name));
  });

  // vqa-colour-ind on the suite is ~90% P@1, so one miss in four is within what the model does; a miss must be a near one
  it('Ask: "What colour is the background?" ranks the right colour first for at least 3 of 4 backgrounds, and in the top 2 for all', async () => {
    const ranks: Record<string, number> = {};
    for (const colour of Object.keys(BACKGROUNDS)) {
      const res = await engine.ask(methods.ask.request.parse({ itemId: ids.get(`${colour}.png`), question: 'What colour is the background?' }) as never);
      ranks[colour] = res.answers.findIndex((a) => a.text === colour) + 1;
    }
    for (const [colour, rank] of Object.entries(ranks)) {
      expect(rank, `${colour}: rank ${rank}`).toBeGreaterThanOrEqual(1);
      expect(rank, `${colour}: rank ${rank}`).toBeLessThanOrEqual(2);
    }
    expect(Object.values(ranks).filter((r) => r === 1).length, JSON.stringify(ranks)).toBeGreaterThanOrEqual(3);
  });

  it('Point at: embeds region crops and returns a box inside each photo (grounding quality is the eval\'s grd-* sets)', async () => {
    const res = await engine.pointAt(methods.pointAt.request.parse({ caption: 'the white circle', k: 20 }) as never);
    expect(res.results.map((r) => r.path.split('/').pop()).sort()).toEqual(PHOTOS.map((p) => p.name).sort());
    for (const r of res.results) {
      const b = r.box!;
      expect(b.width).toBeGreaterThan(0);
      expect(b.height).toBeGreaterThan(0);
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(256);
      expect(b.y + b.height).toBeLessThanOrEqual(256);
    }
  });
});
