// The search dev library recipe's pure parts: the EXIF it writes reads back through the
// engine's own reader, the camera-roll plan is seeded and camera-like, and the query
// tables are complete (every kind has at least 12 queries; relevance is never empty).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { probeImage, readExif } from '../../../main/engine/library/images';
import { SEARCH_QUERY_KINDS } from '../../../main/ml/eval/search-set';
import { EVENTS, withExif } from '../../../native-models/recipes/search-dev/camera-roll';
import { CUTOUTS } from '../../../native-models/recipes/search-dev/cutouts';
import { DOCUMENTS } from '../../../native-models/recipes/search-dev/documents';
import { planLibrary, type PlannedImage } from '../../../native-models/recipes/search-dev/layout';
import { REAL_PHOTOS } from '../../../native-models/recipes/search-dev/photos';
import { buildQueries, QUERIES } from '../../../native-models/recipes/search-dev/queries';

describe('EXIF written by the recipe', () => {
  it.each([1, 6, 8, 3] as const)('reads back through the engine (orientation %i)', async (orientation) => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 120, b: 200 } } }).jpeg().toBuffer();
    const when = new Date(Date.UTC(2019, 5, 13, 9, 39, 12));
    const tagged = withExif(jpeg, { camera: { make: 'Apple', model: 'iPhone 8', naming: 'iphone' }, when, gps: { lat: 38.7139, lon: -9.1394 }, orientation, width: 40, height: 30 });
    const exif = await readExif(tagged);
    // EXIF times carry no zone: exifr reads them as local wall-clock time
    expect(exif.takenAt).toBe(new Date(2019, 5, 13, 9, 39, 12).getTime());
    expect([exif.cameraMake, exif.cameraModel]).toEqual(['Apple', 'iPhone 8']);
    expect(exif.gpsLat).toBeCloseTo(38.7139, 5);
    expect(exif.gpsLon).toBeCloseTo(-9.1394, 5);
    const probe = await probeImage(tagged);
    expect(probe.orientation).toBe(orientation);
    expect([probe.width, probe.height]).toEqual(orientation >= 5 ? [30, 40] : [40, 30]);
  });
});

describe('the camera-roll plan', () => {
  const planned: PlannedImage[] = [
    ...REAL_PHOTOS.map((p): PlannedImage => ({ id: p.id, source: 'photo', event: p.event, ...(p.season ? { season: p.season } : {}), ...(p.small ? { small: true } : {}) })),
    ...CUTOUTS.map((c): PlannedImage => ({ id: c.id, source: 'cutout', event: c.event })),
    ...DOCUMENTS.map((d): PlannedImage => ({ id: d.id, source: 'document', event: d.event, date: d.date })),
  ];

  it('is the same for the same seed and differs for another', () => {
    const a = planLibrary(planned, 's1');
    expect(JSON.stringify([...planLibrary(planned, 's1')])).toBe(JSON.stringify([...a]));
    expect(JSON.stringify([...planLibrary(planned, 's2')])).not.toBe(JSON.stringify([...a]));
  });

  it('names files as cameras do, keeps trips together, dates within their trip, paths unique', () => {
    const plan = planLibrary(planned, 'search-dev-v1');
    const paths = [...plan.values()].map((p) => p.path);
    expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length);
    for (const p of plan.values()) {
      const name = p.path.split('/').pop()!;
      expect(name).toMatch(/^(IMG_\d{4}\.JPG|DSC\d{5}\.JPG|PXL_\d{8}_\d{9}\.jpg|\d{8}_\d{6}\.jpg|IMG-\d{8}-WA\d{4}\.jpg)$/);
      if (p.camera === null) expect([p.path.startsWith('WhatsApp Images/'), p.gps]).toEqual([true, null]);
    }
    for (const img of planned) {
      const p = plan.get(img.id)!;
      const ev = EVENTS[img.event];
      if (ev.start !== null && img.source !== 'document') {
        const start = Date.parse(`${ev.start}T00:00:00Z`);
        expect(p.when.getTime()).toBeGreaterThanOrEqual(start);
        expect(p.when.getTime()).toBeLessThan(start + ev.days * 86_400_000);
        if (!img.small) expect(p.gps).not.toBeNull(); // a camera's trip photos always say where (messaging-app copies never do)
      }
      if ('folder' in ev) expect(p.path.startsWith(`${ev.folder}/`)).toBe(true);
    }
    expect([...plan.values()].filter((p) => p.orientation !== 1).length).toBeGreaterThan(3);
  });
});

describe('the query tables', () => {
  it('every kind has at least 12 queries, none repeated', () => {
    for (const k of SEARCH_QUERY_KINDS) expect(QUERIES.filter((q) => q.kind === k).length, k).toBeGreaterThanOrEqual(12);
    expect(new Set(QUERIES.map((q) => q.query)).size).toBe(QUERIES.length);
  });

  it('a query that nothing in the library answers is refused', () => {
    expect(() => buildQueries([], [])).toThrow(/nothing relevant|no note/);
  });

  it('photo and cut-out ids are unique', () => {
    const ids = [...REAL_PHOTOS.map((p) => p.id), ...CUTOUTS.map((c) => c.id), ...DOCUMENTS.map((d) => d.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
