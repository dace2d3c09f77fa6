// Qwen2-VL's image preprocessing, as the Python reference runs it (transformers'
// Qwen2VLImageProcessor._preprocess on a PIL image, which VLM2Vec and GME both use):
//   1. VLM2Vec's guard (src/model/processor.py Qwen2_VL_process_fn): a side under 28 px ->
//      the image is first resized to 56 x 56 (PIL bicubic, Image.resize's default);
//   2. (h', w') = smart_resize(h, w, factor = patch * merge, min_pixels, max_pixels), with
//      Python's round (half to even) and the aspect-ratio limit of 200;
//   3. PIL's bicubic resize to (w', h') on 8-bit RGB (Image.resize, reducing_gap None):
//      separable, horizontal pass first, support widened by the scale when shrinking
//      (antialiased), 22-bit fixed-point coefficients, each pass rounded and clipped to 8 bits
//      (Pillow src/libImaging/Resample.c);
//   4. x * rescale_factor, then (x - mean_c) / std_c;
//   5. the still image repeated temporal_patch_size times, then view (gt, tp, C, gh/m, m, p,
//      gw/m, m, p), permute (0,3,6,4,7,2,1,5,8), reshape [gt*gh*gw, C*tp*p*p]: rows in
//      (h-block, w-block, h-in-merge, w-in-merge) order; inside a row c*tp*p*p + t*p*p + py*p + px.
// transformers.js resizes with sharp's affine bicubic instead (no antialiasing), so its
// pixel_values differ from Python's when an image shrinks; Trove follows Python.
import type { RgbImage } from '../embedding-model';
import type { ImageConfig } from './config';

export class ImageInputError extends Error {}

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** transformers' smart_resize (qwen2_vl/image_processing_qwen2_vl.py): [height, width], multiples of `factor`. */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number): [number, number] {
  if (Math.max(height, width) / Math.min(height, width) > 200) {
    throw new ImageInputError(`the image is ${width}x${height} pixels: Qwen2-VL reads images whose longer side is at most 200 times the shorter (crop it first)`);
  }
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return [h, w];
}

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** Pillow's bicubic kernel (a = -0.5), support 2. */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis: per output pixel, the first input index and integer weights. */
function coefficients(inSize: number, outSize: number): { start: Int32Array; count: Int32Array; k: Float64Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const k = new Float64Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = bicubic((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, k, ksize };
}

const clip8 = (ss: number): number => Math.min(255, Math.max(0, Math.floor(ss / ONE)));

/** Pillow's Image.resize((w, h), BICUBIC) on 8-bit RGB. */
export function resizeBicubic(img: RgbImage, width: number, height: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  let cur = img;
  if (width !== img.width) {
    const c = coefficients(img.width, width);
    const out = new Uint8Array(width * img.height * 3);
    for (let y = 0; y < img.height; y++) {
      const row = y * img.width * 3;
      for (let xx = 0; xx < width; xx++) {
        const s = c.start[xx];
        const base = xx * c.ksize;
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let x = 0; x < c.count[xx]; x++) {
          const kk = c.k[base + x];
          const p = row + (s + x) * 3;
          r += img.data[p] * kk;
          g += img.data[p + 1] * kk;
          b += img.data[p + 2] * kk;
        }
        const o = (y * width + xx) * 3;
        out[o] = clip8(r);
        out[o + 1] = clip8(g);
        out[o + 2] = clip8(b);
      }
    }
    cur = { width, height: img.height, data: out };
  }
  if (height !== cur.height) {
    const c = coefficients(cur.height, height);
    const out = new Uint8Array(width * height * 3);
    for (let yy = 0; yy < height; yy++) {
      const s = c.start[yy];
      const base = yy * c.ksize;
      for (let x = 0; x < width; x++) {
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let y = 0; y < c.count[yy]; y++) {
          const kk = c.k[base + y];
          const p = ((s + y) * width + x) * 3;
          r += cur.data[p] * kk;
          g += cur.data[p + 1] * kk;
          b += cur.data[p + 2] * kk;
        }
        const o = (yy * width + x) * 3;
        out[o] = clip8(r);
        out[o + 1] = clip8(g);
        out[o + 2] = clip8(b);
      }
    }
    cur = { width, height, data: out };
  }
  return cur;
}

export interface VisionInput {
  /** [patches, C * tp * p * p] row-major */
  pixelValues: Float32Array;
  patches: number;
  rowSize: number;
  /** [t, h, w] in patches */
  gridThw: [number, number, number];
  /** <|image_pad|> tokens the image becomes: t * h * w / merge^2 */
  tokens: number;
}

/** VLM2Vec's guard for tiny images (Qwen2_VL_process_fn): a side under this -> 56 x 56 first. */
export const TINY_IMAGE_SIDE = 28;

/** A decoded RGB image -> the vision encoder's pixel_values and grid_thw (steps 1-5 above). */
export function preprocessImage(img: RgbImage, cfg: ImageConfig): VisionInput {
  if (img.width < 1 || img.height < 1 || img.data.length !== img.width * img.height * 3) {
    throw new ImageInputError(`the image data does not match its size (${img.width}x${img.height} RGB needs ${img.width * img.height * 3} bytes, got ${img.data.length})`);
  }
  const src = img.width < TINY_IMAGE_SIDE || img.height < TINY_IMAGE_SIDE ? resizeBicubic(img, 56, 56) : img;
  const factor = cfg.patchSize * cfg.mergeSize;
  const [h, w] = smartResize(src.height, src.width, factor, cfg.minPixels, cfg.maxPixels);
  const resized = resizeBicubic(src, w, h);
  return patchify(resized, cfg);
}

/** Steps 4-5 on an image already at a multiple of patch * merge. */
export function patchify(img: RgbImage, cfg: ImageConfig): VisionInput {
  const { patchSize: p, temporalPatchSize: tp, mergeSize: m } = cfg;
  const gh = img.height / p;
  const gw = img.width / p;
  if (!Number.isInteger(gh / m) || !Number.isInteger(gw / m)) throw new ImageInputError(`patchify needs sides that are multiples of ${p * m}, got ${img.width}x${img.height}`);
  const rowSize = 3 * tp * p * p;
  const patches = gh * gw;
  const out = new Float32Array(patches * rowSize);
  const scale = [0, 1, 2].map((c) => cfg.rescale / cfg.std[c]);
  const shift = [0, 1, 2].map((c) => cfg.mean[c] / cfg.std[c]);
  let row = 0;
  for (let hb = 0; hb < gh / m; hb++) {
    for (let wb = 0; wb < gw / m; wb++) {
      for (let hm = 0; hm < m; hm++) {
        for (let wm = 0; wm < m; wm++) {
          const y0 = (hb * m + hm) * p;
          const x0 = (wb * m + wm) * p;
          const base = row * rowSize;
          for (let c = 0; c < 3; c++) {
            for (let py = 0; py < p; py++) {
              for (let px = 0; px < p; px++) {
                const v = img.data[((y0 + py) * img.width + x0 + px) * 3 + c] * scale[c] - shift[c];
                for (let t = 0; t < tp; t++) out[base + c * tp * p * p + t * p * p + py * p + px] = v;
              }
            }
          }
          row++;
        }
      }
    }
  }
  return { pixelValues: out, patches, rowSize, gridThw: [1, gh, gw], tokens: patches / (m * m) };
}
