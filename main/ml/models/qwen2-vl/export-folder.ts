// A Qwen2-VL export folder as it is (shared/reference/qwen2-vl.md, "The transformers.js
// layout"): config.json, preprocessor_config.json, tokenizer.json, optional
// trove_embedding.json, and in onnx/ the three graphs, each possibly in several dtype
// variants (`text_model.onnx`, `text_model_fp16.onnx`, `text_model_q4.onnx`, ...) whose big
// weights sit in side files (`text_model.onnx_data`, `text_model.onnx_data_1`, ...).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ModelPackageError } from '../model-package';

export const GRAPH_ROLES = ['vision_encoder', 'embed_tokens', 'text_model'] as const;
export type GraphRole = (typeof GRAPH_ROLES)[number];

export const CONFIG_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json'] as const;
export const TROVE_EMBEDDING_FILE = 'trove_embedding.json';

export interface GraphVariant {
  role: GraphRole;
  /** 'fp32' for the plain file, else the suffix: fp16, q4, q4f16, quantized, int8, uint8, bnb4, ... */
  dtype: string;
  /** relative to the folder, e.g. onnx/text_model_fp16.onnx */
  file: string;
  /** its external-data side files, relative */
  dataFiles: string[];
}

const GRAPH_FILE = /^(vision_encoder|embed_tokens|text_model)(?:_([a-z0-9]+))?\.onnx$/;

/** Every graph variant in `dir/onnx` (or `dir` itself when it has no onnx/ folder). */
export function scanGraphs(dir: string): { variants: GraphVariant[]; others: string[] } {
  const sub = existsSync(join(dir, 'onnx')) ? 'onnx' : '';
  let names: string[];
  try {
    names = readdirSync(join(dir, sub)).sort();
  } catch {
    return { variants: [], others: [] };
  }
  const variants: GraphVariant[] = [];
  const others: string[] = [];
  const rel = (n: string) => (sub ? `${sub}/${n}` : n);
  for (const n of names) {
    const m = GRAPH_FILE.exec(n);
    if (!m) {
      if (n.endsWith('.onnx')) others.push(rel(n));
      continue;
    }
    const dataFiles = names.filter((d) => d !== n && (d.startsWith(`${n}_data`) || d.startsWith(`${n}.data`))).map(rel);
    variants.push({ role: m[1] as GraphRole, dtype: m[2] ?? 'fp32', file: rel(n), dataFiles });
  }
  return { variants, others };
}

/**
 * Which variant to run on a provider: GPUs take float16 first (half the memory, tensor
 * cores), the CPU float32 first (onnxruntime's CPU kernels are float32; int8 next), and
 * either falls back through the rest rather than refuse a folder with one variant only.
 */
export const VARIANT_ORDER: Record<'gpu' | 'cpu', string[]> = {
  gpu: ['fp16', 'fp32', 'q4f16', 'q4', 'quantized', 'int8', 'uint8', 'q8', 'bnb4'],
  cpu: ['fp32', 'quantized', 'int8', 'uint8', 'q8', 'q4', 'bnb4', 'fp16', 'q4f16'],
};

export function pickVariant(variants: readonly GraphVariant[], role: GraphRole, provider: string): GraphVariant | null {
  const order = VARIANT_ORDER[provider === 'cpu' ? 'cpu' : 'gpu'];
  const mine = variants.filter((v) => v.role === role);
  const rank = (v: GraphVariant) => {
    const i = order.indexOf(v.dtype);
    return i < 0 ? order.length : i;
  };
  return [...mine].sort((a, b) => rank(a) - rank(b) || a.dtype.localeCompare(b.dtype))[0] ?? null;
}

/** Throws a ModelPackageError saying what is missing or wrong with the folder, or returns its graphs. */
export function checkExportFolder(dir: string): GraphVariant[] {
  if (!existsSync(dir)) throw new ModelPackageError(`${dir} does not exist. Point Trove at the folder your Qwen2-VL export wrote.`);
  const missing: string[] = CONFIG_FILES.filter((f) => !existsSync(join(dir, f)));
  const { variants, others } = scanGraphs(dir);
  const generation = others.filter((f) => /decoder_model_merged|\/model(_[a-z0-9]+)?\.onnx$|^model(_[a-z0-9]+)?\.onnx$/.test(f));
  const roles = GRAPH_ROLES.filter((r) => !variants.some((v) => v.role === r));
  if (roles.includes('text_model') && generation.length) {
    throw new ModelPackageError(
      `${dir} holds a generation export (${generation.join(', ')}): that graph returns next-token logits and needs a KV cache, not the last hidden states an embedding is pooled from. ` +
        'Export onnx/text_model.onnx (the language model without lm_head, output last_hidden_state) with native-models/recipes/export-qwen2vl.py; its vision_encoder and embed_tokens graphs are reused as they are.',
    );
  }
  for (const r of roles) missing.push(`onnx/${r}.onnx (or a dtype variant such as onnx/${r}_fp16.onnx)`);
  if (missing.length) {
    throw new ModelPackageError(`${dir} is not a complete Qwen2-VL embedding export: missing ${missing.join(', ')}. native-models/recipes/export-qwen2vl.py writes the whole folder.`);
  }
  return variants;
}
