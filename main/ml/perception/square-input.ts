// A photo of any size as a detector's square input (raw RGB bytes, size x size x 3), and the
// way back: boxes found in the input, as fractions of it, become fractions of the photo.
//   'fill'    squashed to the square, aspect not kept (what human feeds CenterNet)
//   'contain' scaled to fit and centred on black (human's `square` option for BlazeFace):
//             faces keep their shape, the long side keeps the whole input
import sharp from 'sharp';
import type { FractionBox, RgbImage } from './types';

export type SquareFit = 'fill' | 'contain';

/** Where the photo lies inside the square input, in input pixels. */
export interface Placement {
  size: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The placement of a width x height photo in a size x size input. */
export function placement(width: number, height: number, size: number, fit: SquareFit): Placement {
  if (fit === 'fill') return { size, left: 0, top: 0, width: size, height: size };
  const scale = size / Math.max(width, height);
  const w = Math.max(1, Math.min(size, Math.round(width * scale)));
  const h = Math.max(1, Math.min(size, Math.round(height * scale)));
  return { size, left: Math.floor((size - w) / 2), top: Math.floor((size - h) / 2), width: w, height: h };
}

/** A box as fractions of the input -> fractions of the photo (clipped to it). */
export function toPhotoBox(box: FractionBox, p: Placement): FractionBox {
  const x1 = (box.x * p.size - p.left) / p.width;
  const y1 = (box.y * p.size - p.top) / p.height;
  const x2 = ((box.x + box.width) * p.size - p.left) / p.width;
  const y2 = ((box.y + box.height) * p.size - p.top) / p.height;
  const cx1 = Math.min(Math.max(x1, 0), 1);
  const cy1 = Math.min(Math.max(y1, 0), 1);
  return { x: cx1, y: cy1, width: Math.max(0, Math.min(Math.max(x2, 0), 1) - cx1), height: Math.max(0, Math.min(Math.max(y2, 0), 1) - cy1) };
}

/** Checks an RgbImage's shape; a clear error otherwise. */
export function checkImage(image: RgbImage): void {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new Error(`an RgbImage of ${width} x ${height} needs ${width * height * 3} bytes, got ${data.length}`);
  }
}

/** The square input's bytes (size x size x 3, RGB) and where the photo lies in it. */
export async function squareInput(image: RgbImage, size: number, fit: SquareFit): Promise<{ pixels: Uint8Array; placement: Placement }> {
  checkImage(image);
  const p = placement(image.width, image.height, size, fit);
  let img = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(p.width, p.height, { fit: 'fill' });
  // sharp always extends after resizing, whatever the call order
  if (p.width < size || p.height < size) {
    img = img.extend({ left: p.left, top: p.top, right: size - p.width - p.left, bottom: size - p.height - p.top, background: { r: 0, g: 0, b: 0 } });
  }
  const out = await img.raw().toBuffer();
  if (out.length !== size * size * 3) throw new Error(`resizing gave ${out.length} bytes, expected ${size * size * 3}`);
  return { pixels: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), placement: p };
}
