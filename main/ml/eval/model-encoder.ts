// An EmbeddingModel as an EvalEncoder. MMEB rows carry the instruction inside the text
// (e.g. "Represent the given image with the following question: ..."), so each side is
// embedded as { image, instruction: '', text: row text with image tokens removed }.
import type { EmbedInput, EmbeddingModel, PerceptionEvidence, RgbImage } from '../models/embedding-model';
import { loadAllInOrder } from './load-all';
import type { EmbedContext, EvalEncoder, Vector } from './runner';
import type { EvalSide } from './types';

export interface ModelEncoderOptions {
  loadImage(path: string, size: { width: number; height: number }): Promise<RgbImage>;
  /**
   * what the perception models see in an image (by path): required for a model that reads
   * perception evidence (EmbeddingModel.perception), which gets it with every image
   */
  perceive?(path: string): Promise<PerceptionEvidence>;
  /** checked before every model call; throw from it to stop */
  checkCancelled?(): void;
  /** called after every model call with the number of inputs embedded so far */
  onEmbedded?(n: number): void;
}

export function modelEncoder(model: EmbeddingModel, opts: ModelEncoderOptions): EvalEncoder {
  if (model.perception && !opts.perceive) throw new Error(`the model ${model.id} reads what the perception models see in an image (${model.perception.kinds.join(', ')}); give the encoder a perceive function`);
  let embedded = 0;
  const many = async (sides: EvalSide[], ctx: EmbedContext): Promise<Vector[]> => {
    opts.checkCancelled?.();
    const inputs = await loadAllInOrder(sides, async (s): Promise<EmbedInput> => {
      if (s.image && !model.imageSize) {
        throw new Error(`${ctx.dataset}: the model ${model.id} reads text only, but this ${ctx.side} has an image (${s.imagePath})`);
      }
      const image = s.image && model.imageSize ? await opts.loadImage(s.image, model.imageSize) : undefined;
      if (!image) return { instruction: '', text: s.text };
      const perception = model.perception && s.image ? await opts.perceive!(s.image) : undefined;
      return perception ? { image, instruction: '', text: s.text, perception } : { image, instruction: '', text: s.text };
    });
    const out = await model.embed(inputs);
    embedded += inputs.length;
    opts.onEmbedded?.(embedded);
    return out;
  };
  const one = async (s: EvalSide, ctx: EmbedContext): Promise<Vector> => (await many([s], ctx))[0]!;
  return { embedQuery: one, embedTarget: one, embedQueries: many, embedTargets: many };
}
