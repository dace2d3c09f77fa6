import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForModel, decodeIntermediate, ensureThumbnail, modelInputFrom, probeImage, readExif, thumbnailFile } from '../../../main/engine/library/images';
import { cropForModel } from '../../../main/engine/queries/ground';
import { tempDir } from '../../support/tmp';

let dir: ReturnType<typeof tempDir>;
let photo: Buffer;

beforeAll(async () => {
  dir = tempDir();
  // 40x20 stored, left half red, right half blue; EXIF says "rotate 90° clockwise" (orientation 6)
  const raw = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 40; x++) {
      const o = (y * 40 + x) * 3;
      if (x < 20) raw[o] = 255;
      else raw[o + 2] = 255;
    }
  photo = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'Canon', Model: 'EOS 5D' },
      IFD2: { DateTimeOriginal: '2021:07:04 10:30:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 40/1' },
    })
    .toBuffer();
});
afterAll(() => dir.cleanup());

describe('photos', () => {
  it('reports dimensions after EXIF rotation, and the orientation', async () => {
    expect(await probeImage(photo)).toEqual({ width: 20, height: 40, orientation: 6 });
  });

  it('reads date taken, camera and GPS from EXIF', async () => {
    const exif = await readExif(photo);
    expect(exif.cameraMake).toBe('Canon');
    expect(exif.cameraModel).toBe('EOS 5D');
    expect(new Date(exif.takenAt!).getFullYear()).toBe(2021);
    expect(exif.gpsLat).toBeCloseTo(48.8583, 3);
    expect(exif.gpsLon).toBeCloseTo(2.2944, 3);
    expect(await readExif(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer())).toEqual({
      takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null,
    });
  });

  it('decodes to the model size as upright RGB', async () => {
    const rgb = await decodeForModel(photo, { width: 8, height: 8 });
    expect(rgb.data.length).toBe(8 * 8 * 3);
    // rotated 90° clockwise, the red (left) half is on top, blue at the bottom
    const px = (x: number, y: number) => Array.from(rgb.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3));
    expect(px(4, 0)[0]).toBeGreaterThan(200);
    expect(px(4, 7)[2]).toBeGreaterThan(200);
  });

  it("keeps the whole photo for a model that resizes images itself ('area': aspect kept, at most the pixel budget)", async () => {
    // upright the photo is 20 wide, 40 tall: red on top, blue below
    const budget = { width: 10, height: 10, fit: 'area' as const };
    for (const rgb of [await decodeForModel(photo, budget), await modelInputFrom(await decodeIntermediate(photo, 10), budget)]) {
      expect([rgb.width, rgb.height]).toEqual([7, 14]); // 7 x 14 = 98 <= 100 pixels, 1:2 kept
      const px = (x: number, y: number) => Array.from(rgb.data.subarray((y * rgb.width + x) * 3, (y * rgb.width + x) * 3 + 3));
      // nothing cropped: the first and the last rows are the photo's own top and bottom
      expect(px(3, 0)[0]).toBeGreaterThan(200);
      expect(px(3, 13)[2]).toBeGreaterThan(200);
    }
    // never enlarged; a region keeps its own aspect
    expect((await decodeForModel(photo, { width: 100, height: 100, fit: 'area' })).width).toBe(20);
    const img = await decodeIntermediate(photo, 20);
    const crop = await cropForModel(img, { x: 0, y: 0, width: 1, height: 0.25 }, budget);
    expect([crop.width, crop.height]).toEqual([14, 7]); // the top quarter, 20 x 10, to 98 pixels
    // a fixed-size model still gets its square
    expect(await cropForModel(img, { x: 0, y: 0, width: 1, height: 0.25 }, { width: 8, height: 8 })).toMatchObject({ width: 8, height: 8 });
  });

  it('decodes grey, RGBA, 16-bit and CMYK images to 3-channel RGB', async () => {
    const grey = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#808080' } }).greyscale().png().toBuffer();
    const rgba = await sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const deep = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ff0000' } }).png().toColourspace('rgb16').toBuffer();
    const cmyk = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#0000ff' } }).toColourspace('cmyk').jpeg().toBuffer();
    for (const b of [grey, rgba, deep, cmyk]) {
      const rgb = await decodeForModel(b, { width: 4, height: 4 });
      expect(rgb.data.length).toBe(4 * 4 * 3);
    }
    const blue = await decodeForModel(cmyk, { width: 4, height: 4 });
    expect(blue.data[2]! - blue.data[0]!).toBeGreaterThan(60); // still blue after CMYK -> sRGB
  });

  it('puts transparency on white, as the indexing path (decodeIntermediate + modelInputFrom) does', async () => {
    const clear = await sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const direct = await decodeForModel(clear, { width: 4, height: 4 });
    const viaIntermediate = await modelInputFrom(await decodeIntermediate(clear, 4), { width: 4, height: 4 });
    expect(Math.min(...direct.data)).toBe(255);
    expect(Array.from(direct.data)).toEqual(Array.from(viaIntermediate.data));
  });

  it('writes an upright thumbnail, cached by content hash', async () => {
    const file = thumbnailFile(join(dir.path, 'thumbs'), 'ab'.repeat(32));
    expect(file).toBe(join(dir.path, 'thumbs', 'ab', `${'ab'.repeat(32)}.webp`));
    await ensureThumbnail(photo, file);
    const meta = await sharp(file).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 20, 40]);
    await ensureThumbnail(Buffer.from('not an image'), file); // cached: not decoded again
  });
});
