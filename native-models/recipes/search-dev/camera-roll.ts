// The camera roll of the search dev library: the trips and home life its photos belong to
// (place, dates, camera), the file names cameras give, and the EXIF block written into
// each JPEG (piexifjs). Pure except for the EXIF encoding; every choice comes from an Rng.
import piexif from 'piexifjs';
import type { Rng } from '../lib/rng';

export type Season = 'winter' | 'spring' | 'summer' | 'autumn' | 'december';

export interface Camera {
  make: string;
  model: string;
  naming: 'iphone' | 'pixel' | 'samsung' | 'canon' | 'sony';
}

const CAMERAS = {
  galaxy: { make: 'samsung', model: 'SM-G920F', naming: 'samsung' },
  iphone8: { make: 'Apple', model: 'iPhone 8', naming: 'iphone' },
  iphone12: { make: 'Apple', model: 'iPhone 12', naming: 'iphone' },
  pixel6: { make: 'Google', model: 'Pixel 6', naming: 'pixel' },
  canon: { make: 'Canon', model: 'Canon EOS 80D', naming: 'canon' },
  sony: { make: 'SONY', model: 'ILCE-6000', naming: 'sony' },
} as const satisfies Record<string, Camera>;

/** The phone in the person's pocket that year. */
export function phoneOf(year: number): Camera {
  return year <= 2016 ? CAMERAS.galaxy : year <= 2019 ? CAMERAS.iphone8 : year <= 2021 ? CAMERAS.iphone12 : CAMERAS.pixel6;
}

export interface Place {
  /** the name a person would search for (a populated place in GeoNames' cities1000, or a landmark near one) */
  name: string;
  country: string;
  lat: number;
  lon: number;
  /** how far photos spread around the point (km) */
  spreadKm: number;
}

export interface RollEvent {
  id: string;
  place: Place;
  /** first day (UTC date) and number of days; null for home (any day 2015-2024, by season) */
  start: string | null;
  days: number;
  /** a second camera some photos of this event were taken with */
  camera?: Camera;
  /** the folder the person keeps this event's photos in, when not a date folder */
  folder?: string;
}

const P = (name: string, country: string, lat: number, lon: number, spreadKm: number): Place => ({ name, country, lat, lon, spreadKm });

// Kept out of the library on purpose (the query parser must not treat them as places here):
// New York, Kyoto, Edinburgh, Barcelona, Cape Town, Sydney. Two notes mention some of them.
export const EVENTS = {
  home: { id: 'home', place: P('Manchester', 'United Kingdom', 53.4668, -2.2339, 4), start: null, days: 0 },
  arizona: { id: 'arizona', place: P('Grand Canyon Village', 'United States', 36.0579, -112.1365, 3), start: '2015-09-20', days: 3, camera: CAMERAS.canon },
  paris: { id: 'paris', place: P('Paris', 'France', 48.8584, 2.3447, 3), start: '2017-04-14', days: 3 },
  maintenon: { id: 'maintenon', place: P('Maintenon', 'France', 48.5869, 1.5781, 0.5), start: '2017-04-17', days: 1 },
  zoo: { id: 'zoo', place: P('Chester', 'United Kingdom', 53.2268, -2.8843, 0.4), start: '2018-05-26', days: 1 },
  skagen: { id: 'skagen', place: P('Skagen', 'Denmark', 57.7262, 10.5857, 3), start: '2018-07-09', days: 5, camera: CAMERAS.sony },
  lisbon: { id: 'lisbon', place: P('Lisbon', 'Portugal', 38.7139, -9.1394, 2.5), start: '2019-06-08', days: 3, folder: 'Photos/Lisbon 2019' },
  cascais: { id: 'cascais', place: P('Cascais', 'Portugal', 38.6968, -9.4215, 1.5), start: '2019-06-11', days: 2, folder: 'Photos/Lisbon 2019' },
  porto: { id: 'porto', place: P('Porto', 'Portugal', 41.1413, -8.6110, 2), start: '2019-06-13', days: 3, folder: 'Photos/Lisbon 2019' },
  lakes: { id: 'lakes', place: P('Keswick', 'United Kingdom', 54.5920, -3.1390, 5), start: '2020-10-03', days: 5 },
  zooWinter: { id: 'zooWinter', place: P('Chester', 'United Kingdom', 53.2268, -2.8843, 0.4), start: '2021-01-09', days: 1 },
  cornwall: { id: 'cornwall', place: P('St Ives', 'United Kingdom', 50.2110, -5.4800, 2), start: '2021-08-14', days: 7 },
  reykjavik: { id: 'reykjavik', place: P('Reykjavik', 'Iceland', 64.1466, -21.9426, 2), start: '2022-02-10', days: 3, camera: CAMERAS.canon, folder: 'Photos/Iceland trip' },
  icelandSouth: { id: 'icelandSouth', place: P('Vik', 'Iceland', 63.4186, -19.0060, 8), start: '2022-02-13', days: 2, camera: CAMERAS.canon, folder: 'Photos/Iceland trip' },
  glacier: { id: 'glacier', place: P('Jokulsarlon', 'Iceland', 64.0784, -16.2306, 4), start: '2022-02-15', days: 1, camera: CAMERAS.canon, folder: 'Photos/Iceland trip' },
  york: { id: 'york', place: P('York', 'United Kingdom', 53.9590, -1.0815, 2), start: '2022-12-23', days: 5 },
  london: { id: 'london', place: P('London', 'United Kingdom', 51.5007, -0.1246, 3), start: '2023-03-18', days: 1 },
  amsterdam: { id: 'amsterdam', place: P('Amsterdam', 'Netherlands', 52.3676, 4.8900, 2.5), start: '2023-04-20', days: 4 },
  dales: { id: 'dales', place: P('Hawes', 'United Kingdom', 54.3036, -2.1967, 6), start: '2024-04-06', days: 2 },
} as const satisfies Record<string, RollEvent>;

