// DETERMINISTIC TEST DOUBLE — not a real model, never offered to users.
//
// HashedTestEmbedder implements EmbeddingModel so that engine, CLI and UI tests run without
// a trained model: text becomes a hashed bag of words and character trigrams; an image
// becomes a coarse colour grid (mean RGB of 4x4 cells) plus a colour histogram. Equal
// inputs give equal vectors, similar colours give similar vectors, words shared between a
// query and a note raise their cosine. Every vector is L2-normalised.
import type { EmbedInput, EmbeddingModel, InstructionPair, TaskName } from '../../main/ml/models/embedding-model';

export interface HashedTestEmbedderOptions {
  dim?: number;
  /** artificial delay per embed call (crash tests need indexing to take a while) */
  delayMs?: number;
  version?: string;
}

const TEXT_DIMS = 64;

export class HashedTestEmbedder implements EmbeddingModel {
  readonly id = 'hashed-test-embedder';
  readonly version: string;
  readonly family = 'test-double';
  readonly dim: number;
  readonly imageSize = { width: 32, height: 32 };
  readonly provider = { name: 'cpu', tried: [] as { name: string; reason: string }[] };
  readonly instructions: Record<TaskName, InstructionPair> = {
    retrieval_text_to_image: { query: 'Find an image that matches the given caption: {text}', target: 'Represent the given image.' },
    retrieval_image_to_image: { query: 'Find a day-to-day image that looks similar to the provided image.', target: 'Represent the given image.' },
    retrieval_text_to_text: { query: 'Find a note that answers: {text}', target: 'Represent the given note.' },
    classification: { query: 'Represent the given image for classification', target: '{text}' },
    vqa: { query: 'Represent the given image with the following question: {text}', target: '{text}' },
    grounding: { query: 'Select the portion of the image that follows the language expressions. {text}', target: 'Represent the given cropped image of the object' },
  };
  embedCalls = 0;
  private readonly delayMs: number;

  constructor(opts: HashedTestEmbedderOptions = {}) {
    this.dim = opts.dim ?? 96;
    this.delayMs = opts.delayMs ?? 0;
    this.version = opts.version ?? '1';
    if (this.dim <= TEXT_DIMS) throw new Error(`dim must exceed ${TEXT_DIMS}`);
  }

  async embed(batch: EmbedInput[]): Promise<Float32Array[]> {
    this.embedCalls++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return batch.map((input) => this.embedOne(input));
  }

  async dispose(): Promise<void> {}

  private stripTemplates(instruction: string): string {
    let s = instruction;
    const parts = Object.values(this.instructions)
      .flatMap((p) => [p.query, p.target])
      .flatMap((t) => t.split('{text}'))
      .map((x) => x.trim())
      .filter((x) => x.length > 0)
      .sort((a, b) => b.length - a.length);
    for (const part of parts) s = s.split(part).join(' ');
    return s;
  }

  private embedOne(input: EmbedInput): Float32Array {
    const v = new Float32Array(this.dim);
    // Text part: the user's text only. The fixed words of this model's instruction templates
    // are cut out of the instruction, so a query and a document can match on content.
    const text = `${this.stripTemplates(input.instruction)} ${input.text}`;
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    for (const w of words) {
      v[hash(w) % TEXT_DIMS] += 1;
      const padded = ` ${w} `;
      for (let i = 0; i + 3 <= padded.length; i++) v[hash(padded.slice(i, i + 3)) % TEXT_DIMS] += 0.3;
    }
    if (input.image) {
      const { width, height, data } = input.image;
      const grid = 4;
      const imgDims = this.dim - TEXT_DIMS;
      const cells = new Float32Array(grid * grid * 3);
      const counts = new Float32Array(grid * grid);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const c = Math.floor((y * grid) / height) * grid + Math.floor((x * grid) / width);
          const o = (y * width + x) * 3;
          cells[c * 3] += data[o]! / 255;
          cells[c * 3 + 1] += data[o + 1]! / 255;
          cells[c * 3 + 2] += data[o + 2]! / 255;
          counts[c] += 1;
        }
      }
      for (let i = 0; i < cells.length; i++) {
        const val = cells[i]! / Math.max(1, counts[Math.floor(i / 3)]!) - 0.5;
        v[TEXT_DIMS + (i % imgDims)] += 4 * val;
      }
      v[0] += 0.01; // never all-zero
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
    if (norm === 0) {
      v[this.dim - 1] = 1;
      return v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
    return v;
  }
}

/** FNV-1a, 32 bit */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
