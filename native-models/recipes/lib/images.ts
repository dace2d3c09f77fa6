// Image making with sharp: cut-outs (trimmed to their alpha box), tiles on plain
// backgrounds, augmented views, composed scenes, rendered words. Everything is written
// as small JPEG (or PNG for tiny greyscale) files under the data folder.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { Rng } from './rng';

export interface Rgba {
  data: Buffer;
  width: number;
  height: number;
}

export type Rgb = [number, number, number];

const JPEG = { quality: 85, chromaSubsampling: '4:2:0' } as const;

/** Loads an image (PNG/SVG), cuts it to the box of its visible pixels, fits it in `max` px. */
export async function loadCutout(file: string, max = 192): Promise<Rgba | null> {
  try {
    return await cutout(file, max);
  } catch {
    return null; // unreadable or absurdly large: the caller drops the item
  }
}

async function cutout(file: string, max: number): Promise<Rgba | null> {
  let density = 72;
  if (file.endsWith('.svg')) {
    // rasterise vectors at about 512 px on the long side, whatever their nominal size
    const m = await sharp(file).metadata();
    density = Math.max(8, Math.min(600, (72 * 512) / Math.max(m.width || 512, m.height || 512)));
  }
  const img = sharp(file, { density, limitInputPixels: 64e6 })
    .ensureAlpha()
    .resize(512, 512, { fit: 'inside', withoutEnlargement: true });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[(y * w + x) * 4 + 3]! > 24) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0 || x1 - x0 < 8 || y1 - y0 < 8) return null;
  const out = await sharp(data, { raw: { width: w, height: h, channels: 4 } })
    .extract({ left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 })
    .resize(max, max, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: out.data, width: out.info.width, height: out.info.height };
}

function ensureDir(file: string) {
  mkdirSync(dirname(file), { recursive: true });
}

