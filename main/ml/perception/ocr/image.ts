// Pixels for the OCR graphs: the detector's resized, normalised image, perspective crops
// of text boxes, their quarter turns, and the recognizer's fixed-height batches. PaddleOCR
// trained on OpenCV's BGR images, so every tensor here is BGR.
import sharp from 'sharp';
import type { RgbImage } from '../types';
import { homography, quadSize } from './quad';
import type { Quad } from './quad';

/** The image resized (sharp, no enlargement beyond the request) to exactly width x height. */
export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  const data = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * The detector's input size: the longer side scaled to `side`, both sides rounded to
 * multiples of 32. Small photos are enlarged (as PaddleOCR's limit_type "min" does): text
 * a few pixels high in a small photo is lost at its own size.
 */
export function detectorSize(width: number, height: number, side: number): { width: number; height: number } {
  const ratio = side / Math.max(width, height);
  const round32 = (v: number) => Math.max(32, Math.round((v * ratio) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

/** NCHW float32, BGR, (v / 255 - mean[c]) / std[c] with mean and std in BGR channel order as PaddleOCR applies them. */
export function toBgrTensor(img: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    out[i] = (d[i * 3 + 2]! / 255 - mean[0]!) / std[0]!;
    out[n + i] = (d[i * 3 + 1]! / 255 - mean[1]!) / std[1]!;
    out[2 * n + i] = (d[i * 3]! / 255 - mean[2]!) / std[2]!;
  }
  return out;
}

/**
 * The quad's content straightened into a width x height image (bilinear, edges
 * replicated). When the crop shrinks a lot each output pixel averages a small grid of
 * samples, so large text is not aliased.
 */
export function cropQuad(img: RgbImage, quad: Quad, width: number, height: number): RgbImage {
  const { width: qw, height: qh } = quadSize(quad);
  const k = Math.max(1, Math.min(4, Math.floor(Math.min(qw / width, qh / height))));
  const h = homography(
    [
      [0, 0],
      [width, 0],
      [width, height],
      [0, height],
    ],
    quad,
  );
  const out = new Uint8Array(width * height * 3);
  const W = img.width,
    H = img.height,
    src = img.data;
  const acc = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const px = x + (sx + 0.5) / k,
            py = y + (sy + 0.5) / k;
          const d = h[6]! * px + h[7]! * py + h[8]!;
          const u = Math.min(W - 1, Math.max(0, (h[0]! * px + h[1]! * py + h[2]!) / d - 0.5));
          const v = Math.min(H - 1, Math.max(0, (h[3]! * px + h[4]! * py + h[5]!) / d - 0.5));
          const iu = Math.min(W - 2, Math.floor(u)),
            iv = Math.min(H - 2, Math.floor(v));
          const fu = u - iu,
            fv = v - iv;
          const o00 = (iv * W + iu) * 3,
            o10 = o00 + 3,
            o01 = o00 + W * 3,
            o11 = o01 + 3;
          for (let c = 0; c < 3; c++) {
            acc[c]! += (src[o00 + c]! * (1 - fu) + src[o10 + c]! * fu) * (1 - fv) + (src[o01 + c]! * (1 - fu) + src[o11 + c]! * fu) * fv;
          }
        }
      }
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(acc[c]! / (k * k));
    }
  }
  return { width, height, data: out };
}

/** A quarter turn counter-clockwise (numpy's rot90): the left column becomes the bottom row. */
export function rotateCcw(img: RgbImage): RgbImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = ((w - 1 - x) * h + y) * 3,
        i = (y * w + x) * 3;
      out[o] = data[i]!;
      out[o + 1] = data[i + 1]!;
      out[o + 2] = data[i + 2]!;
    }
  }
  return { width: h, height: w, data: out };
}

/** A half turn. */
export function rotateHalf(img: RgbImage): RgbImage {
  const n = img.width * img.height;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < n; i++) {
    const j = (n - 1 - i) * 3;
    out[j] = img.data[i * 3]!;
    out[j + 1] = img.data[i * 3 + 1]!;
    out[j + 2] = img.data[i * 3 + 2]!;
  }
  return { width: img.width, height: img.height, data: out };
}

/**
 * A batch for the recognizer or the orientation classifier: each image resized to
 * `height` keeping its aspect (at most `width` wide), scaled to [-1, 1], and padded on the
 * right with zeros to `width` (PaddleOCR resize_norm_img). Returns NCHW BGR.
 */
export async function lineBatch(images: readonly RgbImage[], height: number, width: number): Promise<Float32Array> {
  const plane = height * width;
  const out = new Float32Array(images.length * 3 * plane);
  await Promise.all(
    images.map(async (img, b) => {
      const w = Math.max(1, Math.min(width, Math.ceil((height * img.width) / img.height)));
      const r = await resizeRgb(img, w, height);
      const base = b * 3 * plane;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < w; x++) {
          const i = (y * w + x) * 3,
            o = base + y * width + x;
          out[o] = r.data[i + 2]! / 127.5 - 1;
          out[o + plane] = r.data[i + 1]! / 127.5 - 1;
          out[o + 2 * plane] = r.data[i]! / 127.5 - 1;
        }
      }
    }),
  );
  return out;
}
