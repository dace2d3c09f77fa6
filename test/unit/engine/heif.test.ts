// HEIC decoding (main/engine/library/heif.ts) on the real HEIC fixtures: libheif in its
// worker thread, upright pixels, one decode at a time, and damaged files refused with the reason.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { UnreadableFile } from '../../../main/engine/library/fs-errors';
import { decodeHeicPixels, isIsoMediaFile, needsLibheif } from '../../../main/engine/library/heif';
import { decodeForModel, openImage, probeImage } from '../../../main/engine/library/images';

const PHOTOS = resolve(__dirname, '..', '..', 'fixtures', 'photos');
const pets = readFileSync(join(PHOTOS, 'heic', 'pets-rotated.heic'));
const kite = readFileSync(join(PHOTOS, 'heic', 'south-haven-kite.heic'));

/** Mean absolute difference of two images squashed to 32 x 32 RGB. */
async function difference(a: sharp.Sharp, b: sharp.Sharp): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((s) => s.removeAlpha().resize(32, 32, { fit: 'fill' }).raw().toBuffer()));
  return x!.reduce((sum, v, i) => sum + Math.abs(v - y![i]!), 0) / x!.length;
}

describe('HEIC', () => {
  it('is told apart from AVIF, which sharp decodes itself', async () => {
    expect(isIsoMediaFile(pets)).toBe(true);
    expect(needsLibheif(await sharp(pets).metadata())).toBe(true);
    const avif = await sharp(join(PHOTOS, 'coral', 'pets.jpg')).resize(64).avif({ effort: 0 }).toBuffer();
    expect(isIsoMediaFile(avif)).toBe(true);
    expect(needsLibheif(await sharp(avif).metadata())).toBe(false);
    expect(isIsoMediaFile(readFileSync(join(PHOTOS, 'coral', 'pets.jpg')))).toBe(false);
  });

  it('decodes to upright RGBA by the file irot, with its EXIF Orientation 6 not applied on top', async () => {
    const px = await decodeHeicPixels(pets);
    expect([px.width, px.height, px.data.length]).toEqual([512, 430, 512 * 430 * 4]);
    const decoded = sharp(px.data, { raw: { width: px.width, height: px.height, channels: 4 } });
    const upright = await difference(decoded, sharp(join(PHOTOS, 'coral', 'pets.jpg')));
    expect(upright).toBeLessThan(8);
    const px2 = await decodeHeicPixels(pets);
    expect(await difference(sharp(px2.data, { raw: { width: 512, height: 430, channels: 4 } }), sharp(join(PHOTOS, 'coral', 'pets.jpg')).rotate(180))).toBeGreaterThan(4 * upright);
    expect(await probeImage(pets)).toEqual({ width: 512, height: 430, orientation: null });
  });

  it('decodes photos asked for at once, one after the other, each whole', async () => {
    const all = await Promise.all([kite, pets, kite].map((b) => decodeHeicPixels(b)));
    expect(all.map((p) => [p.width, p.height])).toEqual([
      [1352, 900],
      [512, 430],
      [1352, 900],
    ]);
    expect(all[0]!.data.equals(all[2]!.data)).toBe(true);
  });

  it('feeds the same pixels to every decode of the engine', async () => {
    const rgb = await decodeForModel(kite, { width: 64, height: 64 });
    expect([rgb.width, rgb.height, rgb.data.length]).toEqual([64, 64, 64 * 64 * 3]);
    expect(await difference(await openImage(kite), sharp(join(PHOTOS, 'coral', 'kite_and_cold.jpg')))).toBeLessThan(8);
  });

  it('refuses a file libheif cannot read, with its reason', async () => {
    const unknownBrand = Buffer.from(kite);
    unknownBrand.write('heim', 8, 'latin1'); // a major brand heic-decode does not take
    await expect(decodeHeicPixels(unknownBrand)).rejects.toThrow(UnreadableFile);
    await expect(decodeHeicPixels(unknownBrand)).rejects.toThrow(/could not be decoded by libheif \(input buffer is not a HEIC image\)/);
    // the worker still serves the next photo
    expect((await decodeHeicPixels(pets)).width).toBe(512);
  });
});
