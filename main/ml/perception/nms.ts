// Greedy non-maximum suppression, the one both detectors use: the best-scoring box is
// kept, every box overlapping it by more than the IoU threshold is dropped, repeat
// (tf.image.nonMaxSuppression's rule, which human's detectors call).
import type { FractionBox } from './types';

/** Intersection over union of two boxes; 0 when either has no area. */
export function iou(a: FractionBox, b: FractionBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** The boxes that survive NMS, best first; ties keep their input order. */
export function nonMaxSuppression<T extends { score: number; box: FractionBox }>(items: readonly T[], iouThreshold: number, maxOut = Infinity): T[] {
  const order = items.map((_v, i) => i).sort((a, b) => items[b]!.score - items[a]!.score || a - b);
  const kept: T[] = [];
  for (const i of order) {
    if (kept.length >= maxOut) break;
    const c = items[i]!;
    if (kept.every((k) => iou(k.box, c.box) <= iouThreshold)) kept.push(c);
  }
  return kept;
}

/** NMS within each class (`classOf`), so a dog never suppresses the person holding it; best first overall. */
export function perClassNms<T extends { score: number; box: FractionBox }>(items: readonly T[], classOf: (t: T) => string | number, iouThreshold: number): T[] {
  const groups = new Map<string | number, T[]>();
  for (const t of items) {
    const k = classOf(t);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return [...groups.values()].flatMap((g) => nonMaxSuppression(g, iouThreshold)).sort((a, b) => b.score - a.score);
}

/** A box given by its corners, clipped to the image (fractions 0..1). */
export function boxFromCorners(x1: number, y1: number, x2: number, y2: number): FractionBox {
  const cx1 = Math.min(Math.max(Math.min(x1, x2), 0), 1);
  const cy1 = Math.min(Math.max(Math.min(y1, y2), 0), 1);
  const cx2 = Math.min(Math.max(Math.max(x1, x2), 0), 1);
  const cy2 = Math.min(Math.max(Math.max(y1, y2), 0), 1);
  return { x: cx1, y: cy1, width: cx2 - cx1, height: cy2 - cy1 };
}
