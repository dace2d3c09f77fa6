// The cost of the perception passes (index-bench.ts section (d)) on 12 MP JPEGs made from
// the real photos committed for the perception tests (test/fixtures/photos/coral, Apache-2.0,
// and the photographed documents in test/fixtures/documents, made here): each scaled to
// 4000x3000 (3000x4000 when tall) with sensor-like noise, quality 90, with EXIF GPS and a
// date, so every pass has real work: birds and insects for the species models, people and
// faces, text for the reader.
//
// Measured with the engine's own Pass objects (passes/perception-set.ts: loadPerceptionModels
// + buildPasses, as Enrichment builds them) on the one decode they share
// (decodeForPerception at PERCEPTION_DECODE_SIDE), one photo at a time as PassJob runs
// them (each pass seeing what the ones before it found): each pass's ms/photo and photos/s next to the decode itself, 1 and 2 in flight
// (the decode ceiling on 2 cores), and "all passes / decode": the passes' time per photo
// over the decode's time per photo with both cores decoding (the goal is at most 3).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { withExif } from '../../native-models/recipes/search-dev/camera-roll';
import { decodeForPerception } from '../../main/engine/library/images';
import { defaultLexicon } from '../../main/engine/lexicon/lexicon';
import { defaultGazetteer } from '../../main/engine/places/gazetteer';
import { PERCEPTION_DECODE_SIDE, type Pass, type PassName } from '../../main/engine/passes/pass';
import type { PassResult } from '../../main/engine/store/perception';
import { buildPasses, disposePerceptionModels, loadPerceptionModels } from '../../main/engine/passes/perception-set';
import type { ItemRow } from '../../main/engine/store/items';
import type { RgbImage } from '../../main/ml/models/embedding-model';
import { median, r1, r3 } from './bench-util';
import { rng } from './clustered-vectors';
import { timeDecodes } from './decode-ceiling';
import type { LibraryFixture } from './library-fixture';

const repoRoot = join(__dirname, '..', '..');
const SOURCES = [
  ...['bird.png', 'cat.png', 'dragonfly.png', 'face.jpg', 'grace_hopper.png', 'hot_dog.jpg', 'kite_and_cold.jpg', 'owl.jpg', 'parrot.jpg', 'pets.jpg', 'sunflower.png'].map((f) =>
    join(repoRoot, 'test', 'fixtures', 'photos', 'coral', f),
  ),
  ...['receipt-9001.jpg', 'sign-9003.jpg', 'ticket-9004.jpg', 'wifi-card-9002.jpg'].map((f) => join(repoRoot, 'test', 'fixtures', 'documents', f)),
];
/** Lisbon: the places pass names a city, a region and a country */
const GPS = { lat: 38.7223, lon: -9.1393 };
const CAMERA = { make: 'Google', model: 'Pixel 7', naming: 'pixel' as const };

/** `count` 12 MP JPEGs (cycling through the real photos) in `dir`/photos, as a library fixture without notes. */
export async function makePerceptionLibrary(dir: string, count: number): Promise<LibraryFixture> {
  const t0 = performance.now();
  const photoDir = join(dir, 'photos');
  mkdirSync(photoDir, { recursive: true });
  const rand = rng(23);
  const photos: string[] = [];
  let photoBytes = 0;
  for (let i = 0; i < count; i++) {
    const src = SOURCES[i % SOURCES.length]!;
    const meta = await sharp(src).metadata();
    const tall = (meta.height ?? 0) > (meta.width ?? 0);
    const [width, height] = tall ? [3000, 4000] : [4000, 3000];
    const raw = await sharp(src).rotate().resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
    for (let p = 0; p < raw.length; p++) raw[p] = Math.max(0, Math.min(255, raw[p]! + Math.round((rand() - 0.5) * 12)));
    const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    const when = new Date(Date.UTC(2023, 5, 1 + (i % 28), 12, 0, 0));
    const bytes = withExif(jpeg, { camera: CAMERA, when, gps: GPS, orientation: 1, width, height });
    const file = join(photoDir, `PXL_${String(i).padStart(4, '0')}_${basename(src).replace(/\.\w+$/, '')}.jpg`);
    writeFileSync(file, bytes);
    photos.push(file);
    photoBytes += bytes.length;
  }
  return { root: dir, photos, notes: [], photoBytes, noteBytes: 0, width: 4000, height: 3000, distinctPhotos: Math.min(count, SOURCES.length), generateSeconds: (performance.now() - t0) / 1000 };
}

