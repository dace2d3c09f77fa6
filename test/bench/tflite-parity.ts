// npx tsx test/bench/tflite-parity.ts --litert DIR [--coral GITDIR] [--json] [--fixture FILE]
//
// Figures, not a test: the converted classifier packages (native-models/{imagenet-mobilenet-v2,
// inat-birds,inat-insects}, float32 arithmetic in onnxruntime) next to the original .tflite
// files run by Google's LiteRT.js (@litertjs/core: TFLite's own integer kernels via XNNPACK,
// compiled to WebAssembly), on the same 224 x 224 input bytes (the package's own resize) of
// real photos: the coral test photos and Debian opencv-doc's examples/data.
//
// LiteRT.js is not one of Trove's dependencies; install it in a folder of its own and pass it:
//   mkdir /tmp/litert && cd /tmp/litert && npm init -y && npm install @litertjs/core@2.5.3
// It is written for browsers; in Node it runs with four shims set here (self = globalThis,
// importScripts = run the script in this context, and the `require` / `__dirname` that its
// Emscripten loader expects). The TFLite model's output is its uint8 softmax (steps of
// 1/256), so that is what is compared: the converted model's `probabilities` against
// TFLite's q / 256, per class; "top-5 overlap" counts TFLite's top 5 among the classes it
// gives a non-zero probability. A second graph converted with fakeQuantActivations (every
// activation rounded to its uint8 grid, as TFLite's kernels do) shows how much of the
// difference is the float arithmetic.
// --fixture FILE: instead, write TFLite's outputs on the coral test photos for the unit tests
// (test/fixtures/tflite/litert-reference.json; see writeFixture).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
import { classifierInput, ClassifierConfig } from '../../main/ml/perception/classifier';
import { readPerceptionPackage } from '../../main/ml/perception/package';
import { parseTflite } from '../../main/ml/convert/tflite-model';
import { tfliteClassifierToOnnx } from '../../main/ml/convert/tflite-classifier';
import { createSession } from '../../main/ml/runtime/session';
import { sha256 } from '../../main/base/hash';
import { fetchDeb } from '../../native-models/recipes/lib/fetch';
import { readRgb } from '../../native-models/recipes/lib/images';

const ROOT = resolve(__dirname, '../..');
/** A small real TFLite model committed as the converter's test fixture (test/fixtures/tflite). */
const FIXTURE_TFLITE = 'mobilenet_v1_0.25_128_quant.tflite';
const PACKAGES: [string, string][] = [
  ['imagenet-mobilenet-v2', 'mobilenet_v2_1.0_224_quant.tflite'],
  ['inat-birds', 'mobilenet_v2_1.0_224_inat_bird_quant.tflite'],
  ['inat-insects', 'mobilenet_v2_1.0_224_inat_insect_quant.tflite'],
];

interface LiteRtModule {
  loadLiteRt(path: string): Promise<unknown>;
  loadAndCompile(model: Uint8Array, opts: { accelerator: 'wasm' }): Promise<{ run(input: unknown): Promise<{ toTypedArray(): ArrayLike<number>; delete(): void }[]> }>;
  Tensor: new (data: Uint8Array, shape: number[]) => { delete(): void };
}

