// The gazetteer's file (native-models/places/places.bin.gz): the one definition of its
// layout, written by native-models/recipes/build-places.ts and read by gazetteer.ts.
// Binary and columnar so that loading is a gunzip and a few typed-array copies (a TSV of
// 135k rows took ~0.5 s to split and parse on a loaded 2-core machine).
//
// Layout (little-endian), gzipped as a whole:
//   "TRPL"  u32 version (1)  u32 places  u32 regions  u32 namesBytes  u32 regionsBytes
//   i32 lat[places]      latitude in 1e-5 degrees, delta-coded (each minus the previous)
//   i32 lon[places]      longitude, the same
//   u32 population[places]   0 when GeoNames gives none
//   u16 region[places]   index into the region table (padded to 4 bytes)
//   names    UTF-8, the place names joined by '\n'
//   regions  UTF-8, one "CC\tadmin1 name" per region joined by '\n' (name '' when unknown)
import { gunzipSync, gzipSync } from 'node:zlib';
import { messageOf } from '../../base/errors';

const MAGIC = 'TRPL';
const VERSION = 1;
const HEADER = 24;

export interface GazetteerRegion {
  countryCode: string;
  /** the admin1 name ('Lisbon', 'California', 'England'); '' when GeoNames has none */
  name: string;
}

export interface GazetteerData {
  names: string[];
  lat: Float64Array;
  lon: Float64Array;
  population: Uint32Array;
  region: Uint16Array;
  regions: GazetteerRegion[];
}

export class GazetteerFileError extends Error {}

const pad4 = (n: number) => (n + 3) & ~3;

export function encodeGazetteer(d: GazetteerData): Buffer {
  const n = d.names.length;
  if (d.regions.length > 0xffff) throw new GazetteerFileError(`${d.regions.length} regions do not fit a u16 index`);
  for (const name of d.names) if (name.includes('\n')) throw new GazetteerFileError(`a place name holds a newline: ${JSON.stringify(name)}`);
  const names = Buffer.from(d.names.join('\n'), 'utf8');
  const regions = Buffer.from(d.regions.map((r) => `${r.countryCode}\t${r.name}`).join('\n'), 'utf8');
  const regionBytes = pad4(n * 2);
  const out = Buffer.alloc(HEADER + n * 12 + regionBytes + names.length + regions.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(d.regions.length, 12);
  out.writeUInt32LE(names.length, 16);
  out.writeUInt32LE(regions.length, 20);
  let prevLat = 0;
  let prevLon = 0;
  for (let i = 0; i < n; i++) {
    const lat = Math.round(d.lat[i]! * 1e5);
    const lon = Math.round(d.lon[i]! * 1e5);
    out.writeInt32LE(lat - prevLat, HEADER + i * 4);
    out.writeInt32LE(lon - prevLon, HEADER + n * 4 + i * 4);
    out.writeUInt32LE(d.population[i]!, HEADER + n * 8 + i * 4);
    out.writeUInt16LE(d.region[i]!, HEADER + n * 12 + i * 2);
    prevLat = lat;
    prevLon = lon;
  }
  names.copy(out, HEADER + n * 12 + regionBytes);
  regions.copy(out, HEADER + n * 12 + regionBytes + names.length);
  return gzipSync(out, { level: 9 });
}

export function decodeGazetteer(gz: Uint8Array): GazetteerData {
  let raw: Buffer;
  try {
    raw = gunzipSync(gz);
  } catch (e) {
    throw new GazetteerFileError(`the gazetteer file is not gzip data (${messageOf(e)}); rebuild it with native-models/recipes/build-places.ts`);
  }
  if (raw.length < HEADER || raw.toString('latin1', 0, 4) !== MAGIC) throw new GazetteerFileError('the gazetteer file has no TRPL header; rebuild it with native-models/recipes/build-places.ts');
  const version = raw.readUInt32LE(4);
  if (version !== VERSION) throw new GazetteerFileError(`the gazetteer file is version ${version}; this Trove reads version ${VERSION}. Reinstall Trove or rebuild the file.`);
  const n = raw.readUInt32LE(8);
  const nRegions = raw.readUInt32LE(12);
  const namesBytes = raw.readUInt32LE(16);
  const regionsBytes = raw.readUInt32LE(20);
  const regionBytes = pad4(n * 2);
  if (raw.length !== HEADER + n * 12 + regionBytes + namesBytes + regionsBytes) throw new GazetteerFileError('the gazetteer file is truncated or its header is wrong; rebuild it');
  // copies: a gunzipped Buffer's byteOffset need not be aligned for typed-array views
  const ints = (at: number) => new Int32Array(raw.buffer.slice(raw.byteOffset + at, raw.byteOffset + at + n * 4));
  const dLat = ints(HEADER);
  const dLon = ints(HEADER + n * 4);
  const population = new Uint32Array(raw.buffer.slice(raw.byteOffset + HEADER + n * 8, raw.byteOffset + HEADER + n * 12));
  const region = new Uint16Array(raw.buffer.slice(raw.byteOffset + HEADER + n * 12, raw.byteOffset + HEADER + n * 12 + n * 2));
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  let la = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    la += dLat[i]!;
    lo += dLon[i]!;
    lat[i] = la / 1e5;
    lon[i] = lo / 1e5;
  }
  const namesAt = HEADER + n * 12 + regionBytes;
  const names = n ? raw.toString('utf8', namesAt, namesAt + namesBytes).split('\n') : [];
  const regions = nRegions
    ? raw
        .toString('utf8', namesAt + namesBytes, namesAt + namesBytes + regionsBytes)
        .split('\n')
        .map((line) => {
          const tab = line.indexOf('\t');
          return { countryCode: line.slice(0, tab), name: line.slice(tab + 1) };
        })
    : [];
  if (names.length !== n || regions.length !== nRegions) throw new GazetteerFileError('the gazetteer file is inconsistent (name or region count); rebuild it');
  for (let i = 0; i < n; i++) if (region[i]! >= nRegions) throw new GazetteerFileError(`place ${i} points at region ${region[i]} of ${nRegions}; rebuild the file`);
  return { names, lat, lon, population, region, regions };
}