function itemOf(file: string, id: number): ItemRow {
  const buf = readFileSync(file);
  return {
    id,
    sourceId: 1,
    path: file,
    kind: 'image',
    hash: `bench-${id}`,
    size: buf.length,
    mtime: 0,
    takenAt: null,
    cameraMake: CAMERA.make,
    cameraModel: CAMERA.model,
    gpsLat: GPS.lat,
    gpsLon: GPS.lon,
    width: 4000,
    height: 3000,
    orientation: 1,
    state: 'ready',
    embeddedVersion: 1,
  };
}

export interface PassFigure {
  name: string;
  label: string;
  photos: number;
  meanMs: number;
  medianMs: number;
  maxMs: number;
  photosPerSec: number;
}

/** Loads the installed perception models, times every pass on every photo, and disposes the models. */
export async function passesBench(lib: LibraryFixture, log: (line: string) => void) {
  const unavailable: { name: string; reason: string }[] = [];
  const models = await loadPerceptionModels({ log: (line) => log(line) });
  unavailable.push(...models.unavailable);
  try {
    const passes: Pass[] = buildPasses(models, { gazetteer: defaultGazetteer(), gazetteerVersion: 'geonames-2024', lexicon: defaultLexicon() });
    const files = lib.photos;
    const decodeOne = (f: string) => decodeForPerception(readFileSync(f), PERCEPTION_DECODE_SIDE);

    log(`decode to ${PERCEPTION_DECODE_SIDE} px: ${files.length} photos, 1 then 2 then 4 in flight`);
    await decodeOne(files[0]!); // warm-up
    const serial = await timeDecodes(files, 1, async (f) => void (await decodeOne(f)));
    const two = await timeDecodes(files, 2, async (f) => void (await decodeOne(f)));
    const four = await timeDecodes(files, 4, async (f) => void (await decodeOne(f)));
    const decodeMsOnTwoCores = 1000 / Math.max(two.imagesPerSec, four.imagesPerSec);

    log(`passes: ${passes.map((p) => p.name).join(', ')} (warm-up on the first photo, then each photo in turn)`);
    const first = await decodeOne(files[0]!);
    const warm = new Map<PassName, PassResult>();
    for (const p of passes) warm.set(p.name, await p.run(itemOf(files[0]!, 0), p.needsPixels ? first : null, warm));
    const ms = new Map<string, number[]>(passes.map((p) => [p.name, []]));
    const perPhotoMs: number[] = [];
    /** whether the text pass read any line in each photo */
    const readText: boolean[] = [];
    for (let i = 0; i < files.length; i++) {
      const item = itemOf(files[i]!, i + 1);
      const image: RgbImage = await decodeOne(files[i]!);
      let total = 0;
      // as PassJob: each pass sees what the passes before it found in this photo
      const earlier = new Map<PassName, PassResult>();
      for (const p of passes) {
        const t = performance.now();
        earlier.set(p.name, await p.run(item, p.needsPixels ? image : null, earlier));
        const took = performance.now() - t;
        ms.get(p.name)!.push(took);
        total += took;
      }
      perPhotoMs.push(total);
      readText.push((earlier.get('text')?.lines?.length ?? 0) > 0);
      log(`photo ${i + 1}/${files.length} ${basename(files[i]!)}: ${passes.map((p) => `${p.name} ${ms.get(p.name)!.at(-1)!.toFixed(0)}`).join(', ')} ms`);
    }
    const figures: PassFigure[] = passes.map((p) => {
      const xs = ms.get(p.name)!;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { name: p.name, label: p.label, photos: xs.length, meanMs: r1(mean), medianMs: r1(median(xs)), maxMs: r1(Math.max(...xs)), photosPerSec: r1(1000 / mean) };
    });
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const allMs = mean(perPhotoMs);
    const split = (withText: boolean) => {
      const xs = perPhotoMs.filter((_, i) => readText[i] === withText);
      return { photos: xs.length, msPerPhoto: r1(mean(xs)), ratioToDecodeOnTwoCores: r3(mean(xs) / decodeMsOnTwoCores) };
    };
    return {
      photos: files.length,
      decodeSide: PERCEPTION_DECODE_SIDE,
      unavailable,
      decode: {
        serial: { ...serial, msPerPhoto: r1(1000 / serial.imagesPerSec) },
        twoInFlight: two,
        fourInFlight: four,
        msPerPhotoOnTwoCores: r1(decodeMsOnTwoCores),
      },
      passes: figures,
      all: { msPerPhoto: r1(allMs), photosPerSec: r1(1000 / allMs), ratioToDecodeOnTwoCores: r3(allMs / decodeMsOnTwoCores) },
      /** the photos the text pass read lines in, and the others */
      withText: split(true),
      withoutText: split(false),
    };
  } finally {
    await disposePerceptionModels(models);
  }
}

