// Where a photo was taken, in the words a person would use, from its EXIF GPS: an offline
// reverse geocoder over GeoNames' populated places (native-models/places/, built by
// native-models/recipes/build-places.ts). Pure once loaded; the file is read once, lazily.
//
// Which names a point gets:
// - A town of P people reaches min(30, 5 * log2(P / 25,000)) km around it (50k: 5 km,
//   100k: 10 km, 500k: 22 km, 1M+: 27-30 km); smaller places reach nothing.
// - city: the place a person would name. Among the nearest place and the places whose
//   reach covers the point (all of the nearest place's country), the one with the largest
//   population / (km + 2)^3: the town you are in beats the capital 20 km away (Epsom, not
//   London), the capital's centre beats its small neighbourhoods, and a village 40 km from
//   London stays the village.
// - metro: the largest city (100k+) whose reach covers the point, when it is not the city
//   itself (a photo in Amadora or a Lisbon neighbourhood also carries "Lisbon").
// - nearest: the nearest populated place, in `names` when it is neither of the above.
// - region (admin1, e.g. "Lisbon", "California", "England") and country of the nearest place.
// Farther than 50 km from every place: the country alone when the point is surrounded by
// that country's places (an Icelandic highland, a desert), else null (the sea off a coast,
// mid-ocean): see countryAround.
import { installedData } from '../installed';
import { CASE_SENSITIVE_ALIASES, countryName, countryNames } from './countries';
import { decodeGazetteer, GazetteerFileError, type GazetteerData } from './gazetteer-file';
import { bearing, PointGrid } from './grid';

export interface Place {
  /** the place a person would name; null when only the country can be told */
  city: string | null;
  /** the larger city around `city` ("Lisbon" for Amadora), null when none or the same */
  metro: string | null;
  /** the nearest populated place (a neighbourhood, a village) when it is neither city nor metro */
  nearest: string | null;
  /** admin1 region ("Lisbon", "California", "England"), null when GeoNames has none */
  region: string | null;
  /** English country name ("Portugal", "United States") */
  country: string;
  /** ISO 3166-1 alpha-2 ("PT") */
  countryCode: string;
  /** km from the point to `city` (to the nearest place when city is null) */
  distanceKm: number;
  /** every name a search may match: city, metro, nearest place, region, country, country aliases */
  names: string[];
}

export type PlaceKind = 'city' | 'region' | 'country';

/** Places within this distance name the point; beyond it only a country may. */
const NEAR_KM = 50;
/** How far to look for the places that surround a point far from all of them. */
const SURROUND_KM = 400;
const GRAVITY_KM = 2;
/**
 * The widest gap between the bearings of a country's places that still counts as "around"
 * the point. A little over 180 degrees so that a point on a coast between towns (the
 * Jökulsárlón lagoon, 60 km from Höfn) keeps its country; a point 100 km off a coast
 * sees a gap of ~250 degrees.
 */
const MAX_GAP_DEGREES = 200;
const METRO_MIN_POPULATION = 100_000;
/**
 * Within this distance of a place, a point far from towns is in that place's country and
 * region whatever surrounds it: photos are taken on coasts (Vík, 56 km from the nearest
 * town of 1,000 people, has the sea on one side) far more often than 70 km out at sea.
 */
const COAST_KM = 70;

/** The farthest any town reaches (reachKm of 1M+ people). */
const MAX_REACH_KM = 30;

export function reachKm(population: number): number {
  return population <= 25_000 ? 0 : Math.min(MAX_REACH_KM, 5 * Math.log2(population / 25_000));
}

export class Gazetteer {
  private readonly grid: PointGrid;

  /** per place: its reach in km, and its country as a small integer (compared in the hot loop) */
  private readonly reach: Float32Array;
  private readonly country: Uint16Array;

  constructor(private readonly data: GazetteerData) {
    this.grid = new PointGrid(data.lat, data.lon);
    this.reach = Float32Array.from(data.population, reachKm);
    const codes = new Map<string, number>();
    const regionCountry = data.regions.map((r) => {
      if (!codes.has(r.countryCode)) codes.set(r.countryCode, codes.size);
      return codes.get(r.countryCode)!;
    });
    this.country = Uint16Array.from(data.region, (r) => regionCountry[r]!);
  }

  get size(): number {
    return this.data.names.length;
  }

