// The qwen2-vl family end to end on a tiny export with the real interface (written by
// test/support/qwen2vl-tiny.ts through main/ml): loaded from the bare folder through the
// shared loader, its embeddings equal an independent float64 reference
// (test/support/qwen2vl-reference.ts, prompt ids and positions built by hand here) within
// 1e-4 for text only, image + text at two image sizes, and both position modes; the
// M-RoPE rows all matter; bad folders, tokenizers, images and texts fail clearly or are capped
// as documented.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbedInput, RgbImage } from '../../../main/ml/models/embedding-model';
import { trainingSupport } from '../../../main/ml/models/embedding-model';
import { loadModel } from '../../../main/ml/models/index';
import type { Qwen2VlEmbedder } from '../../../main/ml/models/qwen2-vl/family';
import { preprocessImage } from '../../../main/ml/models/qwen2-vl/image-processor';
import { writeOnnx } from '../../../main/ml/graph/onnx-file';
import { QWEN2_VL_TINY, randomWeights, textModelGraph } from '../../../main/ml/models/qwen2-vl/graphs';
import { referenceEmbedding, referenceVision } from '../../support/qwen2vl-reference';
import { QWEN2_SPECIAL_TOKENS, tinyTokenizerJson, writeTinyExport } from '../../support/qwen2vl-tiny';
import { tempDir } from '../../support/tmp';

const IMAGE_PAD = 151655;
const VISION_START = 151652;
const VISION_END = 151653;
const CORAL = join(__dirname, '..', '..', 'fixtures', 'photos', 'coral');
const bytes = (s: string): number[] => [...new TextEncoder().encode(s)];
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

function gradient(w: number, h: number, k: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 7 + k * 40) % 256;
      data[i + 1] = (y * 5) % 256;
      data[i + 2] = ((x + y) * 3 + k * 90) % 256;
    }
  return { width: w, height: h, data };
}

