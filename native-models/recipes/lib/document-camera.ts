// The camera half of a document photo: surfaces to lay paper on, the projective warp of
// the paper into the frame, and the light and sensor noise of a phone photo. Raw RGB
// buffers in, raw RGB buffers out; sharp does the resizing and blurring.
import sharp from 'sharp';
import { applyHomography, invertHomography } from '../../../main/ml/perception/ocr/quad';
import type { Homography, Point } from '../../../main/ml/perception/ocr/quad';
import type { Rng } from './rng';

export type { Point };

export interface RawRgb {
  data: Buffer;
  width: number;
  height: number;
}

/** Draws the RGBA `paper` onto `frame` through `h` (paper pixels -> frame pixels), bilinear, alpha-blended. */
export function warpOnto(frame: RawRgb, paper: { data: Buffer; width: number; height: number }, h: Homography): void {
  const inv = invertHomography(h);
  const corners: Point[] = [
    [0, 0],
    [paper.width, 0],
    [paper.width, paper.height],
    [0, paper.height],
  ].map((p) => applyHomography(h, p as Point));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0])))),
    x1 = Math.min(frame.width - 1, Math.ceil(Math.max(...corners.map((c) => c[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1])))),
    y1 = Math.min(frame.height - 1, Math.ceil(Math.max(...corners.map((c) => c[1]))));
  const pw = paper.width,
    ph = paper.height,
    src = paper.data,
    dst = frame.data;
  const rgba = new Float32Array(4);
  // premultiplied bilinear sample into rgba (colour * alpha / 255, alpha): transparent
  // neighbours outside the paper must not darken its edge
  const sample = (u: number, v: number) => {
    const iu = Math.floor(u),
      iv = Math.floor(v),
      fu = u - iu,
      fv = v - iv;
    rgba.fill(0);
    for (let k = 0; k < 4; k++) {
      const x = iu + (k & 1),
        y = iv + (k >> 1);
      if (x < 0 || y < 0 || x >= pw || y >= ph) continue;
      const w = (k & 1 ? fu : 1 - fu) * (k >> 1 ? fv : 1 - fv);
      const o = (y * pw + x) * 4;
      const a = src[o + 3]! * w;
      rgba[0]! += src[o]! * a;
      rgba[1]! += src[o + 1]! * a;
      rgba[2]! += src[o + 2]! * a;
      rgba[3]! += a;
    }
  };
  for (let y = y0; y <= y1; y++) {
    const yc = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const xc = x + 0.5;
      const d = inv[6]! * xc + inv[7]! * yc + inv[8]!;
      const u = (inv[0]! * xc + inv[1]! * yc + inv[2]!) / d - 0.5;
      const v = (inv[3]! * xc + inv[4]! * yc + inv[5]!) / d - 0.5;
      if (u < -1 || v < -1 || u > pw || v > ph) continue;
      sample(u, v);
      const a = rgba[3]! / 255;
      if (a <= 0) continue;
      const o = (y * frame.width + x) * 3;
      dst[o] = rgba[0]! / 255 + (1 - a) * dst[o]!;
      dst[o + 1] = rgba[1]! / 255 + (1 - a) * dst[o + 1]!;
      dst[o + 2] = rgba[2]! / 255 + (1 - a) * dst[o + 2]!;
    }
  }
}

/** Smooth random values in [0, 1) on a grid of `cell` px, bilinearly interpolated (value noise). */
function valueNoise(w: number, h: number, cell: number, r: Rng): Float32Array {
  const gw = Math.ceil(w / cell) + 2,
    gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh).map(() => r.next());
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const gy = y / cell,
      iy = Math.floor(gy),
      fy = gy - iy,
      sy = fy * fy * (3 - 2 * fy);
    for (let x = 0; x < w; x++) {
      const gx = x / cell,
        ix = Math.floor(gx),
        fx = gx - ix,
        sx = fx * fx * (3 - 2 * fx);
      const a = grid[iy * gw + ix]!,
        b = grid[iy * gw + ix + 1]!,
        c = grid[(iy + 1) * gw + ix]!,
        d = grid[(iy + 1) * gw + ix + 1]!;
      out[y * w + x] = (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
    }
  }
  return out;
}

export type Surface = 'wood' | 'desk' | 'fabric' | 'granite' | 'fridge' | 'cork';
export const SURFACES: readonly Surface[] = ['wood', 'desk', 'fabric', 'granite', 'fridge', 'cork'];