function arg(name: string, dflt?: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function loadLiteRt(dir: string): Promise<LiteRtModule> {
  const pkg = join(resolve(dir), 'node_modules/@litertjs/core');
  const wasm = join(pkg, 'wasm') + '/';
  const g = globalThis as Record<string, unknown>;
  g.self = globalThis;
  g.importScripts = (p: string) => runInThisContext(readFileSync(p, 'utf8'), { filename: p });
  g.require = require;
  g.__dirname = join(pkg, 'wasm');
  g.Module = { locateFile: (f: string) => wasm + f };
  const lib = (await import(pathToFileURL(join(pkg, 'dist/index.js')).href)) as LiteRtModule;
  const log = console.log;
  console.log = () => undefined; // its Emscripten runtime logs every step
  try {
    await lib.loadLiteRt(wasm);
  } finally {
    console.log = log;
  }
  return lib;
}

/** TFLite's uint8 output for each input (raw RGB bytes of `size`), run by LiteRT.js. */
async function runTflite(lite: LiteRtModule, tflite: Uint8Array, inputs: readonly Uint8Array[], size: { width: number; height: number }): Promise<Uint8Array[]> {
  const model = await lite.loadAndCompile(tflite, { accelerator: 'wasm' });
  const out: Uint8Array[] = [];
  for (const bytes of inputs) {
    const t = new lite.Tensor(bytes, [1, size.height, size.width, 3]);
    const [res] = await model.run([t]);
    out.push(Uint8Array.from(res!.toTypedArray()));
    t.delete();
    res!.delete();
  }
  return out;
}

/**
 * Writes TFLite's outputs on the coral test photos as a test fixture (test/unit/convert and
 * test/unit/perception compare the converted graphs with them): for each model, the input
 * size and resize, and per photo the SHA-256 of the input bytes and the uint8 output (base64).
 */
async function writeFixture(file: string, lite: LiteRtModule, coral: string, commit: string): Promise<void> {
  const dir = join(ROOT, 'test/fixtures/photos/coral');
  const names = readdirSync(dir).filter((f) => /\.(png|jpg)$/.test(f)).sort();
  const photos = await Promise.all(names.map((f) => readRgb(join(dir, f))));
  const resize = ClassifierConfig.parse((await readPerceptionPackage(join(ROOT, 'native-models', PACKAGES[0]![0]), { kind: 'classifier' })).manifest.config).resize;
  const models: Record<string, unknown> = {};
  for (const [tflite, size] of [...PACKAGES.map(([, t]) => [t, 224] as const), [FIXTURE_TFLITE, 128] as const]) {
    const bytes = new Uint8Array(execFileSync('git', ['-C', coral, 'show', `${commit}:${tflite}`], { maxBuffer: 1 << 26 }));
    const input = { name: 'image', width: size, height: size, layout: 'NHWC' as const, dtype: 'uint8' as const };
    const inputs = await Promise.all(photos.map((p) => classifierInput(p, { input, resize })));
    const outs = await runTflite(lite, bytes, inputs, input);
    models[tflite] = {
      sha256: sha256(bytes),
      size,
      resize,
      photos: Object.fromEntries(names.map((n, i) => [n, { input: sha256(inputs[i]!), output: Buffer.from(outs[i]!).toString('base64') }])),
    };
  }
  const fixture = { runtime: `@litertjs/core@${JSON.parse(readFileSync(join(resolve(arg('--litert')!), 'node_modules/@litertjs/core/package.json'), 'utf8')).version} (TFLite kernels with XNNPACK, WebAssembly, in Node)`, coral: commit, models };
  writeFileSync(file, JSON.stringify(fixture, null, 1) + '\n');
  console.log(`wrote ${file}: ${Object.keys(models).length} models x ${names.length} photos`);
}

/** The ONNX graph's probabilities next to TFLite's, photo by photo. */
async function compare(graph: string | Uint8Array, config: ClassifierConfig, inputs: Uint8Array[], reference: Float32Array[]): Promise<Record<string, number>> {
  const session = await createSession(graph, { providers: ['cpu'], intraOpNumThreads: 2 });
  let maxAbs = 0;
  let sumAbs = 0;
  let count = 0;
  let top1Same = 0;
  let top5Overlap = 0;
  let maxTop1Delta = 0;
  const order = (p: ArrayLike<number>) => [...Array(p.length).keys()].sort((a, b) => p[b]! - p[a]!);
  for (const [i, bytes] of inputs.entries()) {
    const p = (await session.run({ [config.input.name]: { dtype: 'uint8', data: bytes, dims: [1, config.input.height, config.input.width, 3] } }, [config.output]))[config.output]!.data as Float32Array;
    const q = reference[i]!;
    const [a, b] = [order(p), order(q)];
    if (a[0] === b[0]) top1Same++;
    // TFLite's top 5 among the classes it gives any probability (the rest tie at 0)
    const ref5 = b.slice(0, 5).filter((c) => q[c]! > 0);
    top5Overlap += ref5.filter((c) => a.slice(0, ref5.length).includes(c)).length / Math.max(1, ref5.length);
    maxTop1Delta = Math.max(maxTop1Delta, Math.abs(p[b[0]!]! - q[b[0]!]!));
    for (let c = 0; c < q.length; c++) {
      const d = Math.abs(p[c]! - q[c]!);
      maxAbs = Math.max(maxAbs, d);
      sumAbs += d;
      count++;
    }
  }
  await session.release();
  return { photos: inputs.length, top1Agree: top1Same, top5Overlap: top5Overlap / inputs.length, maxAbs, meanAbs: sumAbs / count, maxTop1Delta };
}

async function main(): Promise<void> {
  const dir = arg('--litert');
  if (!dir) throw new Error('--litert DIR is required: a folder with @litertjs/core installed (see the header)');
  const coral = arg('--coral', '/work/.mirror/google-coral+test_data/repo')!;
  const commit = execFileSync('git', ['-C', coral, 'rev-parse', 'HEAD']).toString().trim();
  const lite = await loadLiteRt(dir);
  const fixture = arg('--fixture');
  if (fixture) return writeFixture(resolve(fixture), lite, coral, commit);

  const coralDir = join(ROOT, 'test/fixtures/photos/coral');
  const opencv = join(fetchDeb('opencv-doc', { cacheDir: join(ROOT, '.trove-build/cache'), log: console.error }).root, 'usr/share/doc/opencv-doc/examples/data');
  const files = [...readdirSync(coralDir).filter((f) => /\.(png|jpg)$/.test(f)).map((f) => join(coralDir, f)), ...readdirSync(opencv).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => join(opencv, f))].sort();
  const photos = await Promise.all(files.map((f) => readRgb(f)));

  const rows: Record<string, number | string>[] = [];
  for (const [id, tflite] of PACKAGES) {
    const pkg = await readPerceptionPackage(join(ROOT, 'native-models', id), { kind: 'classifier' });
    const config = ClassifierConfig.parse(pkg.manifest.config);
    const inputs = await Promise.all(photos.map((p) => classifierInput(p, config)));
    const tfliteBytes = new Uint8Array(execFileSync('git', ['-C', coral, 'show', `${commit}:${tflite}`], { maxBuffer: 1 << 26 }));
    const reference = (await runTflite(lite, tfliteBytes, inputs, config.input)).map((q) => Float32Array.from(q, (v) => v / 256));
    const fakeQuant = tfliteClassifierToOnnx(parseTflite(tfliteBytes), { fakeQuantActivations: true }).model;
    for (const [variant, graph] of [
      ['package (float activations)', pkg.path('model.onnx')],
      ['8-bit activations emulated', fakeQuant],
    ] as const) {
      rows.push({ package: id, variant, ...(await compare(graph, config, inputs, reference)) });
    }
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`LiteRT.js (TFLite integer kernels) vs the ONNX packages (float32), google-coral/test_data@${commit.slice(0, 7)}, ${photos.length} photos`);
  for (const r of rows) {
    console.log(
      `${String(r.package).padEnd(22)} ${String(r.variant).padEnd(28)} top-1 same ${r.top1Agree}/${r.photos}, top-5 overlap ${((r.top5Overlap as number) * 100).toFixed(1)}%, ` +
        `|p - p_tflite| max ${(r.maxAbs as number).toFixed(4)} mean ${(r.meanAbs as number).toExponential(2)}, at TFLite's top-1 max ${(r.maxTop1Delta as number).toFixed(4)}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
