// DETERMINISTIC TEST DOUBLE — not a real model, never offered to users.
//
// ColourWordsTestEmbedder is the HashedTestEmbedder plus one cross-modal link: a colour
// word in the text ("red", "blue", ...) adds that colour's pattern to the image features
// (the same 4x4 grid of mean colours the double computes for an image). So a caption
// "the red square" lands near a crop that is all red, a label "blue" near bluish photos,
// and an answer "red" near a photo with red in it — the behaviour the Ask, Sort into
// labels and Point at modes need in order to be tested with knowable right answers.
import type { EmbedInput } from '../../main/ml/models/embedding-model';
import { HashedTestEmbedder, type HashedTestEmbedderOptions } from './hashed-embedder';

const TEXT_DIMS = 64;
const CELLS = 16;
/** how strongly a colour word pulls towards its colour (the base vector has norm 1) */
const WEIGHT = 1.5;

export const COLOUR_WORDS: Record<string, [number, number, number]> = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  yellow: [1, 1, 0],
  white: [1, 1, 1],
  black: [0, 0, 0],
  purple: [0.5, 0, 0.5],
  cyan: [0, 1, 1],
};

export class ColourWordsTestEmbedder extends HashedTestEmbedder {
  constructor(opts: HashedTestEmbedderOptions = {}) {
    // one image feature per grid cell and channel: no wrap-around in the image part
    super({ dim: TEXT_DIMS + CELLS * 3, ...opts });
  }

  override async embed(batch: EmbedInput[]): Promise<Float32Array[]> {
    const base = await super.embed(batch);
    return base.map((v, i) => {
      const input = batch[i]!;
      const words = `${input.instruction} ${input.text}`.toLowerCase().match(/[\p{L}]+/gu) ?? [];
      const colours = words.map((w) => COLOUR_WORDS[w]).filter((c): c is [number, number, number] => c !== undefined);
      if (!colours.length) return v;
      const out = Float32Array.from(v);
      for (const c of colours) {
        const pattern = c.map((x) => 4 * (x - 0.5));
        const norm = Math.sqrt(CELLS * pattern.reduce((s, x) => s + x * x, 0)) || 1;
        for (let cell = 0; cell < CELLS; cell++) for (let ch = 0; ch < 3; ch++) out[TEXT_DIMS + cell * 3 + ch]! += (WEIGHT * pattern[ch]!) / norm;
      }
      let n = 0;
      for (const x of out) n += x * x;
      const inv = 1 / Math.sqrt(n || 1);
      for (let j = 0; j < out.length; j++) out[j]! *= inv;
      return out;
    });
  }
}