/** The cut-out centred on a plain background, `size` px square, as JPEG. */
export async function writeTile(c: Rgba, file: string, size: number, bg: Rgb = [255, 255, 255]): Promise<void> {
  ensureDir(file);
  const s = Math.round(size * 0.86);
  const fitted = await sharp(c.data, { raw: { width: c.width, height: c.height, channels: 4 } })
    .resize(s, s, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  await sharp({ create: { width: size, height: size, channels: 3, background: { r: bg[0], g: bg[1], b: bg[2] } } })
    .composite([
      {
        input: fitted.data,
        raw: { width: fitted.info.width, height: fitted.info.height, channels: 4 },
        left: Math.floor((size - fitted.info.width) / 2),
        top: Math.floor((size - fitted.info.height) / 2),
      },
    ])
    .jpeg(JPEG)
    .toFile(file);
}

/** An augmented view: random background tint, crop (70-100% side), flip, colour jitter, slight blur. */
export async function writeAugmentedView(c: Rgba, file: string, size: number, rng: Rng): Promise<void> {
  ensureDir(file);
  const big = size + 64;
  const bg: Rgb = [rng.int(200, 255), rng.int(200, 255), rng.int(200, 255)];
  const s = Math.round(big * rng.range(0.6, 0.9));
  const fitted = await sharp(c.data, { raw: { width: c.width, height: c.height, channels: 4 } })
    .resize(s, s, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const canvas = await sharp({ create: { width: big, height: big, channels: 3, background: { r: bg[0], g: bg[1], b: bg[2] } } })
    .composite([
      {
        input: fitted.data,
        raw: { width: fitted.info.width, height: fitted.info.height, channels: 4 },
        left: rng.int(0, big - fitted.info.width),
        top: rng.int(0, big - fitted.info.height),
      },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
  const crop = Math.round(big * rng.range(0.7, 1));
  let img = sharp(canvas, { raw: { width: big, height: big, channels: 3 } })
    .extract({ left: rng.int(0, big - crop), top: rng.int(0, big - crop), width: crop, height: crop })
    .resize(size, size);
  if (rng.next() < 0.5) img = img.flop();
  img = img.modulate({ brightness: rng.range(0.8, 1.2), saturation: rng.range(0.6, 1.4), hue: rng.int(-25, 25) });
  if (rng.next() < 0.3) img = img.blur(rng.range(0.4, 1.2));
  await img.jpeg(JPEG).toFile(file);
}

/** A greyscale image from raw bytes, as PNG. */
export async function writeGrey(pixels: Uint8Array, width: number, height: number, file: string): Promise<void> {
  ensureDir(file);
  await sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } }).png().toFile(file);
}

export interface Placement {
  cutout: Rgba;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Resizes a cut-out to fit (w, h), keeping its aspect; returns the exact size it got. */
export async function fitCutout(c: Rgba, w: number, h: number): Promise<Rgba> {
  const r = await sharp(c.data, { raw: { width: c.width, height: c.height, channels: 4 } })
    .resize(Math.max(8, Math.round(w)), Math.max(8, Math.round(h)), { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: r.data, width: r.info.width, height: r.info.height };
}

/** Composes placed (already fitted) cut-outs on a plain background; returns the scene's raw RGB too. */
export async function writeScene(
  size: number,
  bg: Rgb,
  placed: { cutout: Rgba; left: number; top: number }[],
  file: string,
): Promise<Buffer> {
  ensureDir(file);
  const raw = await sharp({ create: { width: size, height: size, channels: 3, background: { r: bg[0], g: bg[1], b: bg[2] } } })
    .composite(placed.map((p) => ({ input: p.cutout.data, raw: { width: p.cutout.width, height: p.cutout.height, channels: 4 as const }, left: p.left, top: p.top })))
    .removeAlpha()
    .raw()
    .toBuffer();
  await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).jpeg(JPEG).toFile(file);
  return raw;
}

/** A crop of a scene (box padded by `pad` of its size, clamped), fitted in `max` px, as JPEG. */
export async function writeCrop(sceneRaw: Buffer, size: number, box: Box, file: string, pad = 0.08, max = 112): Promise<void> {
  ensureDir(file);
  const px = Math.round(box.w * pad),
    py = Math.round(box.h * pad);
  const left = Math.max(0, box.x - px),
    top = Math.max(0, box.y - py);
  const width = Math.min(size - left, box.w + 2 * px),
    height = Math.min(size - top, box.h + 2 * py);
  await sharp(sceneRaw, { raw: { width: size, height: size, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(max, max, { fit: 'inside', withoutEnlargement: true })
    .jpeg(JPEG)
    .toFile(file);
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A word rendered with a system font (fontconfig family name) on a plain background. */
export async function writeWord(word: string, font: string, file: string, size: number, bg: Rgb, fg: Rgb, rng: Rng): Promise<void> {
  ensureDir(file);
  const fontSize = Math.round(Math.min(size * 0.3, (size * 1.25) / Math.max(3, word.length)));
  const angle = rng.range(-10, 10).toFixed(1);
  const cx = Math.round(size / 2 + rng.range(-0.04, 0.04) * size),
    cy = Math.round(size / 2 + rng.range(-0.15, 0.15) * size);
  const rgb = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;
  const weight = rng.next() < 0.5 ? 'bold' : 'normal';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
    `<rect width="100%" height="100%" fill="${rgb(bg)}"/>` +
    `<text x="${cx}" y="${cy}" transform="rotate(${angle} ${cx} ${cy})" text-anchor="middle" dominant-baseline="middle" ` +
    `font-family="${xmlEscape(font)}" font-weight="${weight}" font-size="${fontSize}" fill="${rgb(fg)}">${xmlEscape(word)}</text></svg>`;
  await sharp(Buffer.from(svg)).flatten({ background: { r: bg[0], g: bg[1], b: bg[2] } }).jpeg(JPEG).toFile(file);
}

/** Reads a photo as 8-bit sRGB pixels at its own size (EXIF-rotated, alpha flattened onto white). */
export async function readRgb(file: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(file).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
