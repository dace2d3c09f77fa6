// A fixed latitude/longitude grid over points (0.5-degree cells, a counting sort into one
// index array): "every point within R km" visits only the cells of R's bounding box.
// With the 135k GeoNames places a 50 km query visits a few dozen cells.

const CELL = 0.5;
const ROWS = 180 / CELL;
const COLS = 360 / CELL;
const EARTH_KM = 6371.0088;
const KM_PER_DEGREE = (Math.PI * EARTH_KM) / 180;

const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing from point 1 to point 2, in degrees clockwise from north, 0..360. */
export function bearing(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const y = Math.sin(rad(lon2 - lon1)) * Math.cos(rad(lat2));
  const x = Math.cos(rad(lat1)) * Math.sin(rad(lat2)) - Math.sin(rad(lat1)) * Math.cos(rad(lat2)) * Math.cos(rad(lon2 - lon1));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

const rowOf = (lat: number) => Math.min(ROWS - 1, Math.max(0, Math.floor((lat + 90) / CELL)));
const colOf = (lon: number) => (((Math.floor((lon + 180) / CELL) % COLS) + COLS) % COLS);

export class PointGrid {
  /** start of each cell's run in `order` (cells row-major), plus one end marker */
  private readonly start: Uint32Array;
  /** point indexes grouped by cell */
  private readonly order: Uint32Array;

  constructor(
    readonly lat: Float64Array,
    readonly lon: Float64Array,
  ) {
    const n = lat.length;
    const cellOf = new Uint32Array(n);
    const count = new Uint32Array(ROWS * COLS + 1);
    for (let i = 0; i < n; i++) {
      const c = rowOf(lat[i]!) * COLS + colOf(lon[i]!);
      cellOf[i] = c;
      count[c + 1]!++;
    }
    for (let c = 0; c < ROWS * COLS; c++) count[c + 1]! += count[c]!;
    this.start = count;
    const next = count.slice(0, ROWS * COLS);
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[next[cellOf[i]!]!++] = i;
  }

  /** Calls `visit(index, km)` for every point within `radiusKm` of (lat, lon). */
  within(lat: number, lon: number, radiusKm: number, visit: (index: number, km: number) => void): void {
    const dLat = radiusKm / KM_PER_DEGREE;
    const lat0 = lat - dLat;
    const lat1 = lat + dLat;
    const widest = Math.max(Math.abs(lat0), Math.abs(lat1));
    // near a pole, or when the box would span the globe, every column
    const dLon = widest >= 89.9 ? 180 : radiusKm / (KM_PER_DEGREE * Math.cos(rad(widest)));
    const allCols = dLon >= 180;
    // a flat-earth distance, cheap and within a few percent at these radii, rejects most
    // points before the exact haversine (skipped near the poles and across the antimeridian)
    const kx = Math.cos(rad(lat)) * KM_PER_DEGREE;
    const flat = !allCols && widest < 80 && lon - dLon > -180 && lon + dLon < 180;
    const reject = (radiusKm * 1.1) ** 2;
    const col0 = allCols ? 0 : Math.floor((lon - dLon + 180) / CELL);
    const col1 = allCols ? COLS - 1 : Math.floor((lon + dLon + 180) / CELL);
    for (let r = rowOf(lat0); r <= rowOf(lat1); r++) {
      for (let cc = col0; cc <= col1 && cc - col0 < COLS; cc++) {
        const c = r * COLS + (((cc % COLS) + COLS) % COLS);
        for (let k = this.start[c]!; k < this.start[c + 1]!; k++) {
          const i = this.order[k]!;
          if (flat) {
            const dx = (this.lon[i]! - lon) * kx;
            const dy = (this.lat[i]! - lat) * KM_PER_DEGREE;
            if (dx * dx + dy * dy > reject) continue;
          }
          const km = distanceKm(lat, lon, this.lat[i]!, this.lon[i]!);
          if (km <= radiusKm) visit(i, km);
        }
      }
    }
  }
}
