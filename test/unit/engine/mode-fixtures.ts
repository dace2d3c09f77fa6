// Photos for the instruction-mode tests: a plain background with one coloured square in a
// known place, so a test knows which label, answer and region are right.
import sharp from 'sharp';

export type Rgb = [number, number, number];
export const GREY: Rgb = [128, 128, 128];
export const RED: Rgb = [230, 20, 20];
export const BLUE: Rgb = [20, 30, 230];
export const GREEN: Rgb = [20, 200, 30];

/** A width x height photo of `bg` with a `fg` square at (x, y) of side `side` (pixels). */
export function squarePixels(width: number, height: number, bg: Rgb, fg: Rgb, sq: { x: number; y: number; side: number }): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= sq.x && x < sq.x + sq.side && y >= sq.y && y < sq.y + sq.side;
      const c = inside ? fg : bg;
      const o = (y * width + x) * 3;
      buf[o] = c[0];
      buf[o + 1] = c[1];
      buf[o + 2] = c[2];
    }
  }
  return buf;
}

/** Writes a PNG (or a JPEG with an EXIF orientation when `orientation` is given). */
export async function writeSquarePhoto(
  path: string,
  width: number,
  height: number,
  bg: Rgb,
  fg: Rgb,
  sq: { x: number; y: number; side: number },
  orientation?: number,
): Promise<void> {
  const img = sharp(squarePixels(width, height, bg, fg, sq), { raw: { width, height, channels: 3 } });
  if (orientation !== undefined) await img.jpeg({ quality: 95 }).withMetadata({ orientation }).toFile(path);
  else await img.png().toFile(path);
}

/** A photo filled with one colour plus a little texture (so duplicates are not copies). */
export async function writePlainPhoto(path: string, size: number, c: Rgb, seed: number): Promise<void> {
  const buf = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const jitter = ((i * 31 + seed * 17) % 23) - 11;
    for (let ch = 0; ch < 3; ch++) buf[i * 3 + ch] = Math.max(0, Math.min(255, c[ch]! + jitter));
  }
  await sharp(buf, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
}
