// What every embedding model family offers the engine. The engine never hard-codes a
// model: it asks a loaded model for its dimension, its image input size and its
// instruction templates, and embeds through `embed`.

/** An image already decoded and resized to the model's input size: RGB, 8 bits, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes */
  data: Uint8Array;
}

/** One side of a VLM2Vec pair: optional image + instruction + text (either part may be empty). */
export interface EmbedInput {
  image?: RgbImage;
  instruction: string;
  text: string;
}

/** The MMEB task families, each with a query-side and target-side instruction. */
export type TaskName =
  | 'retrieval_text_to_image'
  | 'retrieval_image_to_image'
  | 'retrieval_text_to_text'
  | 'classification'
  | 'vqa'
  | 'grounding';

export interface InstructionPair {
  /** may contain {text} where the user's text goes */
  query: string;
  target: string;
}

/** Whether Trove's trainer can fine-tune a model, and if not why (Settings shows the reason). */
export interface TrainingSupport {
  trainable: boolean;
  /** why it cannot be fine-tuned, in words for the user; absent when trainable */
  reason?: string;
}

/** What a model that does not say gets: nothing is known, so nothing is offered. */
export const UNKNOWN_TRAINING: TrainingSupport = { trainable: false, reason: 'this model does not say whether Trove can fine-tune it' };

export function trainingSupport(m: Pick<EmbeddingModel, 'training'>): TrainingSupport {
  return m.training ?? UNKNOWN_TRAINING;
}

export interface EmbeddingModel {
  readonly id: string;
  readonly version: string;
  readonly family: string;
  readonly dim: number;
  /** the size images must be decoded to; null for text-only models */
  readonly imageSize: { width: number; height: number } | null;
  /**
   * 'fixed' (or absent): `embed` needs images decoded to imageSize. 'model': it takes any
   * size and resizes itself (Qwen2-VL's smart_resize); imageSize is then the square the
   * engine decodes library photos to.
   */
  readonly imageResize?: 'fixed' | 'model';
  /** whether Trove's trainer can fine-tune it (absent: unknown, see trainingSupport) */
  readonly training?: TrainingSupport;
  readonly instructions: Record<TaskName, InstructionPair>;
  /** the execution provider running it, and those that were tried first */
  readonly provider: { name: string; tried: { name: string; reason: string }[] };
  /** L2-normalised embeddings, one per input, each of length `dim` */
  embed(batch: EmbedInput[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}
