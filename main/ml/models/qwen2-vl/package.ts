// A Qwen2-VL export folder as a Trove model package: its configs read and checked
// (readExportConfigs), the manifest it implies (describeExport, nothing hashed: loading a
// bare folder), and the same manifest with the SHA-256 of every file it uses
// (manifestWithHashes, which `trove model add` writes into the library's model store).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { sha256, sha256File } from '../../../base/hash';
import type { InstructionPair, TaskName } from '../embedding-model';
import type { ModelManifest } from '../manifest';
import type { ModelPackage } from '../model-package';
import { ModelPackageError } from '../model-package';
import type { ImageConfig, TroveEmbeddingConfig } from './config';
import { imageConfigOf, LIBRARY_MAX_PIXELS, librarySquare, PreprocessorConfig, QWEN2_VL_FAMILY, Qwen2VlConfig, readJsonFile, TroveEmbeddingConfig as TroveEmbeddingSchema } from './config';
import type { GraphVariant } from './export-folder';
import { checkExportFolder, CONFIG_FILES, TROVE_EMBEDDING_FILE } from './export-folder';
import type { PromptFormat } from './prompt';
import { defaultFormat, GME_INSTRUCTIONS, IMAGE_PAD, PromptTokenizer, VISION_START, VLM2VEC_INSTRUCTIONS } from './prompt';
import { messageOf } from '../../../base/errors';

/** What the family needs of an export besides its graphs: configs, prompt format, tokenizer. */
export interface Qwen2VlParts {
  config: Qwen2VlConfig;
  image: ImageConfig;
  format: PromptFormat;
  tokenizer: PromptTokenizer;
  /** the most tokens one input may have (text is cut at the end beyond it) */
  maxTokens: number;
}

/** Text tokens an input may have besides its image (VLM2Vec's TEXT_ONLY_MAX_LEN); more are cut from the end. */
export const MAX_TEXT_TOKENS = 2048;

export function readTroveEmbedding(root: string): TroveEmbeddingConfig {
  const file = join(root, TROVE_EMBEDDING_FILE);
  return existsSync(file) ? readJsonFile(file, TroveEmbeddingSchema, TROVE_EMBEDDING_FILE) : TroveEmbeddingSchema.parse({});
}

function readConfig(root: string): Qwen2VlConfig {
  const config = readJsonFile(join(root, 'config.json'), Qwen2VlConfig, 'config.json');
  if (config.model_type !== 'qwen2_vl') {
    throw new ModelPackageError(`config.json in ${root} is a "${config.model_type}" model; the qwen2-vl family runs Qwen2-VL exports (model_type "qwen2_vl"), such as VLM2Vec-Qwen2VL and GME-Qwen2-VL.`);
  }
  return config;
}

