// Writes a vlm2vec model package (docs/ARCHITECTURE.md, "Models"):
//   manifest.json   schema main/ml/models/manifest.ts; SHA-256 of every other file
//   trunk.onnx      the frozen vision trunk: image float32 [batch, 3, 256, 256] NCHW RGB,
//                   raw 0..255 -> feature_map [batch, 120, 8, 8]  (graphs.trunk)
//   model.onnx      features [batch, 120, 8, 8] + has_image [batch] (1/0) + input_ids int64
//                   [batch, seq] + attention_mask [batch, seq] (right padding) -> embedding
//                   [batch, dim], L2-normalised  (graphs.embed)
//   tokenizer.json  Hugging Face tokenizer (byte-level BPE for vlm2vec-nano, see bpe.ts)
//   vlm2vec.json    the model config (sizes, visual pooling, max text tokens, perception tokens),
//                   configVersion 3 (2 when the model reads no perception evidence)
//   With perception tokens (configVersion 3) model.onnx also takes perception_ids int64
//   [batch, P], perception_features [batch, P, 17] and perception_mask [batch, P] (perception.ts).
// Two graphs rather than one: the trunk is frozen and shared by training (which caches its
// features once) and inference, and rows without an image skip it (their slots are masked).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graph } from '../../graph/graph';
import { toOnnx } from '../../graph/onnx-writer';
import { Ctx } from '../../nn/context';
import type { ModelManifest } from '../manifest';
import type { InstructionPair, TaskName } from '../embedding-model';
import type { Vlm2vecConfig } from './model';
import { Vlm2vecModel } from './model';
import { sha256 } from '../../../base/hash';

export const VLM2VEC_FAMILY = 'vlm2vec';
export const TRUNK_IMAGE_SIZE = 256;

/**
 * vlm2vec.json's format version. 1 (no `configVersion` field): 64 visual tokens (no
 * `visualPool`), byte-level tokenizer. 2: `config.visualPool` (2x2 pooling -> 16 visual
 * tokens for nano) and any tokenizer.json (nano: byte-level BPE). 3: `config.perception`
 * (perception tokens, perception.ts). Readers take all three; a package is written with the
 * lowest version that holds its config, so a model without perception stays readable by
 * Troves that know only version 2.
 */
export const VLM2VEC_CONFIG_VERSION = 3;

/** The version a config needs. */
export const configVersionOf = (c: Vlm2vecConfig): number => (c.perception ? 3 : 2);

/** The package's own config file (vlm2vec.json). */
export interface Vlm2vecPackageConfig {
  /** absent = 1 */
  configVersion?: number;
  config: Vlm2vecConfig;
  image: { width: number; height: number; layout: 'NCHW'; range: [number, number] };
  /** the prompt layout, for readers */
  prompt: string;
}

/**
 * The data recipe's instructions.json ({} = the text) -> the manifest's task instructions
 * ({text}). The package must carry exactly the words the model was trained with, so a
 * missing task is an error, never a fallback.
 */
export function instructionsFromRecipe(json: Record<string, { query: string; target: string }>): Record<TaskName, InstructionPair> {
  const take = (...names: string[]): InstructionPair => {
    const p = names.map((n) => json[n]).find((x) => x !== undefined);
    if (!p) throw new Error(`instructions.json has no "${names.join('" or "')}" instruction; rebuild the data with native-models/recipes/build-data.ts.`);
    return { query: p.query.split('{}').join('{text}'), target: p.target.split('{}').join('{text}') };
  };
  return {
    retrieval_text_to_image: take('retrieval_text_to_image'),
    retrieval_image_to_image: take('retrieval_image_to_image'),
    retrieval_text_to_text: take('retrieval_text_to_text'),
    classification: take('classification_object', 'classification'),
    vqa: take('vqa'),
    grounding: take('grounding'),
  };
}

/** The inference embedding graph of `model` as ONNX bytes (weights inline, symbolic batch and seq). */
export function embedGraphOnnx(model: Vlm2vecModel): Uint8Array {
  const g = new Graph({ name: 'vlm2vec_embed' });
  const ctx = new Ctx(g, { train: false });
  const emb = model.buildEmbedGraph(ctx);
  const layout = `${model.perceptionSlots ? `[${model.perceptionSlots} perception slots]` : ''}[${model.visualTokens} visual tokens][<s> instruction text]`;
  return toOnnx(g, { outputs: { embedding: emb }, docString: `vlm2vec: ${layout} -> last token -> L2 norm` }).model;
}

export interface WriteVlm2vecOptions {
  id: string;
  version: string;
  config: Vlm2vecConfig;
  /** checkpoint names -> values (Vlm2vecModel.stateDict()) */
  params: ReadonlyMap<string, Float32Array>;
  /** the tokenizer.json object */
  tokenizer: Record<string, unknown>;
  /** the frozen trunk ONNX (bytes or a file path): image [batch,3,256,256] -> feature_map [batch,C,H,W] */
  trunk: Uint8Array | string;
  instructions: Record<TaskName, InstructionPair>;
  scores?: Record<string, number>;
  provenance: string;
  licence: string;
}


/** Writes the package into `dir` (created if needed); returns the manifest. */
export function writeVlm2vecPackage(dir: string, o: WriteVlm2vecOptions): ModelManifest {
  mkdirSync(dir, { recursive: true });
  const model = new Vlm2vecModel(o.config);
  model.loadStateDict(o.params);
  const files: Record<string, Uint8Array | string> = {
    'model.onnx': embedGraphOnnx(model),
    'trunk.onnx': typeof o.trunk === 'string' ? readFileSync(o.trunk) : o.trunk,
    'tokenizer.json': JSON.stringify(o.tokenizer),
    'vlm2vec.json': JSON.stringify(
      {
        configVersion: configVersionOf(o.config),
        config: { ...o.config, visualPool: o.config.visualPool ?? 1 },
        image: { width: TRUNK_IMAGE_SIZE, height: TRUNK_IMAGE_SIZE, layout: 'NCHW', range: [0, 255] },
        prompt: o.config.perception
          ? `[${model.perceptionSlots} perception slots when there is evidence][${model.visualTokens} visual tokens when there is an image] <s>[text_open]{read text}[text_close]{instruction} {text}; last text token, L2-normalised`
          : `[${model.visualTokens} visual tokens when there is an image] <s>{instruction} {text}; last token, L2-normalised`,
      } satisfies Vlm2vecPackageConfig,
      null,
      2,
    ),
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const manifest: ModelManifest = {
    id: o.id,
    version: o.version,
    family: VLM2VEC_FAMILY,
    dim: o.config.dim,
    pooling: 'last_token',
    normalize: true,
    preprocessing: {
      // raw pixels: the trunk takes 0..255 with no normalisation (mean 0, std 1/255 on 0..1 values)
      image: { width: TRUNK_IMAGE_SIZE, height: TRUNK_IMAGE_SIZE, mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] },
      maxTextTokens: o.config.maxTextTokens,
    },
    tokenizer: 'tokenizer.json',
    instructions: o.instructions,
    files: Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha256(b)])),
    graphs: { embed: 'model.onnx', trunk: 'trunk.onnx' },
    licence: o.licence,
    provenance: o.provenance,
    scores: o.scores ?? {},
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
