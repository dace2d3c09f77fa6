// What the object and face detector packages cost per photo, and (with --dev) how they do
// on the development photos their settings were chosen on.
//
//   npx tsx test/bench/detector-bench.ts [--detector DIR]... [--faces DIR]... [--rounds N] [--threads N] [--dev]
//
//   --detector / --faces  packages to measure (default native-models/coco-centernet and
//                         native-models/face-detector); repeat to compare variants
//   --rounds              passes over the photos for the timing (default 3)
//   --threads             onnxruntime intra-op threads (default 2, the engine's budget)
//   --dev                 also the per-class and per-photo report on test/bench/perception-devset.ts
//                         (fetches opencv-doc and plasma-workspace-wallpapers into .trove-build/cache)
//
// Timing: each package's detect() on the coral fixture photos (decoded once at their own
// size, as the engine hands them over), median wall ms per photo and CPU ms per photo (this
// process's user + system time / photo: less sensitive to other load on a shared machine),
// and the part of it spent making the square input with sharp.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { loadDetector } from '../../main/ml/perception/detector';
import { loadFaceDetector } from '../../main/ml/perception/faces';
import { squareInput } from '../../main/ml/perception/square-input';
import type { RgbImage } from '../../main/ml/perception/types';
import { readRgb } from '../../native-models/recipes/lib/images';
import { machineInfo, median, r1 } from './bench-util';
import { detectorReport, facesReport, printDetectorReport, printFacesReport } from './detector-dev';
import { devPhotos } from './perception-devset';

interface Args {
  detectors: string[];
  faces: string[];
  rounds: number;
  threads: number;
  dev: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { detectors: [], faces: [], rounds: 3, threads: 2, dev: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    if (['--detector', '--faces', '--rounds', '--threads'].includes(k) && v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--detector') a.detectors.push(argv[++i]!);
    else if (k === '--faces') a.faces.push(argv[++i]!);
    else if (k === '--rounds') a.rounds = Number(argv[++i]);
    else if (k === '--threads') a.threads = Number(argv[++i]);
    else if (k === '--dev') a.dev = true;
    else throw new Error(`unknown argument ${k} (see the header of detector-bench.ts)`);
  }
  if (!a.detectors.length && !a.faces.length) {
    a.detectors.push('native-models/coco-centernet');
    a.faces.push('native-models/face-detector');
  }
  return a;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
  inputMs: number;
}

/** Median wall ms, CPU ms per photo of `run`, and median ms of making the input alone; one warm-up pass first. */
async function time(run: (img: RgbImage) => Promise<unknown>, input: (img: RgbImage) => Promise<unknown>, photos: RgbImage[], rounds: number): Promise<Timing> {
  for (const p of photos) await run(p);
  const wall: number[] = [];
  const c0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const p of photos) {
      const t0 = performance.now();
      await run(p);
      wall.push(performance.now() - t0);
    }
  }
  const c = process.cpuUsage(c0);
  const inputs: number[] = [];
  for (const p of photos) {
    const t0 = performance.now();
    await input(p);
    inputs.push(performance.now() - t0);
  }
  return { wallMs: median(wall), cpuMs: (c.user + c.system) / 1000 / wall.length, inputMs: median(inputs) };
}

const line = (what: string, t: Timing) => `${what.padEnd(44)} ${r1(t.wallMs).toFixed(1).padStart(6)} ms/photo (median wall), ${r1(t.cpuMs).toFixed(1).padStart(6)} CPU-ms/photo; making the input: ${r1(t.inputMs).toFixed(1)} ms`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const fixtures = resolve(__dirname, '../fixtures/photos/coral');
  const files = readdirSync(fixtures).filter((f) => /\.(png|jpe?g)$/.test(f)).sort();
  const photos = await Promise.all(files.map((f) => readRgb(join(fixtures, f))));
  console.log(`${machine.cpuModel}, ${machine.cpus} CPUs, load ${machine.loadAvgAtStart.join(' ')}; onnxruntime CPU, ${args.threads} threads; ${photos.length} coral fixture photos (${photos.map((p) => `${p.width}x${p.height}`).join(', ')}) x ${args.rounds} rounds`);

  const dev = args.dev ? devPhotos(resolve('.trove-build/cache'), console.log) : [];
  const devImages = await Promise.all(dev.map((p) => readRgb(p.file)));

  for (const dir of args.detectors) {
    const det = await loadDetector(dir, { providers: ['cpu'], threads: args.threads });
    const { size } = det.config.input;
    const t = await time((p) => det.detect(p), (p) => squareInput(p, size, det.config.resize.fit), photos, args.rounds);
    console.log(line(`${det.id} ${det.version} (${size} px, ${det.config.resize.fit})`, t));
    if (args.dev) {
      console.log(`\n${det.id} at ${size} px on ${dev.length} development photos:`);
      printDetectorReport(await detectorReport(det, dev, devImages, [0.25, 0.3, 0.35, 0.4, 0.45, 0.5]), console.log);
      console.log('');
    }
    await det.dispose();
  }
  for (const dir of args.faces) {
    const fd = await loadFaceDetector(dir, { providers: ['cpu'], threads: args.threads });
    const { size } = fd.config.input;
    const t = await time((p) => fd.detect(p), (p) => squareInput(p, size, fd.config.resize.fit), photos, args.rounds);
    console.log(line(`${fd.id} ${fd.version} (${size} px, ${fd.config.resize.fit})`, t));
    if (args.dev) {
      console.log(`\n${fd.id} on ${dev.length} development photos (minScore ${fd.config.minScore}, NMS IoU ${fd.config.nmsIou}):`);
      printFacesReport(await facesReport(fd, dev, devImages, [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85]), dev, console.log);
      console.log('');
    }
    await fd.dispose();
  }
  console.log(`load at end ${loadavg().map(r1).join(' ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
