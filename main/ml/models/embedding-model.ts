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

/**
 * What the perception models saw in an image: the evidence a model that reads it (see
 * `EmbeddingModel.perception`) takes beside the pixels. Made by main/ml/perception/evidence.ts
 * `perceive` from the same models the engine's passes run, or rebuilt from what those passes
 * stored; both give the same values for the same photo.
 */
export interface PerceptionEvidence {
  /** the object detector's detections (after its thresholds and NMS) */
  objects: { label: string; score: number; box: EvidenceBox }[];
  /** the image classifier's top labels, best first; `wnid` = WordNet 3.0 noun synset id */
  labels: { label: string; score: number; wnid?: string }[];
  /** the lines of text read in the image, in reading order */
  text: { text: string; box: EvidenceBox }[];
}

/** A box as fractions of the image's width and height (x, y: top-left corner). */
export interface EvidenceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The evidence kinds a model reads. */
export type PerceptionKind = keyof PerceptionEvidence;

/** One side of a VLM2Vec pair: optional image + instruction + text (either part may be empty). */
export interface EmbedInput {
  image?: RgbImage;
  instruction: string;
  text: string;
  /**
   * what the perception models saw in `image` (models that read it only; others ignore it).
   * Absent: not known (e.g. a photo whose passes have not run yet): the model embeds the
   * pixels alone. An image with nothing found has empty lists, which is evidence too.
   */
  perception?: PerceptionEvidence;
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

/** Which evidence a model reads, made by which perception packages (id@version as trained). */
export interface PerceptionUse {
  kinds: readonly PerceptionKind[];
  /** the packages the evidence was made with in training (ids of native-models/ folders), per kind */
  packages: Partial<Record<PerceptionKind, string>>;
}

/** How images become the model's input. */
export interface ModelImageSize {
  readonly width: number;
  readonly height: number;
  /**
   * 'cover' (absent): resized to cover width x height and centre-cropped, the rule a
   * fixed-size model was trained with. 'area': the aspect kept, scaled down to at most
   * width x height pixels, for models that resize images themselves (Qwen2-VL's
   * smart_resize): a whole photo, never its centre only.
   */
  readonly fit?: 'cover' | 'area';
}

export interface EmbeddingModel {
  readonly id: string;
  readonly version: string;
  readonly family: string;
  readonly dim: number;
  /** the size images must be decoded to; null for text-only models */
  readonly imageSize: ModelImageSize | null;
  /** whether Trove's trainer can fine-tune it (absent: unknown, see trainingSupport) */
  readonly training?: TrainingSupport;
  readonly instructions: Record<TaskName, InstructionPair>;
  /**
   * the perception evidence this model reads with an image (EmbedInput.perception), and from
   * which perception packages it must come; absent: it reads pixels only
   */
  readonly perception?: PerceptionUse;
  /** the execution provider running it, and those that were tried first */
  readonly provider: { name: string; tried: { name: string; reason: string }[] };
  /** L2-normalised embeddings, one per input, each of length `dim` */
  embed(batch: EmbedInput[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}