export type PassesFigures = Awaited<ReturnType<typeof passesBench>>;

/** The table lines for the per-pass figures and, when given, the passes phase through the engine. */
export function passesLines(f: PassesFigures, engine: { photos: number; seconds: number; photosPerSec: number } | null): string[] {
  const d = f.decode;
  const out = [
    `  decode to ${f.decodeSide} px (decodeForPerception), 1 in flight   ${d.serial.imagesPerSec} photos/s  (${d.serial.msPerPhoto} ms/photo)`,
    `  decode, 2 in flight / 4 in flight              ${d.twoInFlight.imagesPerSec} / ${d.fourInFlight.imagesPerSec} photos/s  -> ${d.msPerPhotoOnTwoCores} ms/photo on 2 cores`,
    `  ${'pass'.padEnd(10)}${'mean ms'.padStart(10)}${'median'.padStart(9)}${'max'.padStart(9)}${'photos/s'.padStart(10)}${'x decode'.padStart(10)}`,
  ];
  for (const p of f.passes) {
    out.push(`  ${p.name.padEnd(10)}${p.meanMs.toFixed(1).padStart(10)}${p.medianMs.toFixed(1).padStart(9)}${p.maxMs.toFixed(1).padStart(9)}${p.photosPerSec.toFixed(1).padStart(10)}${(p.meanMs / d.msPerPhotoOnTwoCores).toFixed(2).padStart(10)}`);
  }
  out.push(`  ${'all'.padEnd(10)}${f.all.msPerPhoto.toFixed(1).padStart(10)}${''.padStart(18)}${f.all.photosPerSec.toFixed(1).padStart(10)}${f.all.ratioToDecodeOnTwoCores.toFixed(2).padStart(10)}`);
  out.push(`  ALL PASSES / DECODE OF THE SAME PHOTO ON 2 CORES (goal <= 3)   ${f.all.ratioToDecodeOnTwoCores.toFixed(2)} x`);
  for (const [what, g] of [['photos the text pass read text in', f.withText], ['photos without text read', f.withoutText]] as const) {
    if (g.photos) out.push(`    ${what.padEnd(36)} ${g.photos} photos, ${g.msPerPhoto} ms/photo, ${g.ratioToDecodeOnTwoCores.toFixed(2)} x decode`);
  }
  if (f.unavailable.length) out.push(`  not measured (package missing): ${f.unavailable.map((u) => `${u.name} (${u.reason})`).join('; ')}`);
  if (engine) {
    out.push(
      `  the passes phase through the engine (TroveEngine, same photos)   ${engine.photosPerSec} photos/s (${engine.photos} photos in ${engine.seconds} s; decode + every pass, one photo at a time, the next decoded meanwhile)`,
    );
  }
  return out;
}
