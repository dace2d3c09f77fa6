// How an EmbedInput becomes Qwen2-VL tokens, per preset, and the instructions each preset
// ships with.
//   vlm2vec (VLM2Vec src/model/processor.py process_input_text + Qwen2_VL_process_fn): no chat
//     template; `{imagePrefix}{instruction} {text}` with imagePrefix `<|image_pad|> ` when there
//     is an image; the one `<|image_pad|>` becomes grid_t*grid_h*grid_w/merge^2 copies.
//   gme (GME gme_inference.py `embed`): `<|im_start|>system\n{instruction or "You are a helpful
//     assistant."}<|im_end|>\n<|im_start|>user\n{<|vision_start|><|image_pad|><|vision_end|>}{text}
//     <|im_end|>\n<|im_start|>assistant\n<|endoftext|>`.
// Qwen2's tokenizer adds no BOS/EOS of its own. The vision special tokens are taken out of
// the instruction and the user's text, so only the prompt's own image slot can hold images.
import { Tokenizer } from '@huggingface/tokenizers';
import type { EmbedInput, InstructionPair, TaskName } from '../embedding-model';
import type { PositionMode } from './rope-index';

export type Preset = 'vlm2vec' | 'gme';

export const IMAGE_PAD = '<|image_pad|>';
export const VISION_START = '<|vision_start|>';
export const VISION_END = '<|vision_end|>';
const VISION_TOKENS = [IMAGE_PAD, VISION_START, VISION_END, '<|video_pad|>', '<|vision_pad|>'];

export const VLM2VEC_IMAGE_PREFIX = `${IMAGE_PAD} `;
export const GME_DEFAULT_INSTRUCTION = 'You are a helpful assistant.';

/** VLM2Vec's MMEB instructions (shared/reference/vlm2vec.md, first of each list); text->text is Trove's own, as vlm2vec-nano's. */
export const VLM2VEC_INSTRUCTIONS: Record<TaskName, InstructionPair> = {
  retrieval_text_to_image: { query: 'Find me an everyday image that matches the given caption: {text}', target: 'Represent the given image.' },
  retrieval_image_to_image: { query: 'Find a day-to-day image that looks similar to the provided image.', target: 'Represent the given image.' },
  retrieval_text_to_text: { query: 'Find a note that matches the given query: {text}', target: 'Represent the given note: {text}' },
  classification: { query: 'Identify the object shown in the image', target: '{text}' },
  vqa: { query: 'Represent the given image with the following question: {text}', target: '{text}' },
  grounding: { query: 'Select the portion of the image that isolates the object labeled as "{text}"', target: 'Represent the given cropped image of the object' },
};

/**
 * GME puts the instruction in the system turn and the text in the user turn, so its
 * templates carry no {text}; targets use GME's default system prompt (empty here). The
 * text->image query is GME's own example; the others are Trove's phrasing in its style.
 */
export const GME_INSTRUCTIONS: Record<TaskName, InstructionPair> = {
  retrieval_text_to_image: { query: 'Find an image that matches the given text.', target: '' },
  retrieval_image_to_image: { query: 'Find an image that looks similar to the given image.', target: '' },
  retrieval_text_to_text: { query: 'Find a note that matches the given query.', target: '' },
  classification: { query: 'Identify the object shown in the image.', target: '' },
  vqa: { query: 'Represent the given image with the following question.', target: '' },
  grounding: { query: 'Find the region of the image that shows the given object.', target: '' },
};

export interface PromptFormat {
  preset: Preset;
  imagePrefix: string;
  positions: PositionMode;
}

export function defaultFormat(preset: Preset, o: { imagePrefix?: string; positions?: PositionMode } = {}): PromptFormat {
  return preset === 'gme'
    ? { preset, imagePrefix: `${VISION_START}${IMAGE_PAD}${VISION_END}`, positions: o.positions ?? 'sequential' }
    : { preset, imagePrefix: o.imagePrefix ?? VLM2VEC_IMAGE_PREFIX, positions: o.positions ?? 'rope-index' };
}

const stripVision = (s: string): string => VISION_TOKENS.reduce((t, tok) => t.split(tok).join(''), s);

/** The prompt text of one input (the image slot holds one `<|image_pad|>`). */
export function promptOf(input: EmbedInput, f: PromptFormat): string {
  const instruction = stripVision(input.instruction).trim();
  const text = stripVision(input.text);
  if (f.preset === 'gme') {
    const system = instruction || GME_DEFAULT_INSTRUCTION;
    const user = (input.image ? f.imagePrefix : '') + text.trim();
    return `<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n<|endoftext|>`;
  }
  const body = [instruction, text.trim() === '' ? '' : text].filter((s) => s !== '').join(' ');
  return (input.image ? f.imagePrefix : '') + body;
}

export interface TokenizedPrompt {
  ids: number[];
  /** text tokens cut from the end to fit `maxTokens` */
  cut: number;
}

export class PromptTokenizer {
  constructor(
    private readonly tok: Tokenizer,
    readonly imageTokenId: number,
  ) {}

  static fromJson(json: Record<string, unknown>, imageTokenId: number): PromptTokenizer {
    return new PromptTokenizer(new Tokenizer(json, {}), imageTokenId);
  }

  tokenId(token: string): number | undefined {
    return this.tok.token_to_id(token) ?? undefined;
  }

  encodeText(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: true }).ids;
  }

  /**
   * Token ids of `prompt` with its `<|image_pad|>` (at most one: one image per input)
   * expanded to `imageTokens` copies, cut at the end to `maxTokens` (as transformers'
   * truncation does); an image that does not fit whole is an error.
   */
  encode(prompt: string, imageTokens: number, maxTokens: number): TokenizedPrompt {
    const raw = this.encodeText(prompt);
    const slots = raw.filter((t) => t === this.imageTokenId).length;
    if (slots !== (imageTokens > 0 ? 1 : 0)) {
      throw new Error(`the prompt has ${slots} image slot(s) for ${imageTokens > 0 ? 'one image' : 'no image'}; the tokenizer must encode ${IMAGE_PAD} as token ${this.imageTokenId}`);
    }
    const ids: number[] = [];
    for (const t of raw) {
      if (t === this.imageTokenId) for (let k = 0; k < imageTokens; k++) ids.push(t);
      else ids.push(t);
    }
    if (ids.length <= maxTokens) return { ids, cut: 0 };
    const lastImage = ids.lastIndexOf(this.imageTokenId);
    if (lastImage >= maxTokens) {
      throw new Error(`the image alone needs ${imageTokens} tokens, more than the ${maxTokens} this model is set to read; lower the max_pixels cap`);
    }
    return { ids: ids.slice(0, maxTokens), cut: ids.length - maxTokens };
  }
}
