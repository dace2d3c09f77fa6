// npx tsx test/bench/classifier-bench.ts [--model DIR] [--reps N] [--json]
//
// Figures, not a test: what one classifier pass costs per photo on the CPU (onnxruntime-node,
// CPU execution provider, 2 intra-op threads), default package native-models/imagenet-mobilenet-v2.
//   model      session.run on inputs already cut to 224 x 224 (batch 1 and batch 8)
//   classify   loadClassifier(...).classify(): the package's crop + sharp resize of a
//              1024 x 768 RgbImage (about what the engine hands over) + the run + top-5
// Each case: 2 warm-up calls, then --reps (default 20) timed calls. Printed: median wall ms
// per image (min-max), and CPU ms per image (user + system of this process over the timed
// calls: less sensitive to other work on the machine, but it counts both threads). The load
// average is printed at start and end: on a shared machine the wall figures are only as good
// as it is low.
import { loadavg } from 'node:os';
import sharp from 'sharp';
import { join, resolve } from 'node:path';
import { ClassifierConfig, loadClassifier } from '../../main/ml/perception/classifier';
import { readPerceptionPackage } from '../../main/ml/perception/package';
import type { RgbImage } from '../../main/ml/perception/types';
import { createSession } from '../../main/ml/runtime/session';
import { readRgb } from '../../native-models/recipes/lib/images';

const ROOT = resolve(__dirname, '../..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Timing {
  case: string;
  batch: number;
  wallMs: number;
  minMs: number;
  maxMs: number;
  cpuMs: number;
}

async function time(name: string, batch: number, reps: number, fn: () => Promise<unknown>): Promise<Timing> {
  for (let w = 0; w < 2; w++) await fn();
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / batch);
  }
  const c = process.cpuUsage(c0);
  times.sort((a, b) => a - b);
  return { case: name, batch, wallMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, maxMs: times[times.length - 1]!, cpuMs: (c.user + c.system) / 1000 / reps / batch };
}

async function main(): Promise<void> {
  const dir = resolve(arg('--model') ?? join(ROOT, 'native-models/imagenet-mobilenet-v2'));
  const reps = Number(arg('--reps') ?? 20);
  const load0 = loadavg()[0]!;
  const pkg = await readPerceptionPackage(dir, { kind: 'classifier' });
  const config = ClassifierConfig.parse(pkg.manifest.config);
  const { width, height } = config.input;

  // Real photos, 1024 x 768, as the engine's decoded intermediate might be.
  const files = ['cat.png', 'bird.png', 'grace_hopper.png', 'hot_dog.jpg', 'dragonfly.png', 'parrot.jpg', 'owl.jpg', 'pets.jpg'];
  const photos: RgbImage[] = [];
  for (const f of files) {
    const img = await readRgb(join(ROOT, 'test/fixtures/photos/coral', f));
    const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(1024, 768, { fit: 'fill' }).raw().toBuffer();
    photos.push({ width: 1024, height: 768, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }

  const rows: Timing[] = [];
  const session = await createSession(pkg.path(pkg.manifest.graphs.model!), { providers: ['cpu'], intraOpNumThreads: 2 });
  for (const batch of [1, 8]) {
    const data = new Uint8Array(batch * width * height * 3).map((_v, i) => (i * 2654435761) % 256);
    const feeds = { [config.input.name]: { dtype: 'uint8' as const, data, dims: [batch, height, width, 3] } };
    rows.push(await time('model', batch, reps, () => session.run(feeds, [config.output])));
  }
  await session.release();
  for (const batch of [1, 8]) {
    const clf = await loadClassifier(dir, { providers: ['cpu'], threads: 2, batchSize: batch });
    rows.push(await time('classify', batch, reps, () => clf.classify(photos.slice(0, batch), 5)));
    await clf.dispose();
  }
  const load1 = loadavg()[0]!;
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ model: pkg.manifest.id, threads: 2, reps, loadavg: [load0, load1], rows }, null, 2));
    return;
  }
  console.log(`${pkg.manifest.id} ${pkg.manifest.version}, CPU, 2 threads, ${reps} reps; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}`);
  console.log('case      batch  ms/image (median, min-max)   CPU ms/image');
  for (const r of rows) console.log(`${r.case.padEnd(9)} ${String(r.batch).padStart(5)}  ${r.wallMs.toFixed(2).padStart(7)} (${r.minMs.toFixed(2)}-${r.maxMs.toFixed(2)})`.padEnd(46) + r.cpuMs.toFixed(2).padStart(8));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
