// Pairs as the vlm2vec model sees them: every side tokenized once (instruction + text, as the
// engine phrases it) and every image turned into the frozen trunk's feature map once. The
// trunk is frozen, so a fine-tune step runs only the projector and the transformer.
import type { InstructionPair, RgbImage, TaskName } from '../models/embedding-model';
import type { AnchorSet, AnchorSide } from '../models/vlm2vec/anchor';
import { padTokens, rgbToPlanar } from '../models/vlm2vec/family';
import type { Vlm2vecRows } from '../models/vlm2vec/train';
import type { PromptTokenizer } from '../models/vlm2vec/tokenizer';
import type { Session } from '../runtime/session';
import type { LabelledPair, PairSide } from './pairs';
import { sideKey } from './pairs';

export interface EncodedSide {
  tokens: number[];
  /** index into the FeatureBank, -1 without an image */
  image: number;
  /** identity of the side (what the model reads), to keep duplicates out of one batch */
  key: string;
}

export interface EncodedPair {
  /** the task whose instructions phrased it (null: MMEB-style texts and replay pairs) */
  task: TaskName | null;
  query: EncodedSide;
  target: EncodedSide;
  negatives: EncodedSide[];
}

/** Trunk feature maps, one block of `size` values per image. */
export class FeatureBank {
  private readonly maps: Float32Array[] = [];
  constructor(readonly size: number) {}

  get count(): number {
    return this.maps.length;
  }

  add(f: Float32Array): number {
    if (f.length !== this.size) throw new Error(`feature map of ${f.length} values, expected ${this.size}`);
    return this.maps.push(f) - 1;
  }

  /** Every map of a [n * size] array; returns the index of the first. */
  addAll(all: Float32Array): number {
    const first = this.maps.length;
    for (let i = 0; i < all.length / this.size; i++) this.add(all.subarray(i * this.size, (i + 1) * this.size));
    return first;
  }

  get(i: number): Float32Array {
    const f = this.maps[i];
    if (!f) throw new Error(`no feature map ${i}`);
    return f;
  }
}

/** The model's input rows for some sides: padded tokens, feature maps (zeros without an image), has_image. */
export function rowsOf(sides: readonly EncodedSide[], bank: FeatureBank): Vlm2vecRows {
  const { ids, mask, seq } = padTokens(sides.map((s) => s.tokens));
  const features = new Float32Array(sides.length * bank.size);
  const hasImage = new Float32Array(sides.length);
  sides.forEach((s, i) => {
    if (s.image < 0) return;
    features.set(bank.get(s.image), i * bank.size);
    hasImage[i] = 1;
  });
  return { ids, mask, seq, features, hasImage };
}

export interface PairEncoderOptions {
  tokenizer: PromptTokenizer;
  maxTextTokens: number;
  instructions: Record<TaskName, InstructionPair>;
  bank: FeatureBank;
  trunk: Session;
  imageSize: { width: number; height: number };
  /** decodes an image reference (a path, an item id) to imageSize RGB, as the engine decodes library photos */
  loadImage(ref: string, size: { width: number; height: number }): Promise<RgbImage>;
}

/** Encodes user pairs: texts through the task's instructions, images through the trunk (each distinct image once). */
export class PairEncoder {
  private readonly images = new Map<string, number>();
  constructor(private readonly o: PairEncoderOptions) {}

  /** Runs the trunk over every image of these sides not seen yet, `batch` at a time. */
  async addImages(sides: readonly PairSide[], batch = 16): Promise<void> {
    const todo = [...new Set(sides.map((s) => s.image).filter((r): r is string => r !== undefined && !this.images.has(r)))];
    const { width: w, height: h } = this.o.imageSize;
    for (let s = 0; s < todo.length; s += batch) {
      const part = todo.slice(s, s + batch);
      const px = new Float32Array(part.length * 3 * w * h);
      const decoded = await Promise.all(part.map((r) => this.o.loadImage(r, this.o.imageSize)));
      decoded.forEach((im, i) => rgbToPlanar(im, px, i * 3 * w * h));
      const out = await this.o.trunk.run({ image: { dtype: 'float32', data: px, dims: [part.length, 3, h, w] } }, ['feature_map']);
      const first = this.o.bank.addAll(Float32Array.from(out.feature_map.data as Float32Array));
      part.forEach((r, i) => this.images.set(r, first + i));
    }
  }

  /** One side; its images must have gone through addImages. */
  side(s: PairSide, task: TaskName | null, role: 'query' | 'target'): EncodedSide {
    const instruction = task ? this.o.instructions[task][role] : '';
    const image = s.image === undefined ? -1 : this.images.get(s.image);
    if (image === undefined) throw new Error(`image ${s.image} was not prepared (addImages first)`);
    return { tokens: this.o.tokenizer.encode(instruction, s.text ?? '', this.o.maxTextTokens), image, key: `${role}\u0000${task ?? ''}\u0000${sideKey(s)}` };
  }

  async pairs(pairs: readonly LabelledPair[]): Promise<EncodedPair[]> {
    await this.addImages(pairs.flatMap((p) => [p.query, p.positive, ...(p.negatives ?? [])]));
    return pairs.map((p) => ({
      task: p.task,
      query: this.side(p.query, p.task, 'query'),
      target: this.side(p.positive, p.task, 'target'),
      negatives: (p.negatives ?? []).map((n) => this.side(n, p.task, 'target')),
    }));
  }
}

/** The anchor set's sides as encoded sides (its features go into `bank`). */
export function encodeAnchor(anchor: AnchorSet, bank: FeatureBank, tokenizer: PromptTokenizer, maxTextTokens: number): { side(s: AnchorSide): EncodedSide } {
  const first = bank.addAll(anchor.features);
  const tokens = anchor.texts.map((t) => tokenizer.encode('', t, maxTextTokens));
  return {
    side: (s) => ({ tokens: tokens[s.text]!, image: s.image < 0 ? -1 : first + s.image, key: `anchor\u0000${s.image}\u0000${anchor.texts[s.text]}` }),
  };
}
