// The `vlm2vec` family loader: a package written by writeVlm2vecPackage -> EmbeddingModel.
// Images arrive decoded and resized to imageSize (256 x 256 RGB uint8, by the engine); they
// become planar float 0..255 for the trunk. Rows without an image skip the trunk: their
// visual slots are masked (has_image 0) and fed zeros.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, PerceptionUse, RgbImage } from '../embedding-model';
import type { FamilyLoader, LoadOptions } from '../loader';
import { registerModelFamily } from '../loader';
import type { ModelPackage } from '../model-package';
import { ModelPackageError } from '../model-package';
import type { Session, SessionOptions } from '../../runtime/session';
import { createSession } from '../../runtime/session';
import { featureSize, perceptionSlotCount } from './model';
import type { Vlm2vecConfig } from './model';
import { perceptionSlots, readTextOf, SLOT_FEATURES, withTextSegment } from './perception';
import type { Vlm2vecPackageConfig } from './package';
import { VLM2VEC_CONFIG_VERSION, VLM2VEC_FAMILY } from './package';
import { PAD_ID, PromptTokenizer } from './tokenizer';

/** HWC RGB uint8 -> CHW float 0..255, written at `out[offset..]`. */
export function rgbToPlanar(img: RgbImage, out: Float32Array, offset = 0): void {
  const hw = img.width * img.height;
  if (img.data.length !== hw * 3) throw new Error(`image data has ${img.data.length} bytes, expected ${hw * 3} for ${img.width}x${img.height} RGB`);
  for (let i = 0; i < hw; i++) {
    out[offset + i] = img.data[3 * i];
    out[offset + hw + i] = img.data[3 * i + 1];
    out[offset + 2 * hw + i] = img.data[3 * i + 2];
  }
}

/** Right-padded int64 ids + float mask for token lists. */
export function padTokens(rows: number[][]): { ids: BigInt64Array; mask: Float32Array; seq: number } {
  const seq = Math.max(1, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * seq).fill(BigInt(PAD_ID));
  const mask = new Float32Array(rows.length * seq);
  rows.forEach((r, i) => {
    for (let t = 0; t < r.length; t++) {
      ids[i * seq + t] = BigInt(r[t]);
      mask[i * seq + t] = 1;
    }
  });
  return { ids, mask, seq };
}

/** The slots of many inputs as the graph's three perception feeds (row-major). */
export function slotFeeds(cfg: Vlm2vecConfig, evidence: readonly (PerceptionEvidence | undefined)[]): { ids: BigInt64Array; features: Float32Array; mask: Float32Array } {
  const p = perceptionSlotCount(cfg);
  const out = { ids: new BigInt64Array(evidence.length * p), features: new Float32Array(evidence.length * p * SLOT_FEATURES), mask: new Float32Array(evidence.length * p) };
  if (!cfg.perception) return out;
  evidence.forEach((e, i) => {
    const s = perceptionSlots(cfg.perception!, e);
    s.ids.forEach((id, k) => (out.ids[i * p + k] = BigInt(id)));
    out.features.set(s.features, i * p * SLOT_FEATURES);
    out.mask.set(s.mask, i * p);
  });
  return out;
}

/** The token ids of one input: the prompt, with the read-text segment when the model reads text. */
export function inputTokens(cfg: Vlm2vecConfig, tokenizer: PromptTokenizer, input: Pick<EmbedInput, 'instruction' | 'text' | 'perception'>): number[] {
  const prompt = tokenizer.encode(input.instruction, input.text, cfg.maxTextTokens);
  if (!cfg.perception) return prompt;
  const read = readTextOf(input.perception);
  return withTextSegment(cfg.perception, prompt, read ? tokenizer.encodeRaw(read).slice(1) : []);
}

export class Vlm2vecEmbedder implements EmbeddingModel {
  readonly family = VLM2VEC_FAMILY;
  /** Trove's own trainer built and fine-tunes this family (train.ts) */
  readonly training = { trainable: true };
  readonly id: string;
  readonly version: string;
  readonly dim: number;
  readonly imageSize: { width: number; height: number };
  readonly instructions: EmbeddingModel['instructions'];
  readonly provider: EmbeddingModel['provider'];
  readonly perception?: PerceptionUse;
  private readonly featureSize: number;

  constructor(
    pkg: ModelPackage,
    readonly cfg: Vlm2vecConfig,
    private readonly tokenizer: PromptTokenizer,
    private readonly trunk: Session,
    private readonly embedSession: Session,
    /** rows per session run */
    readonly maxBatch = 32,
  ) {
    const m = pkg.manifest;
    this.id = m.id;
    this.version = m.version;
    this.dim = m.dim;
    const img = m.preprocessing.image;
    if (!img) throw new ModelPackageError(`The vlm2vec model ${m.id} has no image preprocessing in its manifest. Reinstall the model package.`);
    this.imageSize = { width: img.width, height: img.height };
    this.instructions = m.instructions;
    this.provider = { name: embedSession.report.provider, tried: embedSession.report.tried };
    this.featureSize = featureSize(cfg);
    if (cfg.perception) {
      const pkgs = cfg.perception.packages;
      this.perception = { kinds: ['objects', 'labels', 'text'], packages: { objects: pkgs.objects, labels: pkgs.labels, text: pkgs.text } };
    }
  }

