// Where each picture of the search dev library goes and what its file says: the day it
// was taken, the camera, GPS or not, EXIF orientation, pixel size, file name and folder,
// as a person's camera roll would have them. Pure: every choice comes from the seed.
import { Rng } from '../lib/rng';
import { cameraFileName, EVENTS, phoneOf, sampleDate, samplePoint, type Camera, type EventId, type Season } from './camera-roll';

export interface PlannedImage {
  id: string;
  source: 'photo' | 'cutout' | 'document' | 'screenshot';
  event: EventId;
  season?: Season;
  /** a fixed day (documents: the day their printed date says) */
  date?: string;
  /** a fixed instant (screenshots) */
  instant?: string;
  /** a messaging app's copy: small, no EXIF */
  small?: boolean;
  /** the screenshot's file name */
  fileName?: string;
}

export interface Placement {
  /** path inside library/ */
  path: string;
  when: Date;
  /** null: no EXIF at all (screenshots, messaging-app copies) */
  camera: Camera | null;
  gps: { lat: number; lon: number } | null;
  /** EXIF orientation: 1, or 3/6/8 with the pixels stored turned so the tag puts them right */
  orientation: 1 | 3 | 6 | 8;
  /** the longer side of the stored photo in pixels (null: keep the source's, for screenshots) */
  longSide: number | null;
}

/** The share of home photos taken with location services off. */
const HOME_NO_GPS = 0.12;

export function planLibrary(images: readonly PlannedImage[], seed: string): Map<string, Placement> {
  const root = new Rng(seed);
  // 1. when, with what, where
  const drafts = images.map((img) => {
    const r = root.fork(`place:${img.id}`);
    const ev = EVENTS[img.event];
    const when = img.instant ? new Date(img.instant) : img.date ? dayAt(img.date, r) : sampleDate(ev, img.season, r);
    const noExif = img.source === 'screenshot' || img.small === true;
    const camera = noExif ? null : 'camera' in ev && ev.camera && img.source !== 'document' && r.next() < 0.55 ? ev.camera : phoneOf(when.getUTCFullYear());
    const gps = camera === null || (img.event === 'home' && r.next() < HOME_NO_GPS) ? null : samplePoint(ev.place, r);
    const orientation: Placement['orientation'] = camera !== null && img.source !== 'document' && r.next() < 0.07 ? r.pick([6, 6, 8, 3] as const) : 1;
    const longSide = img.source === 'screenshot' ? null : img.small ? 1600 : r.next() < 0.12 ? 4032 : r.pick([1920, 2016, 2304, 2304]);
    return { img, r, when, camera, gps, orientation, longSide };
  });

  // 2. file names: counters rise through the roll in time order, with the gaps of deleted shots
  const counters = new Map<string, number>();
  const byTime = [...drafts].sort((a, b) => a.when.getTime() - b.when.getTime() || a.img.id.localeCompare(b.img.id));
  const taken = new Set<string>();
  const out = new Map<string, Placement>();
  for (const d of byTime) {
    let name: string;
    if (d.img.source === 'screenshot') name = d.img.fileName!;
    else if (d.camera === null) name = `IMG-${ymd(d.when)}-WA${String(d.r.int(1, 60)).padStart(4, '0')}.jpg`;
    else {
      const key = `${d.camera.make} ${d.camera.model}`;
      const next = (counters.get(key) ?? d.r.int(100, 3000)) + d.r.int(1, 9);
      counters.set(key, next);
      name = cameraFileName(d.camera, d.when, next, d.r);
    }
    const folder = folderOf(d.img, d.when, d.camera, d.r);
    let path = `${folder}${name}`;
    for (let k = 2; taken.has(path.toLowerCase()); k++) path = `${folder}${name.replace(/(\.[A-Za-z]+)$/, ` (${k})$1`)}`;
    taken.add(path.toLowerCase());
    out.set(d.img.id, { path, when: d.when, camera: d.camera, gps: d.gps, orientation: d.orientation, longSide: d.longSide });
  }
  return out;
}

function dayAt(day: string, r: Rng): Date {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCHours(r.int(9, 20), r.int(0, 59), r.int(0, 59));
  return d;
}

const ymd = (d: Date) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;

/** Trips with a named folder keep it; the rest: mostly year/month folders, some in the phone's upload folder or loose. */
function folderOf(img: PlannedImage, when: Date, camera: Camera | null, r: Rng): string {
  if (img.source === 'screenshot') return 'Screenshots/';
  if (camera === null) return 'WhatsApp Images/';
  const ev = EVENTS[img.event];
  if ('folder' in ev && ev.folder) return `${ev.folder}/`;
  const x = r.next();
  if (x < 0.72) return `Photos/${when.getUTCFullYear()}/${String(when.getUTCMonth() + 1).padStart(2, '0')}/`;
  if (x < 0.9) return camera.naming === 'pixel' ? 'Camera Uploads/' : `Photos/${when.getUTCFullYear()}/`;
  return '';
}
