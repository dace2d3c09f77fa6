// The sharp ceiling for indexing photos: how fast this machine can read, decode and resize
// the library's JPEGs to the model's input size with nothing else going on (no hashing,
// EXIF, database or model). Shared by index-bench.ts and embed-bench.ts, which set the
// engine's indexing throughput next to it. sharp.concurrency() is 1 here, so parallelism
// comes from images in flight.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { pool, r1, r3 } from './bench-util';
import type { LibraryFixture } from './library-fixture';

export type Size = { width: number; height: number };

/** read + decode + EXIF rotate + resize (cover) to `to`, raw RGB: the model input alone */
export async function decodeToModel(file: string, to: Size): Promise<void> {
  const buf = readFileSync(file);
  await sharp(buf, { failOn: 'error' })
    .rotate()
    .resize(to.width, to.height, { fit: 'cover' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
}

/** the model input and, from a second decode, a 320 px webp thumbnail */
export async function decodeToModelAndThumbnail(file: string, size: Size): Promise<void> {
  const buf = readFileSync(file);
  await Promise.all([
    sharp(buf, { failOn: 'error' }).rotate().resize(size.width, size.height, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer(),
    sharp(buf, { failOn: 'error' }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer(),
  ]);
}

/** one decode (shrink-on-load to thumbnail size) feeding both the thumbnail and the model input */
export async function singleDecodeToThumbnailAndModel(file: string, size: Size): Promise<void> {
  const buf = readFileSync(file);
  const { data, info } = await sharp(buf, { failOn: 'error' })
    .rotate()
    .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: 3 as const } };
  await Promise.all([
    sharp(data, raw).webp({ quality: 80 }).toBuffer(),
    sharp(data, raw).resize(size.width, size.height, { fit: 'cover' }).raw().toBuffer(),
  ]);
}

/** `f` over `files`, `n` in flight: images/s */
export async function timeDecodes(files: string[], n: number, f: (file: string) => Promise<void>) {
  const t0 = performance.now();
  await pool(files, n, f);
  const s = (performance.now() - t0) / 1000;
  return { images: files.length, seconds: r3(s), imagesPerSec: r1(files.length / s) };
}

export type DecodeRun = Awaited<ReturnType<typeof timeDecodes>>;

/** The two ceilings the engine is compared with: decode + resize, and with a thumbnail too. */
export async function decodeCeilingCore(lib: LibraryFixture, size: Size, inFlight: number, log: (line: string) => void) {
  const mp = (lib.width * lib.height) / 1e6;
  await decodeToModel(lib.photos[0], size); // warm-up
  log(`decode+resize ${lib.photos.length} x ${mp.toFixed(0)} MP, ${inFlight} in flight`);
  const main = await timeDecodes(lib.photos, inFlight, (f) => decodeToModel(f, size));
  log(`decode+resize + 320px webp thumbnail, ${inFlight} in flight`);
  const withThumb = await timeDecodes(lib.photos, inFlight, (f) => decodeToModelAndThumbnail(f, size));
  return {
    modelInput: size,
    imageMegapixels: mp,
    sharpConcurrency: sharp.concurrency(),
    inFlight,
    decodeResize: { ...main, megapixelsPerSec: r1(main.imagesPerSec * mp) },
    decodeResizeWithThumbnail: withThumb,
  };
}

/** Every variant index-bench reports (section (a)); `log` lines are prefixed by the caller. */
export async function decodeCeiling(lib: LibraryFixture, size: Size, inFlight: number, log: (line: string) => void) {
  const core = await decodeCeilingCore(lib, size, inFlight, (line) => log(`(a) ${line}`));
  const std = { width: 224, height: 224 };
  let at224: DecodeRun | null = null;
  if (size.width !== std.width || size.height !== std.height) {
    log(`(a) again at 224x224 (a real model's input), ${inFlight} in flight`);
    at224 = await timeDecodes(lib.photos, inFlight, (f) => decodeToModel(f, std));
  }
  const serialSet = lib.photos.slice(0, Math.min(lib.photos.length, 100));
  log(`(a) 1 in flight over ${serialSet.length}`);
  const serial = await timeDecodes(serialSet, 1, (f) => decodeToModel(f, size));
  log(`(a) one decode to 320px feeding both thumbnail and model input, ${inFlight} in flight`);
  const oneDecode = await timeDecodes(lib.photos, inFlight, (f) => singleDecodeToThumbnailAndModel(f, size));
  // notes: read + utf-8 decode, for scale
  const t0 = performance.now();
  let chars = 0;
  for (const f of lib.notes) chars += readFileSync(f, 'utf8').length;
  const noteSec = (performance.now() - t0) / 1000;
  return {
    ...core,
    decodeResizeSerial: serial,
    decodeResizeTo224: at224,
    singleDecodeThumbnailAndModelInput: oneDecode,
    notesRead: { notes: lib.notes.length, seconds: r3(noteSec), notesPerSec: r1(lib.notes.length / Math.max(noteSec, 1e-9)), chars },
  };
}
