// Reading photos with sharp: header check against a pixel limit, EXIF (exifr), the
// model's input (EXIF-rotated, resized to the model's size, raw RGB) and a thumbnail
// cached by content hash. Every decode starts at openImage, which hands sharp either the
// file or, for HEIC, the pixels libheif decoded (heif.ts).
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import type { ModelImageSize, RgbImage } from '../../ml/models/embedding-model';
import { UnreadableFile } from './fs-errors';
import { decodeHeicPixels, isIsoMediaFile, needsLibheif } from './heif';
import { messageOf } from '../../base/errors';

/** Images declaring more pixels than this are refused before decoding (100 MP). */
export const MAX_IMAGE_PIXELS = 100_000_000;
export const THUMB_SIZE = 320;
/**
 * The thumbnails' encoding. Effort 2 (of 0-6; sharp's default is 4) halves the encoder's
 * CPU for files about 3% larger: on the coral photos' 320 px thumbnails 12.6 against 24.8
 * CPU ms and 14.5 against 14.1 KB. At the default the encoder cost a quarter of what
 * decoding a 12 MP JPEG costs, paid for every photo indexed.
 */
const THUMB_WEBP = { quality: 80, effort: 2 } as const;

export interface ImageInfo {
  width: number;
  height: number;
  orientation: number | null;
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
}

export function thumbnailFile(thumbsDir: string, hash: string): string {
  return join(thumbsDir, hash.slice(0, 2), `${hash}.webp`);
}

function tooLarge(w: number, h: number): UnreadableFile {
  return new UnreadableFile(
    `the image is too large to read safely: it declares ${w}×${h} pixels (${((w * h) / 1e6).toFixed(0)} megapixels); Trove reads images up to ${MAX_IMAGE_PIXELS / 1e6} megapixels`,
  );
}

/** Header only: dimensions (after EXIF rotation, or HEIF's own transformations) and orientation; refuses oversized images. */
export async function probeImage(buf: Buffer): Promise<{ width: number; height: number; orientation: number | null }> {
  if (buf.length === 0) throw new UnreadableFile('the file is empty (0 bytes)');
  let meta: sharp.Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new UnreadableFile(describeDecodeError(err));
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (!w || !h) throw new UnreadableFile('the image has no dimensions (the file is damaged)');
  if (w * h > MAX_IMAGE_PIXELS) throw tooLarge(w, h);
  const orientation = meta.orientation ?? null;
  const rotated = orientation !== null && orientation >= 5;
  return { width: rotated ? h : w, height: rotated ? w : h, orientation };
}

/**
 * A photo opened for sharp, upright: the file itself (sharp applies its EXIF orientation),
 * or, for HEIC, its primary image decoded by libheif to raw RGBA (upright by the file's own
 * transformations). Every decode of a photo starts here, so each reads every format.
 */
export async function openImage(buf: Buffer): Promise<sharp.Sharp> {
  if (isIsoMediaFile(buf)) {
    const meta = await sharp(buf, { limitInputPixels: false }).metadata();
    if (needsLibheif(meta)) {
      const [w, h] = [meta.width ?? 0, meta.height ?? 0];
      if (w * h > MAX_IMAGE_PIXELS) throw tooLarge(w, h);
      const px = await decodeHeicPixels(buf, meta.pagePrimary ?? 0);
      return sharp(px.data, { raw: { width: px.width, height: px.height, channels: 4 } });
    }
  }
  return sharp(buf, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).rotate();
}

export async function readExif(buf: Buffer): Promise<Pick<ImageInfo, 'takenAt' | 'cameraMake' | 'cameraModel' | 'gpsLat' | 'gpsLon'>> {
  const none = { takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null };
  let tags: Record<string, unknown> | undefined;
  try {
    // in HEIF/AVIF, the EXIF block as sharp's libheif finds it: exifr misplaces items stored
    // with an iloc base offset (as libheif writes them)
    const source = isIsoMediaFile(buf) ? (await sharp(buf, { limitInputPixels: false }).metadata()).exif : buf;
    if (!source) return none;
    tags = (await exifr.parse(source, { tiff: true, exif: true, gps: true, translateValues: false, reviveValues: true })) as
      | Record<string, unknown>
      | undefined;
  } catch {
    return none; // EXIF is optional: a broken EXIF block does not make the photo unreadable
  }
  if (!tags) return none;
  const date = tags.DateTimeOriginal ?? tags.CreateDate ?? tags.ModifyDate;
  const takenAt = date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    takenAt,
    cameraMake: str(tags.Make),
    cameraModel: str(tags.Model),
    gpsLat: num(tags.latitude),
    gpsLon: num(tags.longitude),
  };
}

