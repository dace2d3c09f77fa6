// Plane geometry of text boxes: convex hulls, minimum-area rectangles, quadrilaterals in
// a fixed corner order, and the homography that maps one quadrilateral onto another.
// Pure functions over plain numbers.

export type Point = [number, number];
/** four corners: top-left, top-right, bottom-right, bottom-left (PaddleOCR's order) */
export type Quad = [Point, Point, Point, Point];
/** a 3x3 homography, row-major */
export type Homography = Float64Array;

const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** The convex hull (Andrew's monotone chain), counter-clockwise in y-down coordinates, no collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length <= 2) return pts;
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export interface RotatedRect {
  center: Point;
  /** side lengths along `axis` and across it */
  width: number;
  height: number;
  /** unit vector of the `width` side */
  axis: Point;
}

/** The rectangle of least area around the points (rotating calipers over the hull's edges). */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) throw new Error('minAreaRect of no points');
  if (hull.length === 1) return { center: [...hull[0]!], width: 0, height: 0, axis: [1, 0] };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!,
      b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len,
      uy = (b[1] - a[1]) / len;
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy,
        v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2,
        cv = (minV + maxV) / 2;
      best = { center: [cu * ux - cv * uy, cu * uy + cv * ux], width: maxU - minU, height: maxV - minV, axis: [ux, uy] };
    }
  }
  return best!;
}

/** The rectangle grown by `d` on every side. */
export function expandRect(r: RotatedRect, d: number): RotatedRect {
  return { ...r, width: r.width + 2 * d, height: r.height + 2 * d };
}

/** The rectangle's corners in PaddleOCR's order (get_mini_boxes): by x, then the upper of each pair first. */
export function rectCorners(r: RotatedRect): Quad {
  const [cx, cy] = r.center;
  const [ux, uy] = r.axis;
  const hw = r.width / 2,
    hh = r.height / 2;
  const pts: Point[] = [
    [cx - ux * hw + uy * hh, cy - uy * hw - ux * hh],
    [cx + ux * hw + uy * hh, cy + uy * hw - ux * hh],
    [cx + ux * hw - uy * hh, cy + uy * hw + ux * hh],
    [cx - ux * hw - uy * hh, cy - uy * hw + ux * hh],
  ];
  return orderQuad(pts);
}

/** Orders four corners as top-left, top-right, bottom-right, bottom-left (PaddleOCR's get_mini_boxes). */
export function orderQuad(pts: readonly Point[]): Quad {
  const s = [...pts].sort((a, b) => a[0] - b[0]);
  const [l0, l1] = s[0]![1] <= s[1]![1] ? [s[0]!, s[1]!] : [s[1]!, s[0]!];
  const [r0, r1] = s[2]![1] <= s[3]![1] ? [s[2]!, s[3]!] : [s[3]!, s[2]!];
  return [l0, r0, r1, l1];
}

/** A quad's width (longer of top and bottom edges) and height (longer of the side edges). */
export function quadSize(q: Quad): { width: number; height: number } {
  const d = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  return { width: Math.max(d(q[0], q[1]), d(q[3], q[2])), height: Math.max(d(q[0], q[3]), d(q[1], q[2])) };
}

/** The homography that maps the four `src` points onto the four `dst` points. */
export function homography(src: readonly Point[], dst: readonly Point[]): Homography {
  // 8 unknowns (h33 = 1), two rows per point pair, Gauss-Jordan elimination with partial pivoting
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [u, v] = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    const piv = A[c]![c]!;
    if (Math.abs(piv) < 1e-12) throw new Error('degenerate quadrilateral: three of its corners are collinear');
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / piv;
      for (let k = c; k < 9; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  const h = new Float64Array(9);
  for (let i = 0; i < 8; i++) h[i] = A[i]![8]! / A[i]![i]!;
  h[8] = 1;
  return h;
}

export function applyHomography(h: Homography, [x, y]: Point): Point {
  const d = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / d, (h[3]! * x + h[4]! * y + h[5]!) / d];
}

export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, k, l] = Array.from(h) as [number, number, number, number, number, number, number, number, number];
  const A = e * l - f * k,
    B = -(d * l - f * g),
    C = d * k - e * g;
  const det = a * A + b * B + c * C;
  const inv = new Float64Array([A, -(b * l - c * k), b * f - c * e, B, a * l - c * g, -(a * f - c * d), C, -(a * k - b * g), a * e - b * d]);
  for (let i = 0; i < 9; i++) inv[i]! /= det;
  return inv;
}

/** Whether p lies inside the convex polygon (either winding). */
export function insideConvex(poly: readonly Point[], p: Point): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const c = cross(poly[i]!, poly[(i + 1) % poly.length]!, p);
    if (c === 0) continue;
    const s = c > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}
