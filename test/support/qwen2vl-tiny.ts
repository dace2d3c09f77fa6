// A tiny Qwen2-VL embedding export with the real interface, written by main/ml: the folder
// layout, config.json (Qwen2-VL-2B's special-token ids and vocabulary size), the real
// preprocessor_config.json values, a byte-level tokenizer.json carrying Qwen2's special
// tokens at their real ids, and the three graphs (graphs.ts, QWEN2_VL_TINY: H 16, 2 layers,
// 2 heads / 1 KV head, mrope_section [1,1,2]); text_model keeps its weights in
// text_model.onnx_data as big exports do. Weights are seeded and returned, so a test can
// compute the same model independently (qwen2vl-reference.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOnnx } from '../../main/ml/graph/onnx-file';
import type { Qwen2VlDims, Weights } from '../../main/ml/models/qwen2-vl/graphs';
import { embedTokensGraph, QWEN2_VL_TINY, randomWeights, textModelGraph, visionEncoderGraph } from '../../main/ml/models/qwen2-vl/graphs';
import { bytesToUnicode } from '../../main/ml/models/vlm2vec/tokenizer';

/** Qwen2's added tokens and their ids (Qwen2-VL-2B-Instruct tokenizer.json). */
export const QWEN2_SPECIAL_TOKENS: [string, number][] = [
  ['<|endoftext|>', 151643],
  ['<|im_start|>', 151644],
  ['<|im_end|>', 151645],
  ['<|object_ref_start|>', 151646],
  ['<|object_ref_end|>', 151647],
  ['<|box_start|>', 151648],
  ['<|box_end|>', 151649],
  ['<|quad_start|>', 151650],
  ['<|quad_end|>', 151651],
  ['<|vision_start|>', 151652],
  ['<|vision_end|>', 151653],
  ['<|vision_pad|>', 151654],
  ['<|image_pad|>', 151655],
  ['<|video_pad|>', 151656],
];

/** Byte-level BPE without merges (one token per UTF-8 byte) plus Qwen2's special tokens; no BOS, as Qwen2. */
export function tinyTokenizerJson(special: [string, number][] = QWEN2_SPECIAL_TOKENS): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((c, b) => (vocab[c] = b));
  for (const [t, id] of special) vocab[t] = id;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] },
  };
}

export function tinyConfigJson(d: Qwen2VlDims, maxPositions = 32768): Record<string, unknown> {
  return {
    architectures: ['Qwen2VLForConditionalGeneration'],
    model_type: 'qwen2_vl',
    hidden_size: d.hidden,
    intermediate_size: d.intermediate,
    num_hidden_layers: d.layers,
    num_attention_heads: d.heads,
    num_key_value_heads: d.kvHeads,
    vocab_size: d.vocab,
    max_position_embeddings: maxPositions,
    rms_norm_eps: d.rmsEps,
    rope_theta: d.ropeTheta,
    rope_scaling: { type: 'mrope', mrope_section: d.mropeSection },
    bos_token_id: 151643,
    eos_token_id: 151645,
    image_token_id: 151655,
    video_token_id: 151656,
    vision_start_token_id: 151652,
    vision_end_token_id: 151653,
    vision_token_id: 151654,
    vision_config: { depth: d.vision.depth, embed_dim: d.vision.embed, hidden_size: d.hidden, num_heads: d.vision.heads, mlp_ratio: d.vision.mlpRatio, patch_size: 14, spatial_merge_size: 2, temporal_patch_size: 2, in_chans: 3 },
    tie_word_embeddings: true,
  };
}

/** Qwen2-VL-2B-Instruct's preprocessor_config.json. */
export const QWEN2_VL_PREPROCESSOR = {
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: 'Qwen2VLImageProcessor',
  image_std: [0.26862954, 0.26130258, 0.27577711],
  max_pixels: 12845056,
  merge_size: 2,
  min_pixels: 3136,
  patch_size: 14,
  processor_class: 'Qwen2VLProcessor',
  resample: 3,
  rescale_factor: 0.00392156862745098,
  temporal_patch_size: 2,
};

export interface TinyExportOptions {
  dims?: Qwen2VlDims;
  seed?: number;
  /** trove_embedding.json contents (none written when absent) */
  trove?: Record<string, unknown>;
  tokenizer?: Record<string, unknown>;
  maxPositions?: number;
}

/** Writes the export folder; returns the weights the graphs hold. */
export function writeTinyExport(dir: string, o: TinyExportOptions = {}): { dims: Qwen2VlDims; weights: Weights } {
  const dims = o.dims ?? QWEN2_VL_TINY;
  const weights = randomWeights(dims, o.seed ?? 11, 0.5);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(tinyConfigJson(dims, o.maxPositions), null, 2));
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(QWEN2_VL_PREPROCESSOR, null, 2));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(o.tokenizer ?? tinyTokenizerJson()));
  if (o.trove) writeFileSync(join(dir, 'trove_embedding.json'), JSON.stringify(o.trove, null, 2));
  writeOnnx(join(dir, 'onnx', 'vision_encoder.onnx'), visionEncoderGraph(dims, weights));
  writeOnnx(join(dir, 'onnx', 'embed_tokens.onnx'), embedTokensGraph(dims, weights));
  writeOnnx(join(dir, 'onnx', 'text_model.onnx'), textModelGraph(dims, weights, { externalData: 'text_model.onnx_data' }));
  return { dims, weights };
}
