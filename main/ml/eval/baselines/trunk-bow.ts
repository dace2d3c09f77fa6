// The untrained multimodal baseline: the frozen vision trunk for images and a hashed bag
// of words for text, in ONE vector space with no training and nothing tuned on any eval
// data:
//
//     v(side) = [ trunk_pooled(image) / |.|  ;  bow(text) / |.| ]     (absent part = 0)
//
// then L2-normalised as a whole (the runner does that). So for two sides that both have
// an image and text, cosine = (cos_image + cos_text) / 2; when one side has only an image
// and the other only text (classification, image<->caption retrieval, VQA answers) the
// parts never meet, every candidate scores 0, all tie, and the row is a miss: the baseline
// has no cross-modal alignment, which is exactly what training has to add.
import type { RgbImage } from '../../models/embedding-model';
import type { EmbedContext, EvalEncoder, Vector } from '../runner';
import type { EvalSide } from '../types';
import { loadAllInOrder } from '../load-all';
import { bagOfWords } from './bow';
import { TRUNK_POOLED_DIM, TRUNK_SIZE, type TrunkFeatures } from './trunk';

export const TRUNK_BOW_BASELINE_NAME = 'trunk+bow';

export interface TrunkBowOptions {
  /** pooled features of 256 x 256 RGB images (TrunkFeatures, or a double in tests) */
  trunk: Pick<TrunkFeatures, 'pooled'>;
  /** decodes an image file (the side's resolved path) to RGB at `size` */
  loadImage(path: string, size: { width: number; height: number }): Promise<RgbImage>;
  /** hashed bag-of-words buckets; default 4096 */
  bowDim?: number;
  /** images per trunk run; default 16 */
  batch?: number;
  /** called after every trunk batch with the number of images featurised so far */
  onImages?(n: number): void;
  /** checked before every trunk batch; throw from it to stop */
  checkCancelled?(): void;
}

function l2(v: Float32Array): Float32Array {
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (ss > 0) {
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  }
  return out;
}

export interface TrunkBowEncoder extends EvalEncoder {
  /** distinct images featurised so far (features are cached by image path for the encoder's life) */
  readonly imagesEmbedded: number;
}

export function trunkBowBaseline(opts: TrunkBowOptions): TrunkBowEncoder {
  const bowDim = opts.bowDim ?? 4096;
  const batch = opts.batch ?? 16;
  const imageCache = new Map<string, Float32Array>();
  let imagesEmbedded = 0;

  const featurise = async (paths: string[]) => {
    const todo = [...new Set(paths)].filter((p) => !imageCache.has(p));
    for (let i = 0; i < todo.length; i += batch) {
      opts.checkCancelled?.();
      const chunk = todo.slice(i, i + batch);
      const imgs = await loadAllInOrder(chunk, (p) => opts.loadImage(p, TRUNK_SIZE));
      const feats = await opts.trunk.pooled(imgs);
      chunk.forEach((p, j) => imageCache.set(p, l2(feats[j]!)));
      imagesEmbedded += chunk.length;
      opts.onImages?.(imagesEmbedded);
    }
  };

  const compose = (s: EvalSide): Float32Array => {
    const img = s.image ? imageCache.get(s.image)! : null;
    const imgDim = img?.length ?? TRUNK_POOLED_DIM;
    const v = new Float32Array(imgDim + bowDim);
    if (img) v.set(img, 0);
    v.set(bagOfWords(s.text, bowDim), imgDim);
    return v;
  };

  const many = async (sides: EvalSide[], _ctx: EmbedContext): Promise<Vector[]> => {
    await featurise(sides.flatMap((s) => (s.image ? [s.image] : [])));
    return sides.map(compose);
  };
  const one = async (s: EvalSide, ctx: EmbedContext): Promise<Vector> => (await many([s], ctx))[0]!;

  return {
    embedQuery: one,
    embedTarget: one,
    embedQueries: many,
    embedTargets: many,
    get imagesEmbedded() {
      return imagesEmbedded;
    },
  };
}

