// Files from real libraries through the real engine: iPhone-style HEIC photos (real photos
// encoded by libheif's heif-enc, test/fixtures/photos/heic/PROVENANCE.md) and notes in legacy
// encodings. Indexed (embedding, thumbnail, EXIF, the real perception passes), found (by
// place, by object, by image, by a word of a note) and shown (the viewer's JPEG rendition).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExif } from '../../main/engine/library/images';
import { TroveEngine } from '../../main/engine/service';
import { openDb } from '../../main/engine/store/db';
import { HashedTestEmbedder } from '../doubles/hashed-embedder';
import { tempDir } from '../support/tmp';

const PHOTOS = resolve(__dirname, '..', 'fixtures', 'photos');
const NOTES = {
  /** Windows-1252: typographic quotes and dash, é, £ */
  'receipt.txt': { bytes: (s: string) => iconv.encode(s, 'windows-1252'), text: 'Receipt from “Le Petit Café” — total £12.50, paid in cash. Très bien!\r\n' },
  /** UTF-16LE as Windows writes it, but without the BOM */
  'starter.txt': { bytes: (s: string) => Buffer.from(s, 'utf16le'), text: 'Sourdough starter: feed it at nine o’clock with rye flour, water and patience.\r\n' },
  /** ISO-8859-1 */
  'koeln.md': { bytes: (s: string) => iconv.encode(s, 'latin1'), text: '# Grüße aus Köln\n\nDer Dom ist schön, das Kölsch auch. Zwölf Brücken über den Rhein.\n' },
};

let dir: ReturnType<typeof tempDir>;
let engine: TroveEngine;
let data: string;
const ids = new Map<string, number>();

/** Mean absolute difference of two images squashed to 32 x 32 RGB. */
async function difference(a: sharp.Sharp, b: sharp.Sharp): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((s) => s.removeAlpha().resize(32, 32, { fit: 'fill' }).raw().toBuffer()));
  return x!.reduce((sum, v, i) => sum + Math.abs(v - y![i]!), 0) / x!.length;
}