  /** Trunk feature maps of decoded images: [n, C, H, W] flattened. */
  async features(images: RgbImage[]): Promise<Float32Array> {
    const { width: w, height: h } = this.imageSize;
    const out = new Float32Array(images.length * this.featureSize);
    for (let s = 0; s < images.length; s += this.maxBatch) {
      const part = images.slice(s, s + this.maxBatch);
      const px = new Float32Array(part.length * 3 * w * h);
      part.forEach((im, i) => {
        if (im.width !== w || im.height !== h) throw new Error(`${this.id} needs images decoded to ${w}x${h}, got ${im.width}x${im.height}`);
        rgbToPlanar(im, px, i * 3 * w * h);
      });
      const r = await this.trunk.run({ image: { dtype: 'float32', data: px, dims: [part.length, 3, h, w] } }, ['feature_map']);
      out.set(r.feature_map.data as Float32Array, s * this.featureSize);
    }
    return out;
  }

  /** Embeds rows whose trunk features are given (zeros / ignored where hasImage is 0), with their evidence (models with perception tokens). */
  async embedFeatures(features: Float32Array, hasImage: Float32Array, tokens: number[][], evidence: readonly (PerceptionEvidence | undefined)[] = []): Promise<Float32Array[]> {
    const [gh, gw] = this.cfg.featureGrid;
    const { ids, mask, seq } = padTokens(tokens);
    const n = tokens.length;
    const feeds: Parameters<Session['run']>[0] = {
      features: { dtype: 'float32', data: features, dims: [n, this.cfg.featureChannels, gh, gw] },
      has_image: { dtype: 'float32', data: hasImage, dims: [n] },
      input_ids: { dtype: 'int64', data: ids, dims: [n, seq] },
      attention_mask: { dtype: 'float32', data: mask, dims: [n, seq] },
    };
    if (this.cfg.perception) {
      const p = perceptionSlotCount(this.cfg);
      const slots = slotFeeds(this.cfg, Array.from({ length: n }, (_v, i) => evidence[i]));
      feeds.perception_ids = { dtype: 'int64', data: slots.ids, dims: [n, p] };
      feeds.perception_features = { dtype: 'float32', data: slots.features, dims: [n, p, SLOT_FEATURES] };
      feeds.perception_mask = { dtype: 'float32', data: slots.mask, dims: [n, p] };
    }
    const r = await this.embedSession.run(feeds);
    const e = r.embedding.data as Float32Array;
    return Array.from({ length: n }, (_v, i) => e.slice(i * this.dim, (i + 1) * this.dim));
  }

  tokens(input: EmbedInput): number[] {
    return inputTokens(this.cfg, this.tokenizer, input);
  }

  async embed(batch: EmbedInput[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let s = 0; s < batch.length; s += this.maxBatch) {
      const part = batch.slice(s, s + this.maxBatch);
      const withImage = part.map((x, i) => (x.image ? i : -1)).filter((i) => i >= 0);
      const feats = new Float32Array(part.length * this.featureSize);
      const has = new Float32Array(part.length);
      if (withImage.length) {
        const f = await this.features(withImage.map((i) => part[i].image as RgbImage));
        withImage.forEach((row, k) => {
          feats.set(f.subarray(k * this.featureSize, (k + 1) * this.featureSize), row * this.featureSize);
          has[row] = 1;
        });
      }
      out.push(...(await this.embedFeatures(feats, has, part.map((x) => this.tokens(x)), part.map((x) => x.perception))));
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.trunk.release();
    await this.embedSession.release();
  }
}

export const loadVlm2vec: FamilyLoader = async (pkg: ModelPackage, options: LoadOptions): Promise<Vlm2vecEmbedder> => {
  const m = pkg.manifest;
  const embedFile = m.graphs.embed;
  const trunkFile = m.graphs.trunk;
  if (!embedFile || !trunkFile) throw new ModelPackageError(`The vlm2vec model ${m.id} must name an "embed" and a "trunk" graph in its manifest. Reinstall the model package.`);
  if (!('vlm2vec.json' in m.files)) throw new ModelPackageError(`The vlm2vec model ${m.id} has no vlm2vec.json. Reinstall the model package.`);
  const pc = JSON.parse(readFileSync(join(pkg.dir, 'vlm2vec.json'), 'utf8')) as Vlm2vecPackageConfig;
  // version 1 (no configVersion, no visualPool) reads as 64 visual tokens: visualPoolOf() defaults to 1
  if ((pc.configVersion ?? 1) > VLM2VEC_CONFIG_VERSION) throw new ModelPackageError(`The vlm2vec model ${m.id} needs a newer Trove (vlm2vec.json version ${String(pc.configVersion)}, this Trove reads up to ${VLM2VEC_CONFIG_VERSION}).`);
  const so: SessionOptions = { ...(options.providers ? { providers: options.providers } : {}), ...(options.threads ? { intraOpNumThreads: options.threads } : {}) };
  const tokenizer = PromptTokenizer.fromFile(join(pkg.dir, m.tokenizer));
  const trunk = await createSession(join(pkg.dir, trunkFile), so);
  const embed = await createSession(join(pkg.dir, embedFile), so);
  return new Vlm2vecEmbedder(pkg, pc.config, tokenizer, trunk, embed);
};

registerModelFamily(VLM2VEC_FAMILY, loadVlm2vec);