/** A procedural surface (wood grain, laminate, cloth, stone, fridge door, cork board) at full size. */
export async function surfaceTexture(kind: Surface, width: number, height: number, r: Rng): Promise<RawRgb> {
  const w = Math.ceil(width / 4),
    h = Math.ceil(height / 4);
  const lo = valueNoise(w, h, Math.max(8, w / r.range(3, 8)), r);
  const mid = valueNoise(w, h, r.range(6, 14), r);
  const fine = valueNoise(w, h, 1.5, r);
  const base: Record<Surface, [number, number, number][]> = {
    wood: [[150, 102, 62], [120, 80, 48], [186, 140, 95], [96, 64, 40]],
    desk: [[200, 200, 196], [60, 62, 66], [232, 228, 220], [70, 90, 120], [150, 150, 145]],
    fabric: [[70, 90, 140], [150, 40, 50], [90, 120, 80], [180, 170, 150]],
    granite: [[120, 118, 115], [60, 58, 58], [170, 160, 150]],
    fridge: [[236, 236, 232], [210, 212, 214], [190, 192, 190]],
    cork: [[178, 130, 82], [196, 150, 100]],
  };
  const [cr, cg, cb] = r.pick(base[kind]);
  const grain = r.range(0.04, 0.12);
  const angle = r.range(-0.3, 0.3);
  const out = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let f = 0.9 + 0.2 * lo[i]!;
      if (kind === 'wood') f *= 0.82 + 0.18 * Math.sin((y * Math.cos(angle) + x * Math.sin(angle)) * grain + mid[i]! * 9);
      else if (kind === 'fabric') f *= 0.9 + 0.1 * Math.sin(x * 1.7) * Math.sin(y * 1.7) + 0.05 * fine[i]!;
      else if (kind === 'granite') f *= 0.7 + 0.6 * fine[i]! * fine[i]!;
      else if (kind === 'cork') f *= 0.75 + 0.35 * fine[i]!;
      else f *= 0.97 + 0.06 * mid[i]!;
      out[i * 3] = Math.min(255, cr * f);
      out[i * 3 + 1] = Math.min(255, cg * f);
      out[i * 3 + 2] = Math.min(255, cb * f);
    }
  }
  const data = await sharp(out, { raw: { width: w, height: h, channels: 3 } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer();
  return { data, width, height };
}

/** A real photo as the surface: EXIF-rotated and cropped to cover the frame. */
export async function photoSurface(photo: Buffer, width: number, height: number): Promise<RawRgb> {
  const data = await sharp(photo).rotate().resize(width, height, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  return { data, width, height };
}

/** A soft shadow of the quad, cast a little down and to the side, darkening the surface in place. */
export async function castShadow(frame: RawRgb, quad: readonly Point[], r: Rng): Promise<void> {
  const k = 8;
  const w = Math.ceil(frame.width / k),
    h = Math.ceil(frame.height / k);
  const dx = r.range(-6, 6),
    dy = r.range(2, 12);
  const pts = quad.map(([x, y]) => `${(x / k + dx).toFixed(1)},${(y / k + dy).toFixed(1)}`).join(' ');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#fff"/><polygon points="${pts}" fill="#000"/></svg>`;
  const depth = r.range(0.25, 0.5);
  const mask = await sharp(Buffer.from(svg)).greyscale().blur(r.range(2, 6)).resize(frame.width, frame.height).extractChannel(0).raw().toBuffer();
  const d = frame.data;
  for (let i = 0, n = frame.width * frame.height; i < n; i++) {
    const f = 1 - depth * (1 - mask[i]! / 255);
    d[i * 3] = d[i * 3]! * f;
    d[i * 3 + 1] = d[i * 3 + 1]! * f;
    d[i * 3 + 2] = d[i * 3 + 2]! * f;
  }
}

/** Uneven light (gradient, vignette, sometimes a shadow across, a glare spot), white balance and sensor noise, in place. */
export function lightAndNoise(frame: RawRgb, r: Rng): void {
  const { width: W, height: H } = frame;
  const data = new Uint8ClampedArray(frame.data.buffer, frame.data.byteOffset, frame.data.length);
  const exposure = r.range(0.8, 1.12);
  const gx = r.range(-0.35, 0.35),
    gy = r.range(-0.35, 0.35);
  const vignette = r.range(0.1, 0.45);
  const wb = [r.range(0.93, 1.07), 1, r.range(0.88, 1.06)];
  // a soft-edged shadow (a hand or a phone) over part of the frame
  const band = r.next() < 0.3 ? { nx: Math.cos(r.range(0, Math.PI * 2)), ny: 0, c: r.range(-0.2, 0.2), depth: r.range(0.2, 0.45), soft: r.range(0.02, 0.08) } : null;
  if (band) band.ny = Math.sqrt(1 - band.nx * band.nx) * (r.next() < 0.5 ? -1 : 1);
  const glare = r.next() < 0.25 ? { x: r.range(0.2, 0.8), y: r.range(0.2, 0.8), rad: r.range(0.05, 0.15), gain: r.range(0.15, 0.45) } : null;
  const sigma = r.range(1.5, 6);
  const table = new Float32Array(65536);
  for (let i = 0; i < table.length; i++) table[i] = r.normal() * sigma;
  let state = r.nextU32() | 1;
  const [wr, wg, wbl] = wb as [number, number, number];
  const light = new Float32Array(W);
  const glow = new Float32Array(W);
  for (let y = 0; y < H; y++) {
    const fy = y / H - 0.5;
    for (let x = 0; x < W; x++) {
      const fx = x / W - 0.5;
      let L = exposure * (1 + gx * fx + gy * fy) * (1 - vignette * (fx * fx + fy * fy) * 1.6);
      if (band) L *= 1 - band.depth * Math.min(1, Math.max(0, 0.5 + (fx * band.nx + fy * band.ny - band.c) / band.soft));
      light[x] = L;
      if (glare) {
        const ex = (fx + 0.5 - glare.x) / glare.rad,
          ey = (fy + 0.5 - glare.y) / glare.rad;
        glow[x] = 255 * glare.gain * Math.exp(-(ex * ex + ey * ey));
      }
    }
    let o = y * W * 3;
    for (let x = 0; x < W; x++, o += 3) {
      const L = light[x]!,
        add = glow[x]!;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const n = table[state & 0xffff]!;
      // luminance noise shared by the channels plus a smaller chroma part
      const nr = table[(state >>> 16) & 0xffff]! * 0.4;
      data[o] = data[o]! * L * wr + add + n + nr;
      data[o + 1] = data[o + 1]! * L * wg + add + n - nr;
      data[o + 2] = data[o + 2]! * L * wbl + add + n;
    }
  }
}
