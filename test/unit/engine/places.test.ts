// The offline gazetteer: the committed GeoNames file (native-models/places) on known
// coordinates, the grid against brute force, and the file format's errors.
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { countryName, countryNames } from '../../../main/engine/places/countries';
import { findGazetteerFile, loadGazetteer, placeNames, reachKm } from '../../../main/engine/places/gazetteer';
import { decodeGazetteer, encodeGazetteer, GazetteerFileError } from '../../../main/engine/places/gazetteer-file';
import { distanceKm, PointGrid } from '../../../main/engine/places/grid';

const file = findGazetteerFile(__dirname);
const gaz = loadGazetteer(file ?? 'native-models/places/places.bin.gz');

describe('placeOf on known coordinates', () => {
  it('the committed file is found and holds the GeoNames places', () => {
    expect(file).toMatch(/native-models\/places\/places\.bin\.gz$/);
    expect(gaz.size).toBeGreaterThan(130_000);
  });

  it('Lisbon centre (Praça do Comércio)', () => {
    const p = gaz.placeOf(38.7075, -9.1364)!;
    expect(p).toMatchObject({ city: 'Lisbon', region: 'Lisbon', country: 'Portugal', countryCode: 'PT' });
    expect(p.distanceKm).toBeLessThan(3);
  });

  it('a Lisbon suburb is named for itself and also carries Lisbon', () => {
    const p = gaz.placeOf(38.7536, -9.2302)!; // Amadora
    expect(p.city).toBe('Amadora');
    expect(p.metro).toBe('Lisbon');
    expect(p.names).toEqual(expect.arrayContaining(['Amadora', 'Lisbon', 'Portugal']));
  });

  it('a neighbourhood of a big city is named for the city and keeps the neighbourhood in names', () => {
    const p = gaz.placeOf(40.758, -73.9855)!; // Times Square
    expect(p).toMatchObject({ city: 'New York City', region: 'New York', country: 'United States', countryCode: 'US' });
    expect(p.nearest).not.toBeNull();
    expect(p.names).toEqual(expect.arrayContaining(['New York City', p.nearest!, 'New York', 'United States', 'USA', 'America']));
    expect(p.names).not.toContain('US'); // "photos of us" must not match every American photo
  });

  it('Reykjavik, and rural Iceland far from any town gets the country only', () => {
    expect(gaz.placeOf(64.1466, -21.9426)).toMatchObject({ city: 'Reykjavík', country: 'Iceland', countryCode: 'IS' });
    const highlands = gaz.placeOf(64.9, -18.5)!;
    expect(highlands).toMatchObject({ city: null, region: null, country: 'Iceland', countryCode: 'IS' });
    expect(highlands.distanceKm).toBeGreaterThan(50);
    expect(gaz.placeOf(64.048, -16.18)).toMatchObject({ city: null, country: 'Iceland' }); // Jökulsárlón, on the coast
  });

  it.each([
    ['San Francisco', 37.7955, -122.3937, 'San Francisco', 'California', 'United States'],
    ['London', 51.508, -0.128, 'London', 'England', 'United Kingdom'],
    ['Paris', 48.8584, 2.2945, 'Paris', 'Île-de-France', 'France'],
    ['Sydney', -33.8568, 151.2153, 'Sydney', 'New South Wales', 'Australia'],
    ['Kyoto', 35.0394, 135.7292, 'Kyoto', 'Kyoto', 'Japan'],
  ])('%s', (_n, lat, lon, city, region, country) => {
    expect(gaz.placeOf(lat, lon)).toMatchObject({ city, region, country });
  });

  it('a town near a big city keeps its own name; the big city is its metro when within reach', () => {
    expect(gaz.placeOf(48.8049, 2.1204)).toMatchObject({ city: 'Versailles', metro: 'Paris' });
    expect(gaz.placeOf(38.6970, -9.4215)).toMatchObject({ city: 'Cascais', metro: null }); // 25 km from Lisbon, out of its reach
    expect(gaz.placeOf(51.336, -0.267)).toMatchObject({ city: 'Epsom', metro: 'London' }); // 23 km from London, within its reach
    expect(gaz.placeOf(51.508, -0.128)!.names).toEqual(expect.arrayContaining(['UK', 'Britain', 'Great Britain', 'England']));
  });

  it('near a border the city and the country agree (Saint-Louis, France, next to Basel)', () => {
    expect(gaz.placeOf(47.59, 7.56)).toMatchObject({ countryCode: 'FR', country: 'France', metro: null });
  });

  it('a coast far from towns keeps its country and region (Vík, 56 km from the nearest town of 1,000)', () => {
    expect(gaz.placeOf(63.4483, -19.1374)).toMatchObject({ city: null, region: 'South', country: 'Iceland' });
  });

  it('at sea there is no place: mid-Atlantic, 100 km off Lisbon, Null Island', () => {
    expect(gaz.placeOf(30, -40)).toBeNull();
    expect(gaz.placeOf(38.7, -10.5)).toBeNull();
    expect(gaz.placeOf(0, 0)).toBeNull();
  });

  it('coordinates that are not on Earth give null', () => {
    for (const [lat, lon] of [[NaN, 0], [91, 0], [0, 181], [Infinity, 3]] as const) expect(gaz.placeOf(lat, lon)).toBeNull();
  });

  it('placeNames lists each name once with its kind, without aliases', () => {
    expect(placeNames(gaz.placeOf(38.7536, -9.2302)!)).toEqual([
      { name: 'Amadora', kind: 'city' },
      { name: 'Lisbon', kind: 'city' },
      { name: 'Lisbon', kind: 'region' },
      { name: 'Portugal', kind: 'country' },
    ]);
    expect(placeNames(gaz.placeOf(64.9, -18.5)!)).toEqual([{ name: 'Iceland', kind: 'country' }]);
  });
});