async function photo(name: string): Promise<RgbImage> {
  const { data, info } = await sharp(join(CORAL, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

let dir: ReturnType<typeof tempDir>;
let weights: ReturnType<typeof writeTinyExport>['weights'];
const d = QWEN2_VL_TINY;

/** What the reference says for one input: ids and positions built by hand from the rules (not the family's code). */
function reference(input: EmbedInput, mode: 'sequential' | 'mrope', alter: (rows: number[][]) => number[][] = (r) => r): Float64Array {
  const body = [input.instruction, input.text].filter((s) => s !== '').join(' ');
  if (!input.image) return referenceEmbedding(d, weights, bytes(body), IMAGE_PAD, null, [0, 1, 2].map(() => bytes(body).map((_t, i) => i)));
  const v = preprocessImage(input.image, { patchSize: 14, temporalPatchSize: 2, mergeSize: 2, minPixels: 3136, maxPixels: 448 * 448, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], rescale: 1 / 255 });
  const features = referenceVision(d, weights, v.pixelValues, v.patches, v.gridThw);
  const pads = new Array<number>(v.tokens).fill(IMAGE_PAD);
  if (mode === 'sequential') {
    const ids = [...pads, ...bytes(` ${body}`)];
    return referenceEmbedding(d, weights, ids, IMAGE_PAD, features, [0, 1, 2].map(() => ids.map((_t, i) => i)));
  }
  // <|vision_start|> at 0; image token j at 1 + (t, h, w) of its merged-grid cell; then text from max + 1
  const ids = [VISION_START, ...pads, VISION_END, ...bytes(body)];
  const [gh, gw] = [v.gridThw[1] / 2, v.gridThw[2] / 2];
  const rows: number[][] = [[0], [0], [0]];
  for (let j = 0; j < v.tokens; j++) {
    rows[0]!.push(1);
    rows[1]!.push(1 + Math.floor(j / gw));
    rows[2]!.push(1 + (j % gw));
  }
  const next = 1 + Math.max(gh, gw);
  for (let k = 0; k < ids.length - 1 - v.tokens; k++) for (const r of rows) r.push(next + k);
  return referenceEmbedding(d, weights, ids, IMAGE_PAD, features, alter(rows));
}

beforeAll(() => {
  dir = tempDir('trove-qwen2vl-');
  weights = writeTinyExport(join(dir.path, 'tiny-seq'), { seed: 11 }).weights;
  writeTinyExport(join(dir.path, 'tiny-mrope'), { seed: 11, trove: { imagePrefix: '<|vision_start|><|image_pad|><|vision_end|>' } });
}, 120_000);
afterAll(() => dir.cleanup());

describe('qwen2-vl family: a tiny export against an independent reference', () => {
  let seq: Qwen2VlEmbedder;
  let mrope: Qwen2VlEmbedder;
  let photoA: RgbImage;
  beforeAll(async () => {
    seq = (await loadModel(join(dir.path, 'tiny-seq'), { providers: ['cpu'], threads: 2 })) as Qwen2VlEmbedder;
    mrope = (await loadModel(join(dir.path, 'tiny-mrope'), { providers: ['cpu'], threads: 2 })) as Qwen2VlEmbedder;
    photoA = await photo('parrot.jpg');
  }, 60_000);
  afterAll(async () => {
    await seq?.dispose();
    await mrope?.dispose();
  });

  it('loads a bare export folder as the qwen2-vl family and says it cannot be fine-tuned', () => {
    expect(seq.family).toBe('qwen2-vl');
    expect(seq.dim).toBe(16);
    expect(seq.id).toBe('tiny-seq');
    expect(seq.imageSize).toEqual({ width: 448, height: 448, fit: 'area' });
    expect(seq.variants.text_model.dataFiles).toEqual(['onnx/text_model.onnx_data']);
    const t = trainingSupport(seq);
    expect(t.trainable).toBe(false);
    expect(t.reason).toMatch(/Qwen2-VL/);
  });

  it('text only: equals the reference (sequential positions on all three rows)', async () => {
    const inputs: EmbedInput[] = [
      { instruction: 'Find me an everyday image that matches the given caption: a red kite', text: '' },
      { instruction: '', text: 'notes on sourdough' },
    ];
    const out = await seq.embed(inputs);
    inputs.forEach((x, i) => expect(maxDiff(out[i]!, reference(x, 'sequential'))).toBeLessThan(1e-4));
    // the same texts in the M-RoPE export: no image, so the same positions and vectors
    const again = await mrope.embed(inputs);
    inputs.forEach((_x, i) => expect(maxDiff(again[i]!, out[i]!)).toBeLessThan(1e-5));
  });

  it('image + text at two image sizes, batched with text: equals the reference in both position modes', async () => {
    const small = gradient(84, 56, 1); // already a multiple of 28: no resize
    const inputs: EmbedInput[] = [
      { image: small, instruction: 'Represent the given image.', text: '' },
      { instruction: 'a', text: 'b' },
      { image: photoA, instruction: 'Represent the given image with the following question:', text: 'what bird?' },
    ];
    for (const [model, mode] of [
      [seq, 'sequential'],
      [mrope, 'mrope'],
    ] as const) {
      const out = await model.embed(inputs);
      inputs.forEach((x, i) => expect(maxDiff(out[i]!, reference(x, mode)), `${mode} input ${i}`).toBeLessThan(1e-4));
    }
  });

  it('every M-RoPE row matters: the reference with the h and w rows swapped, or the t row zeroed, differs from what the model gives', async () => {
    const x: EmbedInput = { image: gradient(84, 56, 2), instruction: 'Represent the given image.', text: '' };
    const base = await mrope.embed([x]);
    expect(maxDiff(base[0]!, reference(x, 'mrope'))).toBeLessThan(1e-4);
    const p = mrope.prepare(x);
    const swapped = reference(x, 'mrope', (r) => [r[0]!, r[2]!, r[1]!]);
    const noTime = reference(x, 'mrope', (r) => [r[0]!.map(() => 0), r[1]!, r[2]!]);
    expect(maxDiff(base[0]!, swapped)).toBeGreaterThan(1e-3);
    expect(maxDiff(base[0]!, noTime)).toBeGreaterThan(1e-3);
    // the sequential mode gives other positions, and so another vector
    const seqVec = await seq.embed([{ ...x }]);
    expect(maxDiff(base[0]!, seqVec[0]!)).toBeGreaterThan(1e-2);
    expect(p.ids.filter((t) => t === IMAGE_PAD)).toHaveLength(6); // 56x84 -> 4x6 patches -> 2x3 merged
  });
});

describe('qwen2-vl family: bad input', () => {
  it('refuses a folder without a text model, naming the missing graph', async () => {
    const bad = join(dir.path, 'no-text');
    writeTinyExport(bad);
    rmSync(join(bad, 'onnx', 'text_model.onnx'));
    await expect(loadModel(bad)).rejects.toThrow(/missing onnx\/text_model\.onnx/);
  });

  it('refuses a generation export (decoder_model_merged), saying why and what to export', async () => {
    const bad = join(dir.path, 'generation');
    writeTinyExport(bad);
    rmSync(join(bad, 'onnx', 'text_model.onnx'));
    rmSync(join(bad, 'onnx', 'text_model.onnx_data'));
    copyFileSync(join(bad, 'onnx', 'embed_tokens.onnx'), join(bad, 'onnx', 'decoder_model_merged.onnx'));
    await expect(loadModel(bad)).rejects.toThrow(/generation export.*decoder_model_merged.*export-qwen2vl\.py/s);
  });

  it('refuses a text model whose hidden size does not match the other graphs', async () => {
    const bad = join(dir.path, 'mismatch');
    writeTinyExport(bad);
    const wide = { ...QWEN2_VL_TINY, hidden: 32, intermediate: 64, mropeSection: [2, 2, 4] as [number, number, number] };
    rmSync(join(bad, 'onnx', 'text_model.onnx_data'));
    writeOnnx(join(bad, 'onnx', 'text_model.onnx'), textModelGraph(wide, randomWeights(wide, 3, 0.5, (n) => n.startsWith('layers') || n === 'norm')));
    const m = await loadModel(bad, { providers: ['cpu'] });
    try {
      await expect(m.embed([{ instruction: 'hello', text: '' }])).rejects.toThrow(/text_model|hidden|32|16/);
    } finally {
      await m.dispose();
    }
  });

  it('refuses a wrong tokenizer (special tokens at other ids), naming the token', async () => {
    const bad = join(dir.path, 'wrong-tokenizer');
    writeTinyExport(bad, { tokenizer: tinyTokenizerJson(QWEN2_SPECIAL_TOKENS.map(([t, id]) => [t, id - 1000])) });
    await expect(loadModel(bad)).rejects.toThrow(/tokenizer\.json .* does not belong to this model: config\.json says <\|image_pad\|> is token 151655/);
  });

  it('a 1x1 image becomes 56x56 first (VLM2Vec does this); a 20,000-px-wide one is capped at max_pixels', async () => {
    const m = (await loadModel(join(dir.path, 'tiny-seq'), { providers: ['cpu'] })) as Qwen2VlEmbedder;
    try {
      const tiny = m.prepare({ image: { width: 1, height: 1, data: new Uint8Array([200, 10, 10]) }, instruction: 'x', text: '' });
      expect(tiny.vision?.gridThw).toEqual([1, 4, 4]);
      const wide = m.prepare({ image: gradient(20000, 1000, 3), instruction: 'x', text: '' });
      const [, gh, gw] = wide.vision!.gridThw;
      expect(gh * gw * 14 * 14).toBeLessThanOrEqual(448 * 448);
      expect(gw / gh).toBeGreaterThan(15);
      const [e] = await m.embed([{ image: { width: 1, height: 1, data: new Uint8Array([200, 10, 10]) }, instruction: 'x', text: '' }]);
      expect(Number.isFinite(e![0]!)).toBe(true);
      expect(() => m.prepare({ image: gradient(6000, 28, 0), instruction: 'x', text: '' })).toThrow(/200 times/);
    } finally {
      await m.dispose();
    }
  });

  it('text beyond the context is cut at the end to the documented cap', async () => {
    const capped = join(dir.path, 'short-context');
    writeTinyExport(capped, { trove: { maxTextTokens: 40, maxPixels: 56 * 56 }, maxPositions: 48 });
    const m = (await loadModel(capped, { providers: ['cpu'] })) as Qwen2VlEmbedder;
    try {
      const long = 'word '.repeat(200);
      const p = m.prepare({ instruction: '', text: long });
      expect(p.ids.length).toBe(44); // 40 text + the 4 image tokens the cap allows, within 48 positions
      expect(p.cut).toBe(1000 - 44);
      const [a, b] = await m.embed([
        { instruction: '', text: long },
        { instruction: '', text: long + 'different ending' },
      ]);
      expect(maxDiff(a!, b!)).toBe(0); // the cut part is not read
    } finally {
      await m.dispose();
    }
  });
});

