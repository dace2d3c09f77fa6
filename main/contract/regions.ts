// A region of a photo as a labelled pair carries it (PairTarget.box): [x, y, width, height]
// in fractions of the photo as shown, EXIF orientation applied. The UI turns Point at's pixel
// boxes and a box drawn by hand into it; the engine crops the photo by it.
export type RegionBox = [x: number, y: number, width: number, height: number];

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** the smallest side of a box drawn by hand, as a share of the photo: a smaller one was a click */
export const MIN_DRAWN_SIDE = 0.02;

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const round = (v: number): number => Math.round(v * 1e4) / 1e4;

/** A pixel box on a photo shown `width` x `height`, as fractions (clamped to the photo). */
export function toRegionBox(b: PixelBox, width: number, height: number): RegionBox {
  const x = clamp01(b.x / width);
  const y = clamp01(b.y / height);
  return [round(x), round(y), round(clamp01((b.x + b.width) / width) - x), round(clamp01((b.y + b.height) / height) - y)];
}

/** The box spanned by two corners (fractions of the photo, in any order), clamped to the photo. */
export function boxBetween(a: { x: number; y: number }, b: { x: number; y: number }): RegionBox {
  const x0 = clamp01(Math.min(a.x, b.x));
  const y0 = clamp01(Math.min(a.y, b.y));
  return [round(x0), round(y0), round(clamp01(Math.max(a.x, b.x)) - x0), round(clamp01(Math.max(a.y, b.y)) - y0)];
}

/** True when a drawn box is big enough to be a region someone meant. */
export const isDrawnRegion = (b: RegionBox): boolean => b[2] >= MIN_DRAWN_SIDE && b[3] >= MIN_DRAWN_SIDE;

/** Intersection over union of two boxes (0: apart, 1: the same). */
export function overlap(a: RegionBox, b: RegionBox): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const inter = Math.max(0, w) * Math.max(0, h);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}
