// The `qwen2-vl` family: VLM2Vec / GME on Qwen2-VL from a user's ONNX export, behind the
// same loader as vlm2vec-nano. One input is embedded as the reference code does it
// (README.md here): prompt -> tokens with the image slot expanded -> embed_tokens ->
// rows at <|image_pad|> overwritten in order by the vision encoder's features -> text_model
// with position ids (get_rope_index or sequential) -> the last real token's hidden state ->
// L2 normalised.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbedInput, EmbeddingModel, ModelImageSize } from '../embedding-model';
import type { FamilyLoader, LoadOptions } from '../loader';
import { registerModelFamily } from '../loader';
import type { ModelPackage } from '../model-package';
import { filesDirOf, ModelPackageError } from '../model-package';
import { QWEN2_VL_FAMILY } from './config';
import type { GraphRole, GraphVariant } from './export-folder';
import { checkExportFolder, scanGraphs } from './export-folder';
import type { VisionInput } from './image-processor';
import { preprocessImage } from './image-processor';
import type { Qwen2VlParts } from './package';
import { describeExport, readExportConfigs } from './package';
import { promptOf } from './prompt';
import { batchPositions, ropeIndex, sequentialPositions } from './rope-index';
import type { GraphSession, LoadedSessions } from './sessions';
import { floatFeed, floatOutput, loadSessions } from './sessions';

/** Why Trove cannot fine-tune this family (Settings shows it next to the model). */
export const QWEN2_VL_NOT_TRAINABLE =
  "Trove's trainer builds and differentiates its own graphs (main/ml); a Qwen2-VL export is three fixed ONNX inference graphs with no training graph, " +
  'and fine-tuning a 2-billion-parameter model needs a GPU and the original weights. Fine-tune it in Python (VLM2Vec\'s LoRA recipe) and export again.';

/** One input ready for the graphs. */
export interface PreparedInput {
  ids: number[];
  vision: VisionInput | null;
  cut: number;
}

export class Qwen2VlEmbedder implements EmbeddingModel {
  readonly family = QWEN2_VL_FAMILY;
  readonly id: string;
  readonly version: string;
  readonly dim: number;
  readonly imageSize: ModelImageSize;
  readonly training = { trainable: false, reason: QWEN2_VL_NOT_TRAINABLE };
  readonly instructions: EmbeddingModel['instructions'];
  readonly provider: EmbeddingModel['provider'];

  constructor(
    pkg: ModelPackage,
    readonly parts: Qwen2VlParts,
    private readonly sessions: LoadedSessions,
    /** rows per text_model run */
    readonly maxBatch = 8,
  ) {
    const m = pkg.manifest;
    this.id = m.id;
    this.version = m.version;
    this.dim = parts.config.hidden_size;
    const img = m.preprocessing.image;
    if (!img) throw new ModelPackageError(`The qwen2-vl model ${m.id} has no image size in its manifest. Add it again with \`trove model add\`.`);
    this.imageSize = { width: img.width, height: img.height, fit: 'area' };
    this.instructions = m.instructions;
    this.provider = sessions.provider;
  }

  /** The graph variants running, by role (e.g. text_model: fp16). */
  get variants(): Record<GraphRole, GraphVariant> {
    const g = this.sessions.graphs;
    return { vision_encoder: g.vision_encoder.variant, embed_tokens: g.embed_tokens.variant, text_model: g.text_model.variant };
  }

  prepare(input: EmbedInput): PreparedInput {
    const vision = input.image ? preprocessImage(input.image, this.parts.image) : null;
    const { ids, cut } = this.parts.tokenizer.encode(promptOf(input, this.parts.format), vision?.tokens ?? 0, this.parts.maxTokens);
    return { ids, vision, cut };
  }

  /** Token ids the model reads for `input` (image slot expanded), as the bench reports them. */
  tokens(input: EmbedInput): number[] {
    return this.prepare(input).ids;
  }

  async imageFeatures(v: VisionInput): Promise<Float32Array> {
    const g = this.sessions.graphs.vision_encoder;
    const r = await g.session.run({
      [g.inputName.pixel_values!]: floatFeed(g, 'pixel_values', v.pixelValues, [v.patches, v.rowSize]),
      [g.inputName.grid_thw!]: { dtype: 'int64', data: BigInt64Array.from(v.gridThw.map(BigInt)), dims: [1, 3] },
    });
    const f = floatOutput(r.image_features!);
    if (f.length !== v.tokens * this.dim) {
      throw new Error(`the vision encoder returned ${f.length / this.dim} feature rows of ${this.dim} for an image of ${v.tokens} tokens (grid ${v.gridThw.join('x')}): the export's vision_encoder does not match its config (hidden_size ${this.dim}, merge ${this.parts.image.mergeSize})`);
    }
    return f;
  }

