// The order lines are read in: top to bottom and left to right in the frame of the text
// itself, so that a document photographed sideways or upside down still reads from its
// first line. The frame is the dominant reading direction of the lines (each weighted by
// its length); pieces of one printed line (an item and its price) are joined into a row
// when their centres lie within half a line height of each other across that direction.
import type { Point } from './quad';

export interface PlacedLine {
  /** the direction the line reads in, image coordinates (its length weighs its vote) */
  direction: Point;
  center: Point;
  /** the line's height across its reading direction, pixels */
  height: number;
}

export function readingOrder<T extends PlacedLine>(lines: readonly T[]): T[] {
  if (lines.length <= 1) return [...lines];
  let sx = 0,
    sy = 0;
  for (const l of lines) {
    sx += l.direction[0];
    sy += l.direction[1];
  }
  const norm = Math.hypot(sx, sy);
  const [ux, uy] = norm > 0 ? [sx / norm, sy / norm] : [1, 0];
  // along: position in the reading direction; across: position down the page
  const placed = lines.map((l) => {
    return { l, along: l.center[0] * ux + l.center[1] * uy, across: -l.center[0] * uy + l.center[1] * ux };
  });
  placed.sort((a, b) => a.across - b.across);
  const rows: (typeof placed)[] = [];
  for (const p of placed) {
    const row = rows[rows.length - 1];
    const last = row?.[row.length - 1];
    if (row && last && Math.abs(p.across - last.across) <= 0.5 * Math.min(p.l.height, last.l.height)) row.push(p);
    else rows.push([p]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.along - b.along).map((p) => p.l));
}

