// Differentiable Binarization (DB) post-processing: the detector's text-probability map
// becomes text boxes. It follows PaddleOCR's DBPostProcess (ppocr/postprocess/
// db_postprocess.py, score_mode "fast", box_type "quad"): threshold the map, take each
// connected region, fit its minimum-area rectangle, score it by the mean probability
// inside, grow it by area * unclip_ratio / perimeter (the offset pyclipper computes, which
// for a rectangle is the same rectangle grown on every side) and map it to image pixels.
import { insideConvex, minAreaRect, expandRect, rectCorners } from './quad';
import type { Point, Quad } from './quad';

export interface DbOptions {
  /** a pixel is text when its probability exceeds this (PaddleOCR det_db_thresh 0.3) */
  threshold: number;
  /** a box is kept when its mean probability reaches this (det_db_box_thresh 0.6) */
  boxThreshold: number;
  /** how far a box grows: area * ratio / perimeter on each side (det_db_unclip_ratio 1.5) */
  unclipRatio: number;
  /** boxes whose shorter side is below this many map pixels are noise (min_size 3) */
  minSize: number;
  /** at most this many regions are examined, largest first (max_candidates 1000) */
  maxCandidates: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 };

export interface ProbabilityMap {
  data: Float32Array;
  width: number;
  height: number;
}

export interface TextBox {
  /** corners in image pixels, top-left first (see quad.ts orderQuad) */
  quad: Quad;
  /** the mean text probability inside the box before it was grown */
  score: number;
}

/**
 * Regions of 8-connected pixels above `threshold`; each region is the list of its rows'
 * leftmost and rightmost pixel centres, which have the same convex hull as all its pixels.
 */
export function textRegions(map: ProbabilityMap, threshold: number): Point[][] {
  const { width: w, height: h, data } = map;
  const label = new Int32Array(w * h).fill(-1);
  const regions: Point[][] = [];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (label[start] !== -1 || !(data[start]! > threshold)) continue;
    const id = regions.length;
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w,
        y = (i - x) / w;
      const lo = rowMin.get(y);
      if (lo === undefined || x < lo) rowMin.set(y, x);
      const hi = rowMax.get(y);
      if (hi === undefined || x > hi) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= w) continue;
          const j = ny * w + nx;
          if (label[j] === -1 && data[j]! > threshold) {
            label[j] = id;
            stack.push(j);
          }
        }
      }
    }
    const pts: Point[] = [];
    for (const [y, x0] of rowMin) {
      const x1 = rowMax.get(y)!;
      pts.push([x0, y]);
      if (x1 !== x0) pts.push([x1, y]);
    }
    regions.push(pts);
  }
  return regions;
}

/** Mean probability inside the quad (PaddleOCR box_score_fast: the polygon filled over its bounding box). */
export function boxScore(map: ProbabilityMap, quad: Quad): number {
  const xs = quad.map((p) => p[0]),
    ys = quad.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs))),
    x1 = Math.min(map.width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys))),
    y1 = Math.min(map.height - 1, Math.ceil(Math.max(...ys)));
  let sum = 0,
    n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideConvex(quad, [x, y])) continue;
      sum += map.data[y * map.width + x]!;
      n++;
    }
  }
  return n ? sum / n : 0;
}

/**
 * Text boxes from a probability map, in the pixels of an image of `imageWidth` x
 * `imageHeight` (the map covers the whole image, at any scale).
 */
export function boxesFromMap(map: ProbabilityMap, imageWidth: number, imageHeight: number, opts: DbOptions = DB_DEFAULTS): TextBox[] {
  const regions = textRegions(map, opts.threshold)
    .sort((a, b) => b.length - a.length)
    .slice(0, opts.maxCandidates);
  const sx = imageWidth / map.width,
    sy = imageHeight / map.height;
  const boxes: TextBox[] = [];
  for (const region of regions) {
    const rect = minAreaRect(region);
    if (Math.min(rect.width, rect.height) < opts.minSize) continue;
    const score = boxScore(map, rectCorners(rect));
    if (score < opts.boxThreshold) continue;
    const perimeter = 2 * (rect.width + rect.height);
    const grown = expandRect(rect, (rect.width * rect.height * opts.unclipRatio) / perimeter);
    if (Math.min(grown.width, grown.height) < opts.minSize + 2) continue;
    const quad = rectCorners(grown).map(([x, y]) => [clamp(x * sx, 0, imageWidth), clamp(y * sy, 0, imageHeight)] as Point) as Quad;
    boxes.push({ quad, score });
  }
  return boxes;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