/** The tokenizer, checked against config.json: the wrong tokenizer.json is refused here, not discovered as bad embeddings. */
function readTokenizer(root: string, config: Qwen2VlConfig): PromptTokenizer {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(join(root, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelPackageError(`tokenizer.json in ${root} could not be read: ${messageOf(e)}. Copy the tokenizer.json of the model you exported.`);
  }
  let tok: PromptTokenizer;
  try {
    tok = PromptTokenizer.fromJson(json, config.image_token_id);
  } catch (e) {
    throw new ModelPackageError(`tokenizer.json in ${root} is not a tokenizer @huggingface/tokenizers can run: ${messageOf(e)}.`);
  }
  const expect: [string, number][] = [
    [IMAGE_PAD, config.image_token_id],
    [VISION_START, config.vision_start_token_id],
  ];
  for (const [token, id] of expect) {
    const got = tok.tokenId(token);
    if (got !== id) {
      throw new ModelPackageError(
        `tokenizer.json in ${root} does not belong to this model: config.json says ${token} is token ${id}, the tokenizer ${got === undefined ? 'does not have it' : `gives ${got}`}. Copy the tokenizer.json of the Qwen2-VL model you exported.`,
      );
    }
  }
  const probe = tok.encodeText('Represent the given image.');
  if (probe.some((t) => t >= config.vocab_size)) {
    throw new ModelPackageError(`tokenizer.json in ${root} gives token ids up to ${Math.max(...probe)}, beyond config.json's vocab_size ${config.vocab_size}: it is another model's tokenizer.`);
  }
  return tok;
}

/** Everything the family needs besides the sessions, from the folder and the manifest. */
export function readExportConfigs(root: string, manifest: ModelManifest): Qwen2VlParts {
  const config = readConfig(root);
  const trove = readTroveEmbedding(root);
  const img = manifest.preprocessing.image;
  const cap = img ? img.width * img.height : (trove.maxPixels ?? LIBRARY_MAX_PIXELS);
  const image = imageConfigOf(readJsonFile(join(root, 'preprocessor_config.json'), PreprocessorConfig, 'preprocessor_config.json'), cap);
  const imageTokens = Math.floor(image.maxPixels / (image.patchSize * image.mergeSize) ** 2);
  return {
    config,
    image,
    format: defaultFormat(trove.preset, { imagePrefix: trove.imagePrefix, positions: trove.positions }),
    tokenizer: readTokenizer(root, config),
    maxTokens: Math.min(config.max_position_embeddings, manifest.preprocessing.maxTextTokens + imageTokens),
  };
}

export interface DescribeOptions {
  /** the photo-library cap on max_pixels (default: trove_embedding.json's, else LIBRARY_MAX_PIXELS) */
  maxPixels?: number;
}

/** The package a bare export folder stands for (files unhashed; `filesDir` is the folder). */
export function describeExport(dir: string, o: DescribeOptions = {}): ModelPackage {
  const root = resolve(dir);
  checkExportFolder(root);
  const config = readConfig(root);
  const trove = readTroveEmbedding(root);
  const pre = readJsonFile(join(root, 'preprocessor_config.json'), PreprocessorConfig, 'preprocessor_config.json');
  const image = imageConfigOf(pre, o.maxPixels ?? trove.maxPixels ?? LIBRARY_MAX_PIXELS);
  const side = librarySquare(image);
  const base = trove.preset === 'gme' ? GME_INSTRUCTIONS : VLM2VEC_INSTRUCTIONS;
  const instructions = { ...base, ...(trove.instructions ?? {}) } as Record<TaskName, InstructionPair>;
  const manifest: ModelManifest = {
    id: trove.id ?? idFromFolder(root),
    version: trove.version ?? '1',
    family: QWEN2_VL_FAMILY,
    dim: config.hidden_size,
    pooling: 'last_token',
    normalize: true,
    preprocessing: { image: { width: side, height: side, mean: image.mean, std: image.std }, maxTextTokens: trove.maxTextTokens ?? MAX_TEXT_TOKENS },
    tokenizer: 'tokenizer.json',
    instructions,
    filesDir: root,
    files: {},
    graphs: {},
    licence: trove.licence ?? 'as the exported model (see its model card)',
    provenance: trove.provenance ?? `a Qwen2-VL ONNX export in ${root} (preset ${trove.preset})`,
    scores: {},
  };
  return { dir: root, manifest };
}

/** A model id from the folder's name: lower case, [a-z0-9._-]. */
export function idFromFolder(dir: string): string {
  const id = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return id || 'qwen2-vl-model';
}

/** Every file the package uses, relative to the export folder. */
export function packageFiles(root: string, variants: readonly GraphVariant[]): string[] {
  const files: string[] = [...CONFIG_FILES];
  if (existsSync(join(root, TROVE_EMBEDDING_FILE))) files.push(TROVE_EMBEDDING_FILE);
  for (const v of variants) files.push(v.file, ...v.dataFiles);
  return files;
}

/**
 * The manifest with the SHA-256 of every file and every graph variant listed; the version
 * gains the first hex digits of the graphs' hashes, so a re-export with other weights is
 * another model version (its vectors are recomputed) even under the same id.
 */
export async function manifestWithHashes(pkg: ModelPackage, variants: readonly GraphVariant[], onFile: (file: string, bytes: number) => void = () => undefined): Promise<ModelManifest> {
  const root = pkg.manifest.filesDir ?? pkg.dir;
  const files: Record<string, string> = {};
  for (const f of packageFiles(root, variants)) {
    onFile(f, statSync(join(root, f)).size);
    files[f] = await sha256File(join(root, f));
  }
  const graphs: Record<string, string> = {};
  for (const v of variants) graphs[v.dtype === 'fp32' ? v.role : `${v.role}_${v.dtype}`] = v.file;
  const digest = sha256(variants.map((v) => files[v.file]).join(',')).slice(0, 8);
  return { ...pkg.manifest, version: `${pkg.manifest.version}+${digest}`, files, graphs };
}
