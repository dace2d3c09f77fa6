// The OCR pass with the real PP-OCRv4 package on committed photos: rendered document photos
// (test/fixtures/documents, made once by native-models/recipes/render-document-fixtures.ts;
// nothing is rendered here), the real till receipt in one coral photo, and real photos with
// no text. Quality figures for the choice of engine come from test/bench/ocr-bench.ts; the
// bars here only catch a reader that has broken.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cer, editDistance, scoreOcr } from '../../../main/ml/eval/ocr-metrics';
import type { TruthLine } from '../../../main/ml/eval/ocr-metrics';
import { loadTextReader } from '../../../main/ml/perception/ocr/reader';
import type { PaddleTextReader } from '../../../main/ml/perception/ocr/reader';
import type { RgbImage } from '../../../main/ml/perception/types';

const PACKAGE = resolve('native-models/ppocr-v4');
const DOCUMENTS = resolve('test/fixtures/documents');
const CORAL = resolve('test/fixtures/photos/coral');
/** the highest character error rate a document fixture may be read with */
const CER_BAR = 0.06;

async function decode(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const fixtures = readdirSync(DOCUMENTS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(DOCUMENTS, f), 'utf8')) as { width: number; height: number; lines: TruthLine[] }) }));

let reader: PaddleTextReader;
beforeAll(async () => {
  reader = await loadTextReader(PACKAGE, { providers: ['cpu'], threads: 2 });
}, 120_000);
afterAll(async () => {
  await reader?.dispose();
});

describe('PP-OCRv4 text reader', () => {
  it('has document fixtures to read', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
  });

  for (const fx of fixtures) {
    it(`reads ${fx.name} with a character error rate below ${CER_BAR}, each line boxed inside the photo`, async () => {
      const image = await decode(join(DOCUMENTS, `${fx.name}.jpg`));
      expect([image.width, image.height]).toEqual([fx.width, fx.height]);
      const lines = await reader.read(image);
      const score = scoreOcr(fx.lines, lines, image.width, image.height);
      expect(cer(score), `read: ${lines.map((l) => l.text).join(' | ')}`).toBeLessThan(CER_BAR);
      for (const l of lines) {
        expect(l.score).toBeGreaterThanOrEqual(0.5);
        expect(l.box.x).toBeGreaterThanOrEqual(0);
        expect(l.box.y).toBeGreaterThanOrEqual(0);
        expect(l.box.x + l.box.width).toBeLessThanOrEqual(1 + 1e-9);
        expect(l.box.y + l.box.height).toBeLessThanOrEqual(1 + 1e-9);
      }
    }, 120_000);
  }

  it('reads the real till receipt in a 512 x 384 coral photo, its words within one letter', async () => {
    // the receipt's text is about 7 pixels high and blurred: a person reads it, the reader
    // nearly does (TAXI for TAX1, CLEK for CLERK)
    const lines = await reader.read(await decode(join(CORAL, 'hot_dog.jpg')));
    const words = lines.flatMap((l) => l.text.toLowerCase().split(/[^a-z0-9]+/)).filter(Boolean);
    const near = ['date', 'hotdog', 'tax1', 'total', 'cash', 'change', 'clerk'].filter((w) => words.some((r) => editDistance(r, w) <= 1));
    expect(near.length, `read: ${lines.map((l) => l.text).join(' | ')}`).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('finds no text, or next to none, in real photos without text', async () => {
    const names = ['cat.png', 'bird.png', 'parrot.jpg', 'kite_and_cold.jpg', 'owl.jpg', 'pets.jpg'];
    const read = await Promise.all(names.map(async (n) => (await reader.read(await decode(join(CORAL, n)))).map((l) => `${n}: ${l.text}`)));
    expect(read.flat().length, read.flat().join(' | ')).toBeLessThanOrEqual(1);
  }, 120_000);

  it('refuses an image whose bytes do not match its size, saying what it got', async () => {
    await expect(reader.read({ width: 10, height: 10, data: new Uint8Array(10) })).rejects.toThrow(/width \* height \* 3 bytes; got 10x10 with 10 bytes/);
  });

  it('names the setting that is wrong in a bad config', async () => {
    await expect(loadTextReader(PACKAGE, { providers: ['cpu'] }, { detection: { side: 'large' } })).rejects.toThrow(/invalid config at "detection.side"/);
  });
});
