// The three JSON files of a Qwen2-VL export folder Trove reads, as schemas: Hugging Face's
// config.json and preprocessor_config.json (the fields the embedding path uses; others are
// kept and ignored), and Trove's optional trove_embedding.json (the preset and its words).
// Field names and defaults are Hugging Face's (transformers Qwen2VLConfig and
// Qwen2VLImageProcessor; shared/reference/qwen2-vl.md lists the 2B values).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ModelPackageError } from '../model-package';
import { messageOf } from '../../../base/errors';

export const QWEN2_VL_FAMILY = 'qwen2-vl';

export const Qwen2VlConfig = z
  .object({
    model_type: z.string(),
    hidden_size: z.number().int().positive(),
    vocab_size: z.number().int().positive(),
    max_position_embeddings: z.number().int().positive().default(32768),
    image_token_id: z.number().int().nonnegative().default(151655),
    video_token_id: z.number().int().nonnegative().default(151656),
    vision_start_token_id: z.number().int().nonnegative().default(151652),
    vision_end_token_id: z.number().int().nonnegative().default(151653),
    rope_scaling: z.object({ mrope_section: z.array(z.number().int().positive()).length(3) }).passthrough().optional(),
    vision_config: z.object({ spatial_merge_size: z.number().int().positive().default(2) }).passthrough().default({ spatial_merge_size: 2 }),
  })
  .passthrough();
export type Qwen2VlConfig = z.infer<typeof Qwen2VlConfig>;

export const PreprocessorConfig = z
  .object({
    min_pixels: z.number().int().positive().optional(),
    max_pixels: z.number().int().positive().optional(),
    /** newer exports keep the limits here instead */
    size: z.object({ shortest_edge: z.number().int().positive().optional(), longest_edge: z.number().int().positive().optional() }).passthrough().optional(),
    patch_size: z.number().int().positive().default(14),
    temporal_patch_size: z.number().int().positive().default(2),
    merge_size: z.number().int().positive().default(2),
    image_mean: z.tuple([z.number(), z.number(), z.number()]).default([0.48145466, 0.4578275, 0.40821073]),
    image_std: z.tuple([z.number(), z.number(), z.number()]).default([0.26862954, 0.26130258, 0.27577711]),
    rescale_factor: z.number().positive().default(1 / 255),
    do_rescale: z.boolean().default(true),
    do_normalize: z.boolean().default(true),
    /** PIL resampling id: 3 = bicubic (the only one Trove implements) */
    resample: z.number().int().default(3),
  })
  .passthrough();
export type PreprocessorConfig = z.infer<typeof PreprocessorConfig>;

/** The image preprocessing the family runs, resolved from preprocessor_config.json and the library cap. */
export interface ImageConfig {
  patchSize: number;
  temporalPatchSize: number;
  mergeSize: number;
  minPixels: number;
  maxPixels: number;
  mean: [number, number, number];
  std: [number, number, number];
  rescale: number;
}

/**
 * trove_embedding.json (optional, Trove's own): how the export is prompted.
 *  preset        'vlm2vec' (default): `<|image_pad|> {instruction} {text}`, no chat template,
 *                positions from get_rope_index (VLM2Vec src/model/processor.py); 'gme': GME's chat
 *                template with `<|vision_start|><|image_pad|><|vision_end|>`, 1-D positions
 *                (GME's gme_inference.py calls the base model without position ids).
 *  instructions  per task {query, target}, replacing the preset's.
 *  imagePrefix   the text standing for the image in front of the rest (vlm2vec only).
 *  maxPixels     the photo-library cap on max_pixels (default LIBRARY_MAX_PIXELS).
 *  positions     'rope-index' | 'sequential': overrides the preset's position ids.
 *  maxTextTokens the longest token sequence fed (default: the config's max_position_embeddings).
 */
const Instruction = z.object({ query: z.string(), target: z.string() });
export const TroveEmbeddingConfig = z
  .object({
    preset: z.enum(['vlm2vec', 'gme']).default('vlm2vec'),
    instructions: z
      .object({
        retrieval_text_to_image: Instruction,
        retrieval_image_to_image: Instruction,
        retrieval_text_to_text: Instruction,
        classification: Instruction,
        vqa: Instruction,
        grounding: Instruction,
      })
      .partial()
      .optional(),
    imagePrefix: z.string().optional(),
    maxPixels: z.number().int().min(28 * 28).optional(),
    positions: z.enum(['rope-index', 'sequential']).optional(),
    maxTextTokens: z.number().int().positive().optional(),
    /** the model's id and version in Trove (default: the folder's name, '1') */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).optional(),
    version: z.string().min(1).optional(),
    licence: z.string().min(1).optional(),
    provenance: z.string().min(1).optional(),
  })
  .strict();
export type TroveEmbeddingConfig = z.infer<typeof TroveEmbeddingConfig>;

/**
 * The default photo-library cap on max_pixels: 448 x 448 = 200,704 pixels = 256 visual
 * tokens (GME's min_image_tokens; Qwen2-VL allows 12.8 MP = 16,384 tokens, and every token
 * costs the 28-layer text model). Change it per model with trove_embedding.json `maxPixels`
 * or `trove model add --max-pixels N`.
 */
export const LIBRARY_MAX_PIXELS = 448 * 448;

export function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelPackageError(`${what} (${path}) could not be read as JSON: ${messageOf(e)}. Re-export the model folder.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ModelPackageError(`${what} (${path}) is invalid at "${first.path.join('.') || '(root)'}": ${first.message}.`);
  }
  return parsed.data;
}

/** preprocessor_config.json + the library cap -> the preprocessing the family runs. */
export function imageConfigOf(p: PreprocessorConfig, cap: number): ImageConfig {
  const minPixels = p.min_pixels ?? p.size?.shortest_edge ?? 56 * 56;
  const maxPixels = p.max_pixels ?? p.size?.longest_edge ?? 28 * 28 * 1280;
  if (p.resample !== 3) throw new ModelPackageError(`preprocessor_config.json asks for PIL resampling ${p.resample}; Trove implements bicubic (3) only, which Qwen2-VL uses.`);
  if (!p.do_rescale || !p.do_normalize) throw new ModelPackageError('preprocessor_config.json turns off do_rescale or do_normalize; Qwen2-VL exports keep both on, and so does Trove.');
  const max = Math.min(maxPixels, cap);
  return {
    patchSize: p.patch_size,
    temporalPatchSize: p.temporal_patch_size,
    mergeSize: p.merge_size,
    minPixels: Math.min(minPixels, max),
    maxPixels: max,
    mean: p.image_mean,
    std: p.image_std,
    rescale: p.rescale_factor,
  };
}

/** The side of the square the engine decodes library photos to: the largest multiple of patch*merge whose square fits the cap. */
export function librarySquare(img: ImageConfig): number {
  const f = img.patchSize * img.mergeSize;
  return Math.max(f, Math.floor(Math.sqrt(img.maxPixels) / f) * f);
}