  async embed(batch: EmbedInput[]): Promise<Float32Array[]> {
    const prepared = batch.map((x) => this.prepare(x));
    // similar lengths share a run (less padding); results go back in input order
    const order = prepared.map((_p, i) => i).sort((a, b) => prepared[a]!.ids.length - prepared[b]!.ids.length);
    const out = new Array<Float32Array>(batch.length);
    for (let s = 0; s < order.length; s += this.maxBatch) {
      const rows = order.slice(s, s + this.maxBatch);
      const embs = await this.embedPrepared(rows.map((i) => prepared[i]!));
      rows.forEach((i, k) => (out[i] = embs[k]!));
    }
    return out;
  }

  async embedPrepared(rows: PreparedInput[]): Promise<Float32Array[]> {
    const H = this.dim;
    const n = rows.length;
    const seq = Math.max(...rows.map((r) => r.ids.length));
    const ids = new BigInt64Array(n * seq);
    const mask = new BigInt64Array(n * seq);
    rows.forEach((r, i) => r.ids.forEach((t, k) => ((ids[i * seq + k] = BigInt(t)), (mask[i * seq + k] = 1n))));
    const eg = this.sessions.graphs.embed_tokens;
    const er = await eg.session.run({ [eg.inputName.input_ids!]: { dtype: 'int64', data: ids, dims: [n, seq] } });
    const embeds = Float32Array.from(floatOutput(er.inputs_embeds!));
    if (embeds.length !== n * seq * H) throw new Error(`embed_tokens returned ${embeds.length} values for ${n}x${seq} tokens of ${H}: it does not match config.json's hidden_size`);
    const positions: number[][][] = [];
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if (r.vision) this.merge(embeds, i * seq, r.ids, await this.imageFeatures(r.vision));
      const grids = r.vision ? [r.vision.gridThw] : [];
      positions.push(this.parts.format.positions === 'rope-index' ? ropeIndex(r.ids, grids, this.tokenIds, this.parts.image.mergeSize) : sequentialPositions(r.ids.length));
    }
    const tg = this.sessions.graphs.text_model;
    const tr = await tg.session.run({
      [tg.inputName.inputs_embeds!]: floatFeed(tg, 'inputs_embeds', embeds, [n, seq, H]),
      [tg.inputName.attention_mask!]: { dtype: 'int64', data: mask, dims: [n, seq] },
      [tg.inputName.position_ids!]: { dtype: 'int64', data: batchPositions(positions, seq), dims: [3, n, seq] },
    });
    const hidden = floatOutput(tr.last_hidden_state!);
    return rows.map((r, i) => l2(hidden.subarray((i * seq + r.ids.length - 1) * H, (i * seq + r.ids.length) * H)));
  }

  private get tokenIds() {
    const c = this.parts.config;
    return { imageTokenId: c.image_token_id, videoTokenId: c.video_token_id, visionStartTokenId: c.vision_start_token_id };
  }

  /** Overwrites the rows of `<|image_pad|>` tokens (from `offset`) with the image features, in order. */
  private merge(embeds: Float32Array, offset: number, ids: number[], features: Float32Array): void {
    const H = this.dim;
    let k = 0;
    ids.forEach((t, pos) => {
      if (t !== this.parts.config.image_token_id) return;
      if ((k + 1) * H > features.length) throw new Error('the prompt has more image tokens than the image has features');
      embeds.set(features.subarray(k * H, (k + 1) * H), (offset + pos) * H);
      k++;
    });
    if (k * H !== features.length) throw new Error(`image features and image tokens do not match: ${features.length / H} features, ${k} tokens`);
  }

  async dispose(): Promise<void> {
    for (const g of Object.values(this.sessions.graphs) as GraphSession[]) await g.session.release();
  }
}

function l2(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s + 1e-12);
  return Float32Array.from(v, (x) => x * inv);
}

export const loadQwen2Vl: FamilyLoader = async (pkg: ModelPackage, options: LoadOptions): Promise<Qwen2VlEmbedder> => {
  const root = filesDirOf(pkg);
  const listed = new Set(Object.values(pkg.manifest.graphs));
  // a manifest written by `trove model add` runs the variants it hashed; a bare folder runs what it has
  const variants = listed.size ? scanGraphs(root).variants.filter((v) => listed.has(v.file)) : checkExportFolder(root);
  const parts = readExportConfigs(root, pkg.manifest);
  const sessions = await loadSessions(root, variants, options.providers, options.threads);
  return new Qwen2VlEmbedder(pkg, parts, sessions);
};

/** A folder without manifest.json that holds a Qwen2-VL export (config.json + onnx graphs) loads as it is. */
const isExport = (dir: string): boolean => existsSync(join(dir, 'config.json')) && scanGraphs(dir).variants.length > 0;

registerModelFamily(QWEN2_VL_FAMILY, loadQwen2Vl, { fromFolder: (dir) => (isExport(dir) ? describeExport(dir) : null) });