  placeOf(lat: number, lon: number): Place | null {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    const d = this.data;
    const idx: number[] = [];
    const kms: number[] = [];
    let nearest = -1;
    const collect = (i: number, km: number) => {
      if (nearest < 0 || km < kms[nearest]!) nearest = idx.length;
      idx.push(i);
      kms.push(km);
    };
    // no town reaches beyond 30 km, so the wider search is needed only for the nearest place
    this.grid.within(lat, lon, MAX_REACH_KM, collect);
    if (nearest < 0) this.grid.within(lat, lon, NEAR_KM, collect);
    if (nearest < 0) return this.countryAroundCached(lat, lon);

    // city and metro come from the nearest place's country only, so that a photo near a
    // border is not named after a city across it
    const near = idx[nearest]!;
    const cc = this.countryOf(near);
    const country = this.country[near]!;
    let city = nearest;
    let cityScore = -1;
    let metro = -1;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const pop = d.population[i]!;
      const covers = kms[k]! <= this.reach[i]!;
      if ((!covers && k !== nearest) || this.country[i] !== country) continue;
      const score = Math.max(pop, 1000) / (kms[k]! + GRAVITY_KM) ** 3;
      if (score > cityScore) [city, cityScore] = [k, score];
      if (covers && pop >= METRO_MIN_POPULATION && (metro < 0 || pop > d.population[idx[metro]!]!)) metro = k;
    }
    const region = d.regions[d.region[near]!]!.name || null;
    const cityName = d.names[idx[city]!]!;
    const metroName = metro >= 0 && d.names[idx[metro]!] !== cityName ? d.names[idx[metro]!]! : null;
    const nearestName = d.names[near] !== cityName && d.names[near] !== metroName ? d.names[near]! : null;
    return {
      city: cityName,
      metro: metroName,
      nearest: nearestName,
      region,
      country: countryName(cc),
      countryCode: cc,
      distanceKm: kms[city]!,
      names: searchNames([cityName, metroName, nearestName, region], cc),
    };
  }

  /**
   * countryAround costs a 400 km search (~1 ms near a dense coast); photos far from towns
   * come in clusters (a hike, a boat trip), so answers are kept per 0.1-degree cell.
   */
  private countryAroundCached(lat: number, lon: number): Place | null {
    const key = Math.round(lat * 10) * 3600 + Math.round(lon * 10);
    let found = this.around.get(key);
    if (found === undefined) {
      if (this.around.size >= 100_000) this.around.clear();
      found = this.countryAround(Math.round(lat * 10) / 10, Math.round(lon * 10) / 10);
      this.around.set(key, found);
    }
    return found && { ...found, names: [...found.names], distanceKm: this.nearestKm(lat, lon, found.distanceKm) };
  }

  /** The distance to the nearest place, searched up to a little beyond what the cell's centre saw. */
  private nearestKm(lat: number, lon: number, cellKm: number): number {
    let best = Infinity;
    this.grid.within(lat, lon, cellKm + 20, (_i, km) => (best = Math.min(best, km)));
    return best;
  }

  private readonly around = new Map<number, Place | null>();

  private countryOf(i: number): string {
    return this.data.regions[this.data.region[i]!]!.countryCode;
  }

  /**
   * The country of the nearest place when that country's places within SURROUND_KM lie
   * all around the point (no empty half-plane: the largest gap between their bearings is
   * under MAX_GAP_DEGREES), i.e. the point is inside (or on the edge of) the hull of the
   * country's places.
   */
  private countryAround(lat: number, lon: number): Place | null {
    const around: { i: number; km: number }[] = [];
    this.grid.within(lat, lon, SURROUND_KM, (i, km) => around.push({ i, km }));
    if (!around.length) return null;
    const nearest = around.reduce((a, b) => (b.km < a.km ? b : a));
    const cc = this.countryOf(nearest.i);
    if (nearest.km <= COAST_KM) {
      const region = this.data.regions[this.data.region[nearest.i]!]!.name || null;
      return { city: null, metro: null, nearest: null, region, country: countryName(cc), countryCode: cc, distanceKm: nearest.km, names: searchNames([region], cc) };
    }
    if (around.length < 3) return null;
    const bearings = around
      .filter((p) => this.countryOf(p.i) === cc)
      .map((p) => bearing(lat, lon, this.data.lat[p.i]!, this.data.lon[p.i]!))
      .sort((a, b) => a - b);
    if (bearings.length < 3) return null;
    let gap = 360 - bearings[bearings.length - 1]! + bearings[0]!;
    for (let k = 1; k < bearings.length; k++) gap = Math.max(gap, bearings[k]! - bearings[k - 1]!);
    if (gap >= MAX_GAP_DEGREES) return null;
    return { city: null, metro: null, nearest: null, region: null, country: countryName(cc), countryCode: cc, distanceKm: nearest.km, names: searchNames([], cc) };
  }
}

const countrySearchNames = new Map<string, string[]>();

/** The names a place can be searched by, each once (case-insensitively), country aliases last. */
function searchNames(local: (string | null)[], cc: string): string[] {
  let country = countrySearchNames.get(cc);
  if (!country) countrySearchNames.set(cc, (country = countryNames(cc).filter((a) => !CASE_SENSITIVE_ALIASES.has(a))));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const n of [...local, ...country]) {
    if (!n || seen.has(n.toLowerCase())) continue;
    seen.add(n.toLowerCase());
    out.push(n);
  }
  return out;
}

/** The names of a place with their kinds (no aliases): what a library's place list counts. */
export function placeNames(p: Place): { name: string; kind: PlaceKind }[] {
  const out: { name: string; kind: PlaceKind }[] = [];
  for (const n of [p.city, p.metro, p.nearest]) if (n) out.push({ name: n, kind: 'city' });
  if (p.region && p.region !== p.country) out.push({ name: p.region, kind: 'region' });
  out.push({ name: p.country, kind: 'country' });
  return out;
}

export const GAZETTEER_FILE = 'places.bin.gz';

const installed = installedData({
  path: `native-models/places/${GAZETTEER_FILE}`,
  what: 'gazetteer',
  rebuild: 'npx tsx native-models/recipes/build-places.ts',
  error: GazetteerFileError,
  read: (bytes) => new Gazetteer(decodeGazetteer(bytes)),
});

/** Reads a gazetteer file (places.bin.gz). Errors say what is wrong and what to do. */
export const loadGazetteer: (file: string) => Gazetteer = installed.load;
/** native-models/places/places.bin.gz of the installation (found walking up from `from`), or null. */
export const findGazetteerFile: (from?: string) => string | null = installed.find;
/** The installation's gazetteer, loaded on first use and kept. */
export const defaultGazetteer: () => Gazetteer = installed.shared;

/** placeOf with the installation's gazetteer. */
export function placeOf(lat: number, lon: number): Place | null {
  return defaultGazetteer().placeOf(lat, lon);
}