/** An upright, sRGB, 3-channel decode (alpha flattened onto white), shaped by `resize`. */
async function decodeRgb(buf: Buffer, resize: (img: sharp.Sharp) => sharp.Sharp): Promise<DecodedImage> {
  try {
    const { data, info } = await resize(await openImage(buf))
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { width: info.width, height: info.height, data };
  } catch (err) {
    throw err instanceof UnreadableFile ? err : new UnreadableFile(describeDecodeError(err));
  }
}

const asRgb = (img: DecodedImage): RgbImage => ({ width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) });

/** The model's input: EXIF-rotated, sized by `size` (modelResize), alpha flattened onto white, RGB (as decodeIntermediate + modelInputFrom). */
export async function decodeForModel(buf: Buffer, size: ModelImageSize): Promise<RgbImage> {
  if (size.fit === 'area') return decodeModelInput(buf, size);
  return asRgb(await decodeRgb(buf, (img) => img.resize(size.width, size.height, { fit: 'cover' })));
}

/**
 * How an image (or a region of one) of width x height becomes the model's input (sharp's
 * resize arguments): 'cover' crops to the model's fixed size; 'area' keeps the aspect and
 * shrinks to at most size.width x size.height pixels (never enlarged).
 */
export function modelResize(width: number, height: number, size: ModelImageSize): { width: number; height: number; fit: 'cover' | 'fill' } {
  if (size.fit !== 'area') return { width: size.width, height: size.height, fit: 'cover' };
  const scale = Math.min(1, Math.sqrt((size.width * size.height) / (width * height)));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), fit: 'fill' };
}

/**
 * The one decode the perception passes share: EXIF-rotated, sRGB, alpha on white, the
 * longer side at most `maxSide` (never enlarged; JPEGs shrink on load, so a 12 MP photo
 * costs a fraction of a full decode).
 */
export async function decodeForPerception(buf: Buffer, maxSide: number): Promise<RgbImage> {
  return asRgb(await decodeRgb(buf, (img) => img.resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })));
}

/** A decoded, EXIF-rotated, sRGB image (alpha flattened onto white), 3 channels. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Buffer;
}

/**
 * Decodes once to an intermediate whose shorter side is `minSide` (never enlarged), from
 * which both the thumbnail and the model input are made: one full decode per photo
 * (JPEGs shrink on load), instead of one per output.
 */
export async function decodeIntermediate(buf: Buffer, minSide: number): Promise<DecodedImage> {
  return decodeRgb(buf, (img) => img.resize(minSide, minSide, { fit: 'outside', withoutEnlargement: true }));
}

const rawInput = (img: DecodedImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** The model's input from an intermediate, sized by `size` (modelResize). */
export async function modelInputFrom(img: DecodedImage, size: ModelImageSize): Promise<RgbImage> {
  const r = modelResize(img.width, img.height, size);
  const data = await rawInput(img).resize(r.width, r.height, { fit: r.fit }).raw().toBuffer();
  return { width: r.width, height: r.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * The model's input from a file's bytes by way of one intermediate at the model's size: the
 * pixels indexing feeds the model, for eval suites and training data that must match them.
 */
export async function decodeModelInput(buf: Buffer, size: ModelImageSize): Promise<RgbImage> {
  return modelInputFrom(await decodeIntermediate(buf, Math.max(size.width, size.height)), size);
}

export async function thumbnailExists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}

/** Writes the thumbnail from an intermediate (atomically: temp file + rename). */
export async function writeThumbnailFrom(img: DecodedImage, file: string): Promise<void> {
  await fsp.mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await rawInput(img).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).webp(THUMB_WEBP).toFile(tmp);
  await fsp.rename(tmp, file);
}

/** Writes the thumbnail unless one for this content already exists. */
export async function ensureThumbnail(buf: Buffer, file: string): Promise<void> {
  try {
    await fsp.access(file);
    return;
  } catch {
    // not cached yet
  }
  await fsp.mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await (await openImage(buf))
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp(THUMB_WEBP)
    .toFile(tmp);
  await fsp.rename(tmp, file);
}

export function describeDecodeError(err: unknown): string {
  const msg = messageOf(err);
  if (/unsupported image format/i.test(msg)) return 'this file is not an image Trove can read (its contents are not a known image format)';
  if (/pixel limit/i.test(msg)) return `the image is too large to read safely (over ${MAX_IMAGE_PIXELS / 1e6} megapixels)`;
  if (/premature end|truncated|unexpected end|corrupt|invalid|bad |not a |error/i.test(msg)) {
    return `the image is damaged or incomplete and could not be decoded (${msg.split('\n')[0]!.trim()})`;
  }
  return `the image could not be decoded (${msg.split('\n')[0]!.trim()})`;
}
