// The sharp ceiling for indexing photos: how fast this machine can read, decode and resize
// the library's JPEGs to the model's input size with nothing else going on (no hashing,
// EXIF, database or model). Shared by index-bench.ts and embed-bench.ts, which set the
// engine's indexing throughput next to it. sharp.concurrency() is 1 here, so parallelism
// comes from images in flight.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { decodeIntermediate, modelInputFrom, THUMB_SIZE, writeThumbnailFrom } from '../../main/engine/library/images';
import { cpuSeconds, pool, r1, r3 } from './bench-util';
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
    sharp(buf, { failOn: 'error' }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, effort: 2 }).toBuffer(), // as the engine's thumbnails
  ]);
}

/**
 * What the engine's embed phase does with a photo's pixels, with the engine's own functions
 * (library/images.ts): one decode to an intermediate, the thumbnail written from it and the
 * model input resized from it.
 */
export async function oneDecodeAsTheEngine(file: string, size: Size, thumbsDir: string): Promise<void> {
  const buf = readFileSync(file);
  const img = await decodeIntermediate(buf, Math.max(THUMB_SIZE, size.width, size.height));
  await Promise.all([writeThumbnailFrom(img, join(thumbsDir, `${basename(file)}.webp`)), modelInputFrom(img, size)]);
}

/** `f` over `files`, `n` in flight: images/s, and the CPU seconds per image (every thread) */
export async function timeDecodes(files: string[], n: number, f: (file: string) => Promise<void>) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await pool(files, n, f);
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  return { images: files.length, seconds: r3(s), imagesPerSec: r1(files.length / s), cpuMsPerImage: r1((cpu * 1000) / files.length) };
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
  log(`one decode feeding the thumbnail and the model input (the engine's functions), ${inFlight} in flight`);
  const thumbsDir = mkdtempSync(join(tmpdir(), 'trove-bench-thumbs-'));
  let oneDecode: DecodeRun;
  try {
    oneDecode = await timeDecodes(lib.photos, inFlight, (f) => oneDecodeAsTheEngine(f, size, thumbsDir));
  } finally {
    rmSync(thumbsDir, { recursive: true, force: true });
  }
  return {
    modelInput: size,
    imageMegapixels: mp,
    sharpConcurrency: sharp.concurrency(),
    inFlight,
    decodeResize: { ...main, megapixelsPerSec: r1(main.imagesPerSec * mp) },
    decodeResizeWithThumbnail: withThumb,
    singleDecodeThumbnailAndModelInput: oneDecode,
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
  // notes: read + utf-8 decode, for scale
  const t0 = performance.now();
  let chars = 0;
  for (const f of lib.notes) chars += readFileSync(f, 'utf8').length;
  const noteSec = (performance.now() - t0) / 1000;
  return {
    ...core,
    decodeResizeSerial: serial,
    decodeResizeTo224: at224,
    notesRead: { notes: lib.notes.length, seconds: r3(noteSec), notesPerSec: r1(lib.notes.length / Math.max(noteSec, 1e-9)), chars },
  };
}
