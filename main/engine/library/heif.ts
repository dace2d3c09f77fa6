// HEIC photos (HEVC-coded HEIF, the iPhone's format). sharp's prebuilt libvips reads their
// header and EXIF but has no HEVC decoder, so their pixels come from libheif (LGPL-3.0)
// built to WebAssembly (libheif-js), through heic-decode. libheif applies the file's
// irot / imir / clap transformations, so the pixels come out upright; the EXIF Orientation
// a phone also writes is informative only in HEIF and is not applied on top (sharp reports
// no orientation for HEIF either).
import decodeHeic from 'heic-decode';
import type sharp from 'sharp';
import { messageOf } from '../../base/errors';
import { UnreadableFile } from './fs-errors';

/** An ISO base media file (HEIF, HEIC, AVIF): starts with an `ftyp` box. */
export function isIsoMediaFile(buf: Uint8Array): boolean {
  return buf.length >= 12 && buf[4] === 0x66 && buf[5] === 0x74 && buf[6] === 0x79 && buf[7] === 0x70;
}

/** HEIF whose image sharp cannot decode (HEVC); AVIF (AV1) sharp decodes itself. */
export function needsLibheif(meta: sharp.Metadata): boolean {
  return meta.format === 'heif' && meta.compression === 'hevc';
}

/** Decoded pixels: RGBA, 4 bytes per pixel, rows top to bottom, upright. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Buffer;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * The pixels of the file's primary image (`primary`: its index among the top-level images,
 * as sharp's `pagePrimary` gives it). One decode at a time: libheif's wasm runs on the
 * calling thread anyway, and a 12 MP photo is 48 MB of RGBA besides libheif's own planes in
 * the wasm heap, so decodes in flight would add memory and no speed.
 */
export function decodeHeicPixels(buf: Uint8Array, primary = 0): Promise<RgbaPixels> {
  const run = queue.then(() => decodePrimary(buf, primary));
  queue = run.catch(() => undefined);
  return run;
}

async function decodePrimary(buf: Uint8Array, primary: number): Promise<RgbaPixels> {
  let images: Awaited<ReturnType<typeof decodeHeic.all>> | undefined;
  try {
    images = await decodeHeic.all({ buffer: buf });
    const image = images[primary] ?? images[0];
    if (!image) throw new Error('the file holds no image');
    const px = await image.decode();
    return { width: px.width, height: px.height, data: Buffer.from(px.data.buffer, px.data.byteOffset, px.data.byteLength) };
  } catch (err) {
    throw new UnreadableFile(`the HEIC photo could not be decoded by libheif (${messageOf(err)}); the file may be damaged`);
  } finally {
    images?.dispose();
  }
}
