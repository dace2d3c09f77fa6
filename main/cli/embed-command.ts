// `trove embed [--model DIR] [--image FILE] [--text STRING] [--json]`: one embedding, for
// scripts and checks. The model reads its own prompt format with TEXT verbatim (any
// instruction included): for VLM2Vec on Qwen2-VL `<|image_pad|> TEXT` with an image, else
// TEXT; for vlm2vec-nano its visual tokens + `<s>TEXT`. Images are decoded as the engine
// decodes them (EXIF-rotated, sRGB, alpha on white): at full size for a model that resizes
// itself (Qwen2-VL's smart_resize under its max_pixels cap), else to the model's input size.
//   --model DIR  a model package folder or a bare Qwen2-VL export folder (default: the
//                library's model, as Settings chose it)
//   --json       {"model","dim","embedding":[...]}
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeForModel, decodeForPerception } from '../engine/library/images';
import type { EmbedInput, EmbeddingModel } from '../ml/models/embedding-model';
import { loadModel } from '../ml/models/index';
import { flagString, UsageError, type ParsedArgs } from './args';

/** Far above any side the 100-MP decode limit lets through: the image is never shrunk. */
const FULL_SIZE = 100_000;

interface EmbedDeps {
  loadModel: () => Promise<EmbeddingModel>;
  out: { write(s: string): unknown };
}

export async function cmdEmbed(args: ParsedArgs, deps: EmbedDeps): Promise<number> {
  const text = flagString(args, 'text');
  const imageFile = flagString(args, 'image');
  if (text === undefined && imageFile === undefined) throw new UsageError('embed needs --text STRING, --image FILE or both');
  const dir = flagString(args, 'model');
  const model = dir !== undefined ? await loadModel(resolve(dir)) : await deps.loadModel();
  try {
    const input: EmbedInput = { instruction: '', text: text ?? '' };
    if (imageFile !== undefined) {
      if (!model.imageSize) throw new UsageError(`the model ${model.id} reads text only; leave out --image`);
      const buf = readFileSync(imageFile);
      input.image = model.imageSize.fit === 'area' ? await decodeForPerception(buf, FULL_SIZE) : await decodeForModel(buf, model.imageSize);
    }
    const [e] = await model.embed([input]);
    const embedding = Array.from(e!);
    if (args.flags.has('json')) {
      deps.out.write(JSON.stringify({ model: model.id, dim: model.dim, embedding }) + '\n');
      return 0;
    }
    const norm = Math.sqrt(embedding.reduce((s, x) => s + x * x, 0));
    deps.out.write(`${model.id} ${model.version} on ${model.provider.name}: ${model.dim} values, norm ${norm.toFixed(4)}\n`);
    deps.out.write(`[${embedding.slice(0, 8).map((x) => x.toFixed(5)).join(', ')}${model.dim > 8 ? ', ...' : ''}]\n`);
    return 0;
  } finally {
    await model.dispose();
  }
}