describe('countries and reach', () => {
  it('English names from the platform, made plain where CLDR qualifies them, with aliases', () => {
    expect(countryName('pt')).toBe('Portugal');
    expect(countryName('MM')).toBe('Myanmar');
    expect(countryNames('NL')).toEqual(expect.arrayContaining(['Netherlands', 'Holland']));
    expect(countryNames('GB')).toEqual(expect.arrayContaining(['United Kingdom', 'UK', 'Britain', 'Great Britain']));
    expect(countryNames('US')).toEqual(expect.arrayContaining(['United States', 'USA', 'US', 'America']));
  });

  it('a town reaches farther the larger it is, up to 30 km; 25k people or fewer reach nothing', () => {
    expect(reachKm(25_000)).toBe(0);
    expect(reachKm(50_000)).toBeCloseTo(5);
    expect(reachKm(100_000)).toBeCloseTo(10);
    expect(reachKm(517_802)).toBeGreaterThan(20);
    expect(reachKm(8_000_000)).toBe(30);
  });
});

describe('PointGrid', () => {
  it('within() finds exactly the points brute force finds, across the antimeridian and near a pole', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 3000;
    const lat = Float64Array.from({ length: n }, () => rnd() * 180 - 90);
    const lon = Float64Array.from({ length: n }, () => rnd() * 360 - 180);
    const grid = new PointGrid(lat, lon);
    const queries: [number, number, number][] = [[0, 179.9, 800], [0, -179.9, 800], [89.5, 10, 500], [-89, -100, 300], [45, 7, 1500], [10, 20, 50]];
    for (let q = 0; q < 40; q++) queries.push([rnd() * 170 - 85, rnd() * 360 - 180, 100 + rnd() * 900]);
    for (const [qLat, qLon, r] of queries) {
      const got: number[] = [];
      grid.within(qLat, qLon, r, (i, km) => {
        expect(km).toBeCloseTo(distanceKm(qLat, qLon, lat[i]!, lon[i]!), 9);
        got.push(i);
      });
      const want = [...lat.keys()].filter((i) => distanceKm(qLat, qLon, lat[i]!, lon[i]!) <= r);
      expect(got.sort((a, b) => a - b)).toEqual(want);
    }
  });

  it('distanceKm: Lisbon to Paris is about 1,450 km', () => {
    expect(distanceKm(38.7167, -9.1333, 48.8534, 2.3488)).toBeGreaterThan(1440);
    expect(distanceKm(38.7167, -9.1333, 48.8534, 2.3488)).toBeLessThan(1460);
  });
});

describe('the gazetteer file', () => {
  const sample = {
    names: ['Alpha', 'Bêta', 'Gamma'],
    lat: Float64Array.from([38.71667, -33.86785, 64.13548]),
    lon: Float64Array.from([-9.13333, 151.20732, -21.89541]),
    population: Uint32Array.from([517802, 0, 118918]),
    region: Uint16Array.from([0, 1, 0]),
    regions: [
      { countryCode: 'PT', name: 'Lisbon' },
      { countryCode: 'AU', name: '' },
    ],
  };

  it('round-trips names, coordinates (1e-5 degrees), populations and regions', () => {
    const back = decodeGazetteer(encodeGazetteer(sample));
    expect(back.names).toEqual(sample.names);
    expect([...back.lat]).toEqual([...sample.lat]);
    expect([...back.lon]).toEqual([...sample.lon]);
    expect([...back.population]).toEqual([...sample.population]);
    expect([...back.region]).toEqual([...sample.region]);
    expect(back.regions).toEqual(sample.regions);
  });

  it('refuses data that is not a gazetteer, with what to do', () => {
    expect(() => decodeGazetteer(Buffer.from('not gzip'))).toThrow(/not gzip data.*build-places/);
    const gz = encodeGazetteer(sample);
    const raw = gunzipSync(gz);
    raw.write('XXXX', 0, 'latin1');
    expect(() => decodeGazetteer(gzipSync(raw))).toThrow(GazetteerFileError);
    const cut = gunzipSync(gz).subarray(0, 40);
    expect(() => decodeGazetteer(gzipSync(cut))).toThrow(/truncated/);
    expect(() => loadGazetteer('/nonexistent/places.bin.gz')).toThrow(/build-places/);
  });
});