export type EventId = keyof typeof EVENTS;

const SEASON_MONTHS: Record<Season, number[]> = { winter: [1, 2], spring: [3, 4, 5], summer: [6, 7, 8], autumn: [9, 10, 11], december: [12] };

/** When the photo was taken (a UTC instant; written to EXIF as local wall-clock time). */
export function sampleDate(ev: RollEvent, season: Season | undefined, r: Rng): Date {
  const hour = r.int(8, 19);
  if (ev.start) {
    const d = new Date(`${ev.start}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + r.int(0, Math.max(0, ev.days - 1)));
    d.setUTCHours(hour, r.int(0, 59), r.int(0, 59));
    return d;
  }
  const year = r.int(2015, 2024);
  const months = season ? SEASON_MONTHS[season] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  // the 2nd to the 26th: a date query's month edges never depend on the time zone
  return new Date(Date.UTC(year, r.pick(months) - 1, r.int(2, 26), hour, r.int(0, 59), r.int(0, 59)));
}

/** A point near the place: uniform in a disc of its spread. */
export function samplePoint(p: Place, r: Rng): { lat: number; lon: number } {
  const d = p.spreadKm * Math.sqrt(r.next());
  const a = r.range(0, 2 * Math.PI);
  const lat = p.lat + (d * Math.cos(a)) / 111.32;
  const lon = p.lon + (d * Math.sin(a)) / (111.32 * Math.cos((p.lat * Math.PI) / 180));
  return { lat, lon };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The file name the camera gives (counters keep iPhone/Canon/Sony numbers rising through the roll). */
export function cameraFileName(cam: Camera, when: Date, counter: number, r: Rng): string {
  const y = when.getUTCFullYear(),
    mo = pad(when.getUTCMonth() + 1),
    d = pad(when.getUTCDate());
  const hh = pad(when.getUTCHours()),
    mm = pad(when.getUTCMinutes()),
    ss = pad(when.getUTCSeconds());
  switch (cam.naming) {
    case 'iphone':
    case 'canon':
      return `IMG_${pad(counter % 10000, 4)}.JPG`;
    case 'sony':
      return `DSC${pad(counter % 100000, 5)}.JPG`;
    case 'samsung':
      return `${y}${mo}${d}_${hh}${mm}${ss}.jpg`;
    case 'pixel':
      return `PXL_${y}${mo}${d}_${hh}${mm}${ss}${pad(r.int(0, 999), 3)}.jpg`;
  }
}

export function exifDateTime(when: Date): string {
  return `${when.getUTCFullYear()}:${pad(when.getUTCMonth() + 1)}:${pad(when.getUTCDate())} ${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())}:${pad(when.getUTCSeconds())}`;
}

function dms(x: number): [number, number][] {
  const a = Math.abs(x);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  const s = Math.round(((a - d) * 60 - m) * 60 * 10000);
  return [
    [d, 1],
    [m, 1],
    [s, 10000],
  ];
}

export interface ExifFields {
  camera: Camera;
  when: Date;
  gps: { lat: number; lon: number } | null;
  /** EXIF orientation (1 = upright as stored) */
  orientation: number;
  width: number;
  height: number;
}

/** The JPEG with an EXIF block: camera, dates, orientation, pixel size and GPS. */
export function withExif(jpeg: Buffer, f: ExifFields): Buffer {
  const dt = exifDateTime(f.when);
  const exif: Record<string, Record<number, unknown>> = {
    '0th': {
      [piexif.ImageIFD.Make]: f.camera.make,
      [piexif.ImageIFD.Model]: f.camera.model,
      [piexif.ImageIFD.Orientation]: f.orientation,
      [piexif.ImageIFD.DateTime]: dt,
      [piexif.ImageIFD.Software]: f.camera.naming === 'pixel' ? 'HDR+ 1.0.540104767zd' : f.camera.naming === 'iphone' ? '15.4.1' : 'Ver.1.00',
    },
    Exif: {
      [piexif.ExifIFD.DateTimeOriginal]: dt,
      [piexif.ExifIFD.DateTimeDigitized]: dt,
      [piexif.ExifIFD.PixelXDimension]: f.width,
      [piexif.ExifIFD.PixelYDimension]: f.height,
    },
    GPS: {},
  };
  if (f.gps) {
    exif.GPS = {
      [piexif.GPSIFD.GPSLatitudeRef]: f.gps.lat >= 0 ? 'N' : 'S',
      [piexif.GPSIFD.GPSLatitude]: dms(f.gps.lat),
      [piexif.GPSIFD.GPSLongitudeRef]: f.gps.lon >= 0 ? 'E' : 'W',
      [piexif.GPSIFD.GPSLongitude]: dms(f.gps.lon),
    };
  }
  const bytes = piexif.dump(exif);
  return Buffer.from(piexif.insert(bytes, jpeg.toString('binary')), 'binary');
}