beforeAll(async () => {
  dir = tempDir('trove-real-files-');
  const lib = join(dir.path, 'Camera Roll');
  mkdirSync(join(lib, 'notes'), { recursive: true });
  copyFileSync(join(PHOTOS, 'heic', 'south-haven-kite.heic'), join(lib, 'IMG_4101.HEIC'));
  copyFileSync(join(PHOTOS, 'heic', 'pets-rotated.heic'), join(lib, 'IMG_4102.HEIC'));
  copyFileSync(join(PHOTOS, 'coral', 'hot_dog.jpg'), join(lib, 'IMG_4103.jpg'));
  for (const [name, n] of Object.entries(NOTES)) writeFileSync(join(lib, 'notes', name), n.bytes(n.text));
  writeFileSync(join(lib, 'notes', 'really-a-png.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]));

  data = join(dir.path, 'data');
  engine = new TroveEngine({ dataDir: data, model: new HashedTestEmbedder() });
  await engine.addSource({ path: lib });
  await engine.startIndexing({});
  expect((await engine.waitForIndexing())!.state).toBe('done');
  const db = openDb(join(data, 'trove.db'));
  for (const r of db.prepare('SELECT id, path FROM items').all() as { id: number; path: string }[]) ids.set(r.path.slice(r.path.lastIndexOf('/') + 1), r.id);
  db.close();
}, 240_000);

afterAll(async () => {
  await engine?.close();
  dir.cleanup();
});

describe('HEIC photos', () => {
  it('are indexed with their EXIF date, camera and GPS, and shown upright', async () => {
    expect((await engine.listErrors({ limit: 50 })).map((e) => e.path.slice(e.path.lastIndexOf('/') + 1))).toEqual(['really-a-png.txt']);
    const kite = await engine.getItem({ id: ids.get('IMG_4101.HEIC')! });
    const jpegExif = await readExif(readFileSync(join(PHOTOS, 'coral', 'kite_and_cold.jpg')));
    expect(jpegExif.takenAt).not.toBeNull();
    expect(kite).toMatchObject({ kind: 'image', width: 1352, height: 900, takenAt: jpegExif.takenAt, camera: 'Canon Canon EOS REBEL T1i' });
    expect(kite.gps!.lat).toBeCloseTo(42.4031, 4);
    expect(kite.gps!.lon).toBeCloseTo(-86.2736, 4);
    // stored sideways with irot and EXIF Orientation 6: shown as the file's transformations say
    expect(await engine.getItem({ id: ids.get('IMG_4102.HEIC')! })).toMatchObject({ width: 512, height: 430 });
  });

  it('get a thumbnail made from the upright pixels', async () => {
    const thumb = engine.thumbnailPath(ids.get('IMG_4102.HEIC')!)!;
    expect(existsSync(thumb)).toBe(true);
    expect(await sharp(thumb).metadata()).toMatchObject({ format: 'webp', width: 320, height: 269 });
    const pets = join(PHOTOS, 'coral', 'pets.jpg');
    const upright = await difference(sharp(thumb), sharp(pets));
    expect(upright).toBeLessThan(8);
    expect(await difference(sharp(thumb), sharp(pets).rotate(180))).toBeGreaterThan(4 * upright);
    expect(await sharp(engine.thumbnailPath(ids.get('IMG_4101.HEIC')!)!).metadata()).toMatchObject({ width: 320, height: 213 });
  });

  it('go through every perception pass', async () => {
    const db = openDb(join(data, 'trove.db'));
    try {
      for (const f of ['IMG_4101.HEIC', 'IMG_4102.HEIC']) {
        const passes = db.prepare('SELECT pass, state, error FROM item_passes WHERE item_id = ? ORDER BY pass').all(ids.get(f)) as { pass: string; state: string; error: string | null }[];
        expect(passes.map((p) => p.pass)).toEqual(['colours', 'faces', 'labels', 'objects', 'places', 'text']);
        expect(passes.filter((p) => p.state !== 'done'), f).toEqual([]);
      }
      const objects = db.prepare(`SELECT tag, count FROM item_tags WHERE item_id = ? AND pass = 'objects'`).all(ids.get('IMG_4102.HEIC')) as { tag: string; count: number }[];
      expect(objects).toContainEqual({ tag: 'dog', count: 2 });
    } finally {
      db.close();
    }
  });

  it('are found by the place their GPS names and by what they show', async () => {
    const place = await engine.find({ text: 'photos from South Haven', k: 5, filters: {}, sort: 'relevance' });
    expect(place.results[0]!.id).toBe(ids.get('IMG_4101.HEIC'));
    expect(place.results[0]!.why).toContainEqual(expect.objectContaining({ kind: 'place' }));
    const kites = await engine.find({ text: 'kites', k: 5, filters: {}, sort: 'relevance' });
    expect(kites.results[0]!.id).toBe(ids.get('IMG_4101.HEIC'));
    expect(kites.results[0]!.why).toContainEqual(expect.objectContaining({ kind: 'object', label: expect.stringMatching(/kite/) }));
    // (the hot dog photo's 'hotdog' label matches 'dogs' too)
    const dogs = await engine.find({ text: 'dogs', k: 5, filters: {}, sort: 'relevance' });
    const pets = dogs.results.slice(0, 2).find((r) => r.id === ids.get('IMG_4102.HEIC'));
    expect(pets?.why?.some((w) => w.kind === 'label' || w.kind === 'object')).toBe(true);
  });

  it('are read by Find by image (from the library and dropped), Ask and Point at', async () => {
    const pets = ids.get('IMG_4102.HEIC')!;
    const similar = await engine.find({ imageItemId: pets, k: 3, filters: {}, sort: 'relevance' });
    expect(similar.results[0]!.id).toBe(pets);
    const dropped = await engine.find({ imageBase64: readFileSync(join(PHOTOS, 'heic', 'pets-rotated.heic')).toString('base64'), k: 3, filters: {}, sort: 'relevance' });
    expect(dropped.results[0]!.id).toBe(pets);
    expect(dropped.results[0]!.score).toBeCloseTo(similar.results[0]!.score, 5);
    const answers = await engine.ask({ itemId: pets, question: 'How many dogs are there?', options: [], k: 3 });
    expect(answers.answers).toHaveLength(3);
    const pointed = await engine.pointAt({ caption: 'a dog', k: 5, filters: {} });
    const box = pointed.results.find((r) => r.id === pets)?.box;
    expect(box).toBeDefined();
    expect(box!.x + box!.width).toBeLessThanOrEqual(512);
    expect(box!.y + box!.height).toBeLessThanOrEqual(430);
  });

  it('are served to the viewer as an upright JPEG rendition, made once (what both UI hosts ask the engine for)', async () => {
    const roots = await engine.allowedRoots('original');
    const kite = await engine.resolveFile('original', ids.get('IMG_4101.HEIC')!);
    expect(kite).toMatch(/renditions\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
    expect(roots.some((r) => kite!.startsWith(r + '/'))).toBe(true);
    expect(await sharp(kite!).metadata()).toMatchObject({ format: 'jpeg', width: 1352, height: 900 });
    expect(await engine.resolveFile('original', ids.get('IMG_4101.HEIC')!)).toBe(kite);
    const pets = (await engine.resolveFile('original', ids.get('IMG_4102.HEIC')!))!;
    expect(await sharp(pets).metadata()).toMatchObject({ width: 512, height: 430 });
    expect(await difference(sharp(pets), sharp(join(PHOTOS, 'coral', 'pets.jpg')))).toBeLessThan(8);
    // a JPEG is served as itself
    expect(await engine.resolveFile('original', ids.get('IMG_4103.jpg')!)).toMatch(/IMG_4103\.jpg$/);
    // opening or revealing a photo outside the app takes the photo itself, never the rendition
    expect(await engine.resolveFile('file', ids.get('IMG_4101.HEIC')!)).toMatch(/IMG_4101\.HEIC$/);
    expect(await engine.allowedRoots('file')).not.toContainEqual(expect.stringMatching(/renditions/));
  });
});

describe('notes in legacy encodings', () => {
  it('are indexed and read back exactly', async () => {
    for (const [name, n] of Object.entries(NOTES)) expect((await engine.getItem({ id: ids.get(name)! })).text, name).toBe(n.text);
  });

  it('are found by a word in them', async () => {
    const first = async (text: string) => (await engine.find({ text, k: 5, filters: { kinds: ['note'] }, sort: 'relevance' })).results[0]?.id;
    expect(await first('Petit Café receipt')).toBe(ids.get('receipt.txt'));
    expect(await first('sourdough')).toBe(ids.get('starter.txt'));
    expect(await first('Kölsch')).toBe(ids.get('koeln.md'));
  });

  it('a binary file named .txt is refused, saying what was tried', async () => {
    const err = (await engine.listErrors({ limit: 50 })).find((e) => e.path.endsWith('really-a-png.txt'));
    expect(err?.reason).toMatch(/binary data, not text: tried UTF-8, .*windows-1252/);
  });
});
